import { readFileSync } from 'node:fs';
import { ParityError, preview } from '@bert-parity/core';

/**
 * The golden format of ../shared/golden-seed/README.md: JSON lines, a `meta` record first, then
 * `tokenize` records (BasicTokenizer output, FullTokenizer tokens and ids) and `encode` records
 * (run_classifier.py convert_single_example).
 */
export interface GoldenMeta {
  type: 'meta';
  reference: string;
  reference_commit: string;
  python: string;
  unicode: string;
  vocab: string;
  vocab_sha256: string;
  vocab_size: number;
  do_lower_case: boolean;
  max_input_chars_per_word: number;
  corpus: string;
  corpus_sha256: string;
}

export interface GoldenTokenizeCase {
  type: 'tokenize';
  id: string;
  text: string;
  basic_tokens: string[];
  tokens: string[];
  ids: number[];
}

export interface GoldenEncodeCase {
  type: 'encode';
  id: string;
  text_a: string;
  text_b: string | null;
  max_seq_length: number;
  input_ids: number[];
  input_mask: number[];
  segment_ids: number[];
}

export type GoldenCase = GoldenTokenizeCase | GoldenEncodeCase;

export interface GoldenFile {
  path: string;
  meta: GoldenMeta;
  cases: GoldenCase[];
}

function fail(path: string, line: number, what: string): never {
  throw new ParityError('E_GOLDEN_FORMAT', `${path}:${line}: ${what}`, { details: { path, line } });
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isIntArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));

/** Parses golden JSON lines; every record is checked for the fields the format promises. */
export function parseGolden(text: string, path = '<golden>'): GoldenFile {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) fail(path, 1, 'empty file, expected a meta record on the first line');
  let meta: GoldenMeta | undefined;
  const cases: GoldenCase[] = [];
  lines.forEach((line, index) => {
    const n = index + 1;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch (cause) {
      fail(path, n, `not JSON (${(cause as Error).message})`);
    }
    if (typeof rec !== 'object' || rec === null) fail(path, n, 'expected a JSON object');
    if (index === 0) {
      if (rec.type !== 'meta') fail(path, n, `expected the meta record first, got type ${preview(rec.type)}`);
      for (const key of ['unicode', 'vocab', 'vocab_sha256', 'corpus', 'corpus_sha256'] as const) {
        if (typeof rec[key] !== 'string') fail(path, n, `meta.${key} must be a string`);
      }
      if (typeof rec.do_lower_case !== 'boolean') fail(path, n, 'meta.do_lower_case must be a boolean');
      if (!Number.isInteger(rec.max_input_chars_per_word))
        fail(path, n, 'meta.max_input_chars_per_word must be an integer');
      meta = rec as unknown as GoldenMeta;
      return;
    }
    if (typeof rec.id !== 'string') fail(path, n, 'record without a string id');
    if (rec.type === 'tokenize') {
      if (typeof rec.text !== 'string') fail(path, n, `${rec.id}: text must be a string`);
      if (!isStringArray(rec.basic_tokens) || !isStringArray(rec.tokens) || !isIntArray(rec.ids)) {
        fail(path, n, `${rec.id}: basic_tokens/tokens must be string arrays and ids an integer array`);
      }
      cases.push(rec as unknown as GoldenTokenizeCase);
    } else if (rec.type === 'encode') {
      if (typeof rec.text_a !== 'string' || !(rec.text_b === null || typeof rec.text_b === 'string')) {
        fail(path, n, `${rec.id}: text_a must be a string and text_b a string or null`);
      }
      if (!Number.isInteger(rec.max_seq_length)) fail(path, n, `${rec.id}: max_seq_length must be an integer`);
      if (!isIntArray(rec.input_ids) || !isIntArray(rec.input_mask) || !isIntArray(rec.segment_ids)) {
        fail(path, n, `${rec.id}: input_ids/input_mask/segment_ids must be integer arrays`);
      }
      cases.push(rec as unknown as GoldenEncodeCase);
    } else {
      fail(path, n, `unknown record type ${preview(rec.type)}`);
    }
  });
  if (meta === undefined) fail(path, 1, 'no meta record');
  return { path, meta, cases };
}

export function readGoldenFile(path: string): GoldenFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ParityError('E_IO', `cannot read golden file ${path}: ${(cause as Error).message}`, { cause });
  }
  return parseGolden(text, path);
}
