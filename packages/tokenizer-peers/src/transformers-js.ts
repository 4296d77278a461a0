import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ParityError } from '@bert-parity/core';
import { importPeer, type PeerOptions, type PeerTokenizerImpl, type PeerTokens, packageVersion } from './peer.ts';
import { BERT_SPECIAL_TOKENS, readVocabRecord, requireToken } from './vocab-file.ts';

export const TRANSFORMERS_JS_NAME = 'transformers.js';

/**
 * tokenizer.json and tokenizer_config.json as the Hub holds them for a BERT WordPiece model, built in
 * memory from a vocab.txt. Options the library has defaults for are left out so its defaults apply
 * (strip_accents null follows lowercase; max_input_chars_per_word 100; no model_max_length).
 */
export function bertTokenizerJson(
  vocab: Record<string, number>,
  vocabPath: string,
  options: PeerOptions,
): { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> } {
  const cls = requireToken(vocab, '[CLS]', vocabPath);
  const sep = requireToken(vocab, '[SEP]', vocabPath);
  requireToken(vocab, '[UNK]', vocabPath);
  const present = BERT_SPECIAL_TOKENS.filter((token) => vocab[token] !== undefined);
  const addedTokens = ((options.registerSpecialTokens ?? true) ? present : []).map((content) => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: options.lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0)],
      pair: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0), sequence('B', 1), special('[SEP]', 1)],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [cls], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [sep], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', vocab },
  };
  const tokenizerConfig: Record<string, unknown> = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: options.lowercase,
    tokenize_chinese_chars: true,
    strip_accents: null,
    clean_up_tokenization_spaces: true,
  };
  for (const token of present) tokenizerConfig[`${token.slice(1, -1).toLowerCase()}_token`] = token;
  return { tokenizerJson, tokenizerConfig };
}

/**
 * transformers.js's BertTokenizer with its defaults, built from in-memory tokenizer.json and
 * tokenizer_config.json objects: `from_pretrained` is never called, so nothing is fetched and no cache
 * directory is touched. Its API is synchronous, so `prepare` has nothing to do.
 */
export async function createTransformersJsImpl(vocabPath: string, options: PeerOptions): Promise<PeerTokenizerImpl> {
  const tj = await importPeer('@huggingface/transformers', () => import('@huggingface/transformers'));
  const version = packageVersion('@huggingface/transformers');
  const vocab = readVocabRecord(vocabPath);
  const { tokenizerJson, tokenizerConfig } = bertTokenizerJson(vocab, vocabPath, options);
  return transformersJsImpl(tj, version, tokenizerJson, tokenizerConfig, `the configuration built from ${vocabPath}`);
}

/**
 * transformers.js's BertTokenizer on a model's own tokenizer.json and the tokenizer_config.json beside it
 * (when present), as an app using that folder would tokenize.
 */
export async function createTransformersJsFromJson(tokenizerJsonPath: string): Promise<PeerTokenizerImpl> {
  const tj = await importPeer('@huggingface/transformers', () => import('@huggingface/transformers'));
  const version = packageVersion('@huggingface/transformers');
  const read = (path: string): Record<string, unknown> => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (cause) {
      throw new ParityError('E_VOCAB_FORMAT', `cannot read ${path} as JSON: ${(cause as Error).message}`, { cause });
    }
  };
  const configPath = join(dirname(tokenizerJsonPath), 'tokenizer_config.json');
  const tokenizerConfig = existsSync(configPath) ? read(configPath) : {};
  return transformersJsImpl(tj, version, read(tokenizerJsonPath), tokenizerConfig, tokenizerJsonPath);
}

type TransformersJs = typeof import('@huggingface/transformers');

function transformersJsImpl(
  tj: TransformersJs,
  version: string,
  tokenizerJson: Record<string, unknown>,
  tokenizerConfig: Record<string, unknown>,
  source: string,
): PeerTokenizerImpl {
  let tok: InstanceType<typeof tj.BertTokenizer>;
  try {
    tok = new tj.BertTokenizer(tokenizerJson, tokenizerConfig);
  } catch (cause) {
    throw new ParityError(
      'E_IMPL_UNAVAILABLE',
      `transformers.js BertTokenizer rejected ${source}: ${(cause as Error).message}`,
      { cause },
    );
  }
  // The library's inner tokenizer (@huggingface/tokenizers): one call yields tokens and ids together.
  const inner = tok._tokenizer;
  const normalizer = inner.normalizer;
  const preTokenizer = inner.pre_tokenizer;

  const tokenizeOne = (text: string): PeerTokens => {
    const e = inner.encode(text, { add_special_tokens: false });
    return { tokens: e.tokens, ids: e.ids };
  };

  return {
    name: TRANSFORMERS_JS_NAME,
    version,
    async prepare() {},
    async tokenizeBatch(texts) {
      return texts.map(tokenizeOne);
    },
    tokenize(text) {
      const { tokens, ids } = tokenizeOne(text);
      if (normalizer === null || preTokenizer === null) return { tokens, ids };
      return { tokens, ids, basicTokens: preTokenizer.pre_tokenize(normalizer.normalize(text)) };
    },
    encode(textA, textB, maxSeqLength) {
      // The library's own call with BERT's settings: pad to max_length and truncate.
      const out = tok._call(textA, {
        text_pair: textB,
        padding: 'max_length',
        truncation: true,
        max_length: maxSeqLength,
        return_tensor: false,
      });
      return {
        inputIds: out.input_ids,
        inputMask: out.attention_mask,
        segmentIds: out.token_type_ids ?? new Array<number>(out.input_ids.length).fill(0),
      };
    },
  };
}
