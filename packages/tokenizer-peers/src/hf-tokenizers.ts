import { ParityError } from '@bert-parity/core';
import {
  importPeer,
  lookup,
  type PairInput,
  type PeerEncoding,
  type PeerOptions,
  type PeerTokenizerImpl,
  type PeerTokens,
  type Prepared,
  packageVersion,
  pairKey,
} from './peer.ts';
import { BERT_SPECIAL_TOKENS } from './vocab-file.ts';

type HfModule = typeof import('tokenizers');
type HfTokenizer = import('tokenizers').Tokenizer;
type HfEncoding = import('tokenizers').Encoding;
// A const enum in the binding's typings: named by its string value, since isolatedModules cannot inline it.
const LONGEST_FIRST = 'LongestFirst' as import('tokenizers').TruncationStrategy;

export const HF_TOKENIZERS_NAME = 'hf-tokenizers';

const BATCH = 4096;

/**
 * Hugging Face tokenizers (the Rust library through its napi binding) configured as its BERT WordPiece
 * tokenizer is by default: BertNormalizer (clean_text, handle_chinese_chars, strip_accents following
 * lowercase, lowercase), BertPreTokenizer, WordPiece with [UNK], `##` and the library's
 * max_input_chars_per_word (100), the BERT template post-processor, and the vocabulary's special tokens
 * registered as special added tokens (so a literal "[CLS]" in text stays one token, as in the library's
 * BertWordPieceTokenizer and in tokenizer.json files on the Hub).
 *
 * The binding only encodes asynchronously; `prepare` fills the caches `tokenize`/`encode` read.
 */
export async function createHfTokenizersImpl(vocabPath: string, options: PeerOptions): Promise<PeerTokenizerImpl> {
  const hf: HfModule = await importPeer('tokenizers', () => import('tokenizers'));
  // fromFile is the library's own vocab.txt reader; options left out keep the library defaults.
  let model: import('tokenizers').Model;
  try {
    model = await hf.WordPiece.fromFile(vocabPath, { unkToken: '[UNK]', continuingSubwordPrefix: '##' });
  } catch (cause) {
    throw new ParityError('E_IO', `hf-tokenizers cannot read vocabulary ${vocabPath}: ${(cause as Error).message}`, {
      cause,
    });
  }

  const required = (t: HfTokenizer, token: string): number => {
    const id = t.tokenToId(token);
    if (id === null || id === undefined) {
      throw new ParityError('E_VOCAB_MISSING_TOKEN', `vocabulary ${vocabPath} has no ${token} token`, {
        details: { path: vocabPath, token },
      });
    }
    return id;
  };
  const build = (): HfTokenizer => {
    const t = new hf.Tokenizer(model);
    t.setNormalizer(
      hf.bertNormalizer({
        cleanText: true,
        handleChineseChars: true,
        stripAccents: options.lowercase,
        lowercase: options.lowercase,
      }),
    );
    t.setPreTokenizer(hf.bertPreTokenizer());
    const cls = required(t, '[CLS]');
    const sep = required(t, '[SEP]');
    required(t, '[UNK]');
    t.setPostProcessor(
      hf.templateProcessing('[CLS] $A [SEP]', '[CLS] $A [SEP] $B:1 [SEP]:1', [
        ['[CLS]', cls],
        ['[SEP]', sep],
      ]),
    );
    if (options.registerSpecialTokens ?? true) {
      t.addSpecialTokens(BERT_SPECIAL_TOKENS.filter((token) => t.tokenToId(token) !== null));
    }
    return t;
  };
  return hfTokenizersImpl(build);
}

/**
 * Hugging Face tokenizers running a model's own tokenizer.json (the library's serialization, read by
 * Tokenizer.fromFile): normalizer, pre-tokenizer, model, post-processor and added tokens as the file says.
 */
export async function createHfTokenizersFromJson(tokenizerJson: string): Promise<PeerTokenizerImpl> {
  const hf: HfModule = await importPeer('tokenizers', () => import('tokenizers'));
  const build = (): HfTokenizer => {
    try {
      return hf.Tokenizer.fromFile(tokenizerJson);
    } catch (cause) {
      throw new ParityError(
        'E_VOCAB_FORMAT',
        `hf-tokenizers cannot load ${tokenizerJson}: ${(cause as Error).message}`,
        { cause },
      );
    }
  };
  return hfTokenizersImpl(build);
}

/** The peer around a tokenizer factory (single texts and pairs get their own instances). */
function hfTokenizersImpl(build: () => HfTokenizer): PeerTokenizerImpl {
  const version = packageVersion('tokenizers');
  // Truncation and padding are tokenizer state, so single texts and pairs get their own instances.
  const single = build();
  const pairs = build();
  // A tokenizer.json may carry its own truncation and padding; single texts are tokenized without either.
  single.disableTruncation();
  single.disablePadding();
  const padId = pairs.tokenToId('[PAD]') ?? 0;
  const normalizer = single.getNormalizer();
  const preTokenizer = single.getPreTokenizer();

  const tokenCache = new Map<string, Prepared<PeerTokens>>();
  const encodeCache = new Map<string, Prepared<PeerEncoding>>();

  const toTokens = (e: HfEncoding): PeerTokens => ({ tokens: e.getTokens(), ids: e.getIds() });

  async function tokenizeBatch(texts: readonly string[]): Promise<PeerTokens[]> {
    const out: PeerTokens[] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      const encodings = await single.encodeBatch(texts.slice(i, i + BATCH), { addSpecialTokens: false });
      for (const e of encodings) out.push(toTokens(e));
    }
    return out;
  }

  async function prepareTexts(texts: readonly string[]): Promise<void> {
    const todo = [...new Set(texts)].filter((t) => !tokenCache.has(t));
    try {
      const results = await tokenizeBatch(todo);
      todo.forEach((text, i) => {
        tokenCache.set(text, { ok: true, value: results[i] as PeerTokens });
      });
    } catch {
      // One failing input fails the whole batch; redo one by one so the error sticks to its own case.
      for (const text of todo) {
        try {
          tokenCache.set(text, {
            ok: true,
            value: toTokens(await single.encode(text, null, { addSpecialTokens: false })),
          });
        } catch (error) {
          tokenCache.set(text, { ok: false, error });
        }
      }
    }
  }

  async function preparePairs(inputs: readonly PairInput[]): Promise<void> {
    // The binding's encodeBatch takes single strings only, so pairs are encoded one by one, grouped by
    // max_seq_length because truncation and padding lengths are set on the tokenizer.
    const byLength = new Map<number, PairInput[]>();
    for (const p of inputs) {
      if (encodeCache.has(pairKey(p.textA, p.textB, p.maxSeqLength))) continue;
      const group = byLength.get(p.maxSeqLength) ?? [];
      group.push(p);
      byLength.set(p.maxSeqLength, group);
    }
    for (const [maxSeqLength, group] of byLength) {
      pairs.setTruncation(maxSeqLength, { strategy: LONGEST_FIRST });
      pairs.setPadding({ maxLength: maxSeqLength, padId, padToken: '[PAD]' });
      await Promise.all(
        group.map(async (p) => {
          const key = pairKey(p.textA, p.textB, p.maxSeqLength);
          try {
            const e = await pairs.encode(p.textA, p.textB);
            encodeCache.set(key, {
              ok: true,
              value: { inputIds: e.getIds(), inputMask: e.getAttentionMask(), segmentIds: e.getTypeIds() },
            });
          } catch (error) {
            encodeCache.set(key, { ok: false, error });
          }
        }),
      );
    }
  }

  return {
    name: HF_TOKENIZERS_NAME,
    version,
    async prepare(inputs) {
      await prepareTexts(inputs.texts ?? []);
      await preparePairs(inputs.pairs ?? []);
    },
    tokenizeBatch,
    tokenize(text) {
      const { tokens, ids } = lookup(tokenCache, text, HF_TOKENIZERS_NAME, 'tokenize');
      if (normalizer === null || preTokenizer === null) return { tokens, ids };
      // The same normalizer and pre-tokenizer objects the tokenizer runs, called synchronously.
      const basicTokens = preTokenizer.preTokenizeString(normalizer.normalizeString(text)).map(([piece]) => piece);
      return { tokens, ids, basicTokens };
    },
    encode(textA, textB, maxSeqLength) {
      return lookup(encodeCache, pairKey(textA, textB, maxSeqLength), HF_TOKENIZERS_NAME, 'encode');
    },
  };
}
