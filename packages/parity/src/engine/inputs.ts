import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NamedTensors } from '@bert-parity/core';
import { ParityError, preview } from '@bert-parity/core';
import { encodingFeeds } from '@bert-parity/runtime-base';
import type { BertTokenizer } from '@bert-parity/tokenizer';

export interface InputCase {
  id: string;
  /** The text encoded (text_a of a pair), and text_b of a pair (null: a single text). */
  text: string;
  textB: string | null;
  ids: number[];
  typeIds: number[];
  attentionMask: number[];
  label?: number;
}

export interface InputSet {
  /** Where the cases came from (path as given in the config). */
  source: string;
  sha256: string;
  cases: InputCase[];
  maxSeqLength: number;
  labelled: boolean;
}

function readLines(path: string, what: string): { text: string; records: unknown[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ParityError('E_IO', `cannot read ${what} ${path}: ${(cause as NodeJS.ErrnoException).code}`, { cause });
  }
  const records: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line));
    } catch {
      throw new ParityError('E_IO', `${path}:${i + 1}: not a JSON line; expected one JSON object per line`);
    }
  });
  return { text, records };
}

interface CorpusRecord {
  type: string;
  id: string;
  text?: string;
  text_a?: string;
  text_b?: string | null;
}

/**
 * A filter for corpus records of the listed types, checking the fields the encoder reads: a record of a
 * listed type without them is E_CONFIG naming it (records of other types, comments of a kind, pass by).
 */
function isCorpusRecord(types: readonly string[], shown: string) {
  return (raw: unknown, i: number): raw is CorpusRecord => {
    const r = raw as Partial<Record<keyof CorpusRecord, unknown>> | null;
    if (r === null || typeof r !== 'object' || !types.includes(r.type as string)) return false;
    const ok =
      typeof r.id === 'string' &&
      (r.type === 'pair'
        ? typeof r.text_a === 'string' && (r.text_b === null || r.text_b === undefined || typeof r.text_b === 'string')
        : typeof r.text === 'string');
    if (!ok) {
      throw new ParityError(
        'E_CONFIG',
        `inputs.corpus: ${shown} record ${i + 1} is ${preview(raw)}; expected {"type": "text", "id", "text"} or {"type": "pair", "id", "text_a", "text_b"} with string values`,
      );
    }
    return true;
  };
}

/** The first `count` records of the golden corpus whose type is listed, encoded at maxSeqLength. */
export function corpusInputs(
  path: string,
  shown: string,
  options: { count: number; types: readonly string[]; maxSeqLength: number },
  tokenizer: BertTokenizer,
): InputSet {
  const { text, records } = readLines(path, 'corpus');
  const chosen = records.filter(isCorpusRecord(options.types, shown)).slice(0, options.count);
  if (chosen.length === 0) {
    throw new ParityError('E_CONFIG', `inputs.corpus: ${shown} has no records of type ${options.types.join(' or ')}`);
  }
  const cases = chosen.map((r) => {
    const e =
      r.type === 'pair'
        ? tokenizer.encode(r.text_a ?? '', r.text_b ?? null, { maxSeqLength: options.maxSeqLength })
        : tokenizer.encode(r.text ?? '', null, { maxSeqLength: options.maxSeqLength });
    const text = r.type === 'pair' ? (r.text_a ?? '') : (r.text ?? '');
    const textB = r.type === 'pair' ? (r.text_b ?? null) : null;
    return { id: r.id, text, textB, ids: e.ids, typeIds: e.typeIds, attentionMask: e.attentionMask };
  });
  return { source: shown, sha256: sha(text), cases, maxSeqLength: options.maxSeqLength, labelled: false };
}

/** JSON lines of {text, label}: the first `count` rows, ids "label-<line>". */
export function labelledInputs(
  path: string,
  shown: string,
  options: { count: number; maxSeqLength: number },
  tokenizer: BertTokenizer,
): InputSet {
  return textLines(path, shown, options, tokenizer, 'labels');
}

/**
 * JSON lines of {text} with an optional integer label (the user's own texts): the first `count` rows,
 * ids "text-<line>". The set is labelled (task accuracy per cell) when every row has a label.
 */
export function textInputs(
  path: string,
  shown: string,
  options: { count: number; maxSeqLength: number },
  tokenizer: BertTokenizer,
): InputSet {
  return textLines(path, shown, options, tokenizer, 'texts');
}

function textLines(
  path: string,
  shown: string,
  options: { count: number; maxSeqLength: number },
  tokenizer: BertTokenizer,
  field: 'labels' | 'texts',
): InputSet {
  const { text, records } = readLines(path, field);
  const required = field === 'labels';
  const prefix = required ? 'label' : 'text';
  const cases: InputCase[] = records.slice(0, options.count).map((raw, i) => {
    const r = (raw ?? {}) as { text?: unknown; label?: unknown };
    const labelOk = r.label === undefined ? !required : Number.isInteger(r.label) && (r.label as number) >= 0;
    if (typeof r.text !== 'string' || !labelOk) {
      throw new ParityError(
        'E_CONFIG',
        `inputs.${field}: ${shown} record ${i + 1} is ${preview(raw)}; expected {"text": string, "label": integer >= 0}${required ? '' : ' (label optional)'}`,
      );
    }
    const e = tokenizer.encode(r.text, null, { maxSeqLength: options.maxSeqLength });
    const c: InputCase = {
      id: `${prefix}-${String(i + 1).padStart(5, '0')}`,
      text: r.text,
      textB: null,
      ids: e.ids,
      typeIds: e.typeIds,
      attentionMask: e.attentionMask,
    };
    if (r.label !== undefined) c.label = r.label as number;
    return c;
  });
  if (cases.length === 0) throw new ParityError('E_CONFIG', `inputs.${field}: ${shown} has no records`);
  const labelled = cases.every((c) => c.label !== undefined);
  return { source: shown, sha256: sha(text), cases, maxSeqLength: options.maxSeqLength, labelled };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Feeds for cases [from, to). */
export function feedsFor(set: InputSet, from: number, to: number): NamedTensors {
  return encodingFeeds(set.cases.slice(from, to));
}

/** attention_mask of cases [from, to), row-major. */
export function maskOf(set: InputSet, from: number, to: number): Int32Array {
  return Int32Array.from(set.cases.slice(from, to).flatMap((c) => c.attentionMask));
}
