import { ParityError } from '@bert-parity/core';
import { BasicScanner, type BasicSink } from './basic.ts';
import { assertEngineCanNormalize, classTable } from './classes.ts';
import type { TokenizerImpl } from './conformance.ts';
import { type ResolvedOptions, resolveOptions, type TokenizerOptions } from './profiles.ts';
import { getUnicodeTables } from './unicode/index.ts';
import { Vocabulary } from './vocab.ts';
import { WordPiece } from './wordpiece.ts';

/** A span [start, end) in UTF-16 code units of the text the token came from. */
export type Offset = [start: number, end: number];

export interface TokenizedText {
  tokens: string[];
  ids: number[];
  /** UTF-16 code-unit spans into the input text (JavaScript string indices). */
  offsets: Offset[];
}

/**
 * One encoded example, as run_classifier.py's convert_single_example builds it:
 * [CLS] a [SEP] (b [SEP]), zero-padded to maxSeqLength.
 */
export interface Encoding {
  ids: number[];
  tokens: string[];
  /** Segment ids: 0 for [CLS], text a and its [SEP]; 1 for text b and its [SEP]; 0 for padding. */
  typeIds: number[];
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[];
  /**
   * UTF-16 code-unit spans into the token's own text (text a where typeIds is 0, text b where it is 1);
   * [0, 0] for [CLS], [SEP] and padding.
   */
  offsets: Offset[];
  /** How many tokens each text lost to truncation. */
  truncated: { a: number; b: number };
}

export interface EncodeOptions {
  /** Total length including [CLS]/[SEP]; the output is padded (with id 0, as the reference) to this length. */
  maxSeqLength: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A BERT tokenizer: BasicTokenizer + WordPiece + the classifier input encoding, under a profile. */
export class BertTokenizer {
  readonly vocab: Vocabulary;
  readonly options: ResolvedOptions;
  private readonly scanner: BasicScanner;
  private readonly wordpiece: WordPiece;
  /** hf-slow: special tokens written in the text are kept whole. */
  private readonly specialPattern: RegExp | null;

  constructor(vocab: Vocabulary, options: TokenizerOptions = {}) {
    this.vocab = vocab;
    this.options = resolveOptions(options);
    const tables = getUnicodeTables(this.options.unicodeVersion);
    if (this.options.lowercase || this.options.stripAccents || this.options.nfc) assertEngineCanNormalize(tables);
    this.scanner = new BasicScanner(this.options, tables, classTable(this.options, tables));
    this.wordpiece = new WordPiece(
      vocab,
      this.options.unkToken,
      this.options.continuingSubwordPrefix,
      this.options.maxInputCharsPerWord,
    );
    const o = this.options;
    const specials = [o.unkToken, o.sepToken, o.padToken, o.clsToken, o.maskToken].sort((a, b) => b.length - a.length);
    this.specialPattern = o.specialTokensInText ? new RegExp(specials.map(escapeRegExp).join('|'), 'g') : null;
  }

  static fromVocabFile(path: string, options: TokenizerOptions = {}): BertTokenizer {
    return new BertTokenizer(Vocabulary.fromFile(path), options);
  }

  /** Runs the basic tokenizer over the text, honouring hf-slow's whole special tokens. */
  private scan(text: string, sink: BasicSink): void {
    const pattern = this.specialPattern;
    if (pattern === null) {
      this.scanner.scan(text, sink);
      return;
    }
    let last = 0;
    for (const m of text.matchAll(pattern)) {
      const at = m.index;
      this.scanner.scan(text, sink, last, at);
      sink(m[0], at, at + m[0].length, null, null, 0);
      last = at + m[0].length;
    }
    this.scanner.scan(text, sink, last, text.length);
  }

  private specialId(token: string): number {
    const id = this.vocab.id(token);
    if (id === undefined) {
      throw new ParityError(
        'E_VOCAB_MISSING_TOKEN',
        `vocabulary ${this.vocab.info.source} has no ${JSON.stringify(token)} token, which encoding needs`,
      );
    }
    return id;
  }

  /** BasicTokenizer.tokenize: the words and punctuation before WordPiece. */
  basicTokenize(text: string): string[] {
    const out: string[] = [];
    this.scan(text, (token) => {
      out.push(token);
    });
    return out;
  }

  /** FullTokenizer.tokenize: WordPiece tokens. */
  tokenize(text: string): string[] {
    const out: string[] = [];
    this.scan(text, (token) => {
      for (const t of this.wordpiece.split(token).tokens) out.push(t);
    });
    return out;
  }

  /** FullTokenizer.tokenize followed by convert_tokens_to_ids, without building token strings twice. */
  tokenizeToIds(text: string): number[] {
    const out: number[] = [];
    const wp = this.wordpiece;
    this.scan(text, (token) => {
      const ids = wp.split(token).ids;
      for (let k = 0; k < ids.length; k++) out.push(ids[k] as number);
    });
    return out;
  }

  /** Tokens, ids and each token's span in the input text (UTF-16 code units). */
  tokenizeWithOffsets(text: string): TokenizedText {
    const tokens: string[] = [];
    const ids: number[] = [];
    const offsets: Offset[] = [];
    this.scan(text, (token, start, end, starts, ends, shift) => {
      const p = this.wordpiece.split(token);
      for (let k = 0; k < p.ids.length; k++) {
        tokens.push(p.tokens[k] as string);
        ids.push(p.ids[k] as number);
        const a = p.bounds[k] as number;
        const b = p.bounds[k + 1] as number;
        if (starts === null || ends === null) {
          offsets.push([start + a, start + b]);
        } else {
          // Spans are per code point; map the piece's UTF-16 bounds to code point indexes.
          const cpA = cpIndex(token, a);
          const cpB = cpIndex(token, b);
          offsets.push(cpB > cpA ? [(starts[cpA] as number) + shift, (ends[cpB - 1] as number) + shift] : [start, end]);
        }
      }
    });
    return { tokens, ids, offsets };
  }

  /**
   * run_classifier.py convert_single_example: tokenize both texts, truncate the pair by popping from the
   * longer one (from b on ties) until it fits, add [CLS]/[SEP], pad with zeros to maxSeqLength. As in the
   * reference, a text_b that is empty (or tokenizes to nothing) gives a single-text encoding.
   */
  encode(textA: string, textB: string | null = null, options: EncodeOptions): Encoding {
    const max = options.maxSeqLength;
    const pair = textB !== null && textB !== '';
    if (!Number.isInteger(max) || max < 2) {
      throw new ParityError('E_ENCODE_LENGTH', `maxSeqLength must be an integer ≥ 2, got ${max}`);
    }
    const a = this.tokenizeWithOffsets(textA);
    const b = pair ? this.tokenizeWithOffsets(textB) : null;
    const hasB = b !== null && b.ids.length > 0;
    if (hasB && max < 3) {
      throw new ParityError('E_ENCODE_LENGTH', `maxSeqLength ${max} cannot hold [CLS] a [SEP] b [SEP]; need ≥ 3`);
    }
    const lenA0 = a.ids.length;
    const lenB0 = hasB ? b.ids.length : 0;
    let lenA = lenA0;
    let lenB = lenB0;
    if (hasB) {
      while (lenA + lenB > max - 3) {
        if (lenA > lenB) lenA--;
        else lenB--;
      }
    } else if (lenA > max - 2) {
      lenA = max - 2;
    }
    const cls = this.specialId(this.options.clsToken);
    const sep = this.specialId(this.options.sepToken);
    const enc: Encoding = {
      ids: [cls],
      tokens: [this.options.clsToken],
      typeIds: [0],
      attentionMask: [1],
      offsets: [[0, 0]],
      truncated: { a: lenA0 - lenA, b: lenB0 - lenB },
    };
    const append = (t: TokenizedText, n: number, typeId: number) => {
      for (let i = 0; i < n; i++) {
        enc.ids.push(t.ids[i] as number);
        enc.tokens.push(t.tokens[i] as string);
        enc.typeIds.push(typeId);
        enc.attentionMask.push(1);
        enc.offsets.push(t.offsets[i] as Offset);
      }
      enc.ids.push(sep);
      enc.tokens.push(this.options.sepToken);
      enc.typeIds.push(typeId);
      enc.attentionMask.push(1);
      enc.offsets.push([0, 0]);
    };
    append(a, lenA, 0);
    if (hasB) append(b, lenB, 1);
    while (enc.ids.length < max) {
      enc.ids.push(0);
      enc.tokens.push(this.options.padToken);
      enc.typeIds.push(0);
      enc.attentionMask.push(0);
      enc.offsets.push([0, 0]);
    }
    return enc;
  }

  convertTokensToIds(tokens: readonly string[]): number[] {
    return tokens.map((t) => {
      const id = this.vocab.id(t);
      if (id === undefined) {
        throw new ParityError('E_VOCAB_MISSING_TOKEN', `token ${JSON.stringify(t)} is not in the vocabulary`);
      }
      return id;
    });
  }

  convertIdsToTokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.vocab.token(id) ?? this.options.unkToken);
  }

  /**
   * Joins WordPiece tokens back into text: pieces are separated by spaces and "##" continuations are glued
   * to the previous piece (as Hugging Face's convert_tokens_to_string). Normalization is not undone.
   */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    const o = this.options;
    const specials = new Set([o.clsToken, o.sepToken, o.padToken, o.unkToken, o.maskToken]);
    const prefix = o.continuingSubwordPrefix;
    let out = '';
    for (const token of this.convertIdsToTokens(ids)) {
      if (options.skipSpecialTokens && specials.has(token) && token !== o.unkToken) continue;
      if (out !== '' && prefix !== '' && token.startsWith(prefix)) out += token.slice(prefix.length);
      else out += out === '' ? token : ` ${token}`;
    }
    return out;
  }

  /** This tokenizer as a conformance implementation (basic tokens, tokens, ids and encodings). */
  asImpl(name = `bert-parity/${this.options.profile}`): TokenizerImpl {
    return {
      name,
      tokenize: (text) => {
        const tokens = this.tokenize(text);
        return { basicTokens: this.basicTokenize(text), tokens, ids: this.convertTokensToIds(tokens) };
      },
      encode: (textA, textB, maxSeqLength) => {
        const e = this.encode(textA, textB, { maxSeqLength });
        return { inputIds: e.ids, inputMask: e.attentionMask, segmentIds: e.typeIds };
      },
    };
  }
}

/** Index of the code point that starts at UTF-16 index `unit` of s. */
function cpIndex(s: string, unit: number): number {
  let n = 0;
  for (let i = 0; i < unit; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
