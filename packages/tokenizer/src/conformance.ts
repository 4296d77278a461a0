import type { GoldenCase, GoldenFile } from './golden.ts';

/**
 * Anything that tokenizes like BERT can be measured against the goldens: our tokenizer under a profile,
 * Hugging Face tokenizers, transformers.js, an app's Java port. Optional parts are compared when present.
 */
export interface TokenizerImpl {
  readonly name: string;
  /** FullTokenizer.tokenize: WordPiece tokens and their ids; basicTokens when the implementation exposes them. */
  tokenize(text: string): { tokens: string[]; ids: number[]; basicTokens?: string[] };
  /** convert_single_example; absent when the implementation has no equivalent. */
  encode?(
    textA: string,
    textB: string | null,
    maxSeqLength: number,
  ): { inputIds: number[]; inputMask: number[]; segmentIds: number[] };
}

export interface CaseMismatch {
  id: string;
  /** The input: `text` for tokenize cases, `text_a` + " ||| " + `text_b` for encode cases. */
  text: string;
  /** Which field differs first (basic_tokens, tokens, ids, input_ids, input_mask, segment_ids, error). */
  field: string;
  want: unknown;
  got: unknown;
  /** Index of the first differing element of `field` (-1 when lengths differ only, or on error). */
  firstDiff: number;
}

export interface ConformanceReport {
  golden: string;
  impl: string;
  cases: number;
  agree: number;
  /** All mismatches; printers cut the list. */
  mismatches: CaseMismatch[];
}

function firstDifference(a: readonly unknown[], b: readonly unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function compareCase(impl: TokenizerImpl, c: GoldenCase): CaseMismatch | null {
  if (c.type === 'tokenize') {
    const got = impl.tokenize(c.text);
    const fields: [string, unknown[], unknown[] | undefined][] = [
      ['basic_tokens', c.basic_tokens, got.basicTokens],
      ['tokens', c.tokens, got.tokens],
      ['ids', c.ids, got.ids],
    ];
    for (const [field, want, have] of fields) {
      if (have === undefined) continue;
      const at = firstDifference(want, have);
      if (at !== -1) return { id: c.id, text: c.text, field, want, got: have, firstDiff: at };
    }
    return null;
  }
  const text = c.text_b === null ? c.text_a : `${c.text_a} ||| ${c.text_b}`;
  if (impl.encode === undefined) return null;
  const got = impl.encode(c.text_a, c.text_b, c.max_seq_length);
  const fields: [string, number[], number[]][] = [
    ['input_ids', c.input_ids, got.inputIds],
    ['input_mask', c.input_mask, got.inputMask],
    ['segment_ids', c.segment_ids, got.segmentIds],
  ];
  for (const [field, want, have] of fields) {
    const at = firstDifference(want, have);
    if (at !== -1) return { id: c.id, text, field, want, got: have, firstDiff: at };
  }
  return null;
}

/**
 * Runs every case of a golden file through an implementation. A case whose implementation throws is a
 * mismatch on field `error`, so one bad case never hides the others. Encode cases are counted only when
 * the implementation can encode.
 */
export function verifyGolden(impl: TokenizerImpl, golden: GoldenFile): ConformanceReport {
  const mismatches: CaseMismatch[] = [];
  let cases = 0;
  for (const c of golden.cases) {
    if (c.type === 'encode' && impl.encode === undefined) continue;
    cases++;
    let mismatch: CaseMismatch | null;
    try {
      mismatch = compareCase(impl, c);
    } catch (error) {
      const text = c.type === 'tokenize' ? c.text : c.text_a;
      mismatch = { id: c.id, text, field: 'error', want: null, got: String(error), firstDiff: -1 };
    }
    if (mismatch !== null) mismatches.push(mismatch);
  }
  return { golden: golden.path, impl: impl.name, cases, agree: cases - mismatches.length, mismatches };
}
