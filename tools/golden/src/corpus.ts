import { existsSync } from 'node:fs';
import { ParityError } from '@bert-parity/core';
import { abs, CORPUS_NAME, PATHS, readText, writeAtomic } from './layout.ts';

export type NewCase =
  | { kind: 'text'; text: string }
  | { kind: 'pair'; textA: string; textB: string | null; maxSeqLength: number };

export interface AddedCase {
  id: string;
  /** Root-relative corpus path. */
  corpus: string;
  created: boolean;
  line: string;
}

export const corpusPath = (name: string) => `${PATHS.golden}/corpus.${name}.jsonl`;

function loneSurrogate(text: string): number | null {
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) return cp;
  }
  return null;
}

/**
 * Appends a case to golden/corpus.<name>.jsonl (created if needed) with the next free id `<name>-NNNN`.
 * The line is written as the generator's Python writes JSON (same key order, no spaces, non-ASCII kept).
 */
export function addCase(root: string, name: string, c: NewCase): AddedCase {
  if (!CORPUS_NAME.test(name)) {
    throw new ParityError(
      'E_USAGE',
      `corpus name ${JSON.stringify(name)} is not usable; expected letters, digits, _ and - (e.g. regress)`,
    );
  }
  const rel = corpusPath(name);
  const path = abs(root, rel);
  const texts = c.kind === 'text' ? [c.text] : [c.textA, c.textB ?? ''];
  for (const t of texts) {
    const bad = loneSurrogate(t);
    if (bad !== null) {
      throw new ParityError(
        'E_INPUT_TEXT',
        `text contains the lone surrogate U+${bad.toString(16).toUpperCase()}; goldens are UTF-8 and cannot hold it`,
      );
    }
  }
  if (c.kind === 'pair' && (!Number.isInteger(c.maxSeqLength) || c.maxSeqLength < 3)) {
    throw new ParityError(
      'E_USAGE',
      `--max-seq-length ${c.maxSeqLength} is too small for a pair; expected an integer >= 3`,
    );
  }
  const created = !existsSync(path);
  const existing = created ? '' : readText(path, 'corpus');
  const lines = existing.split('\n').filter((l) => l !== '');
  const idPattern = new RegExp(`^${name}-(\\d+)$`);
  let next = 1;
  lines.forEach((line, i) => {
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch (cause) {
      throw new ParityError('E_GOLDEN_FORMAT', `${rel}:${i + 1}: not JSON (${(cause as Error).message})`, { cause });
    }
    const m = typeof rec.id === 'string' ? idPattern.exec(rec.id) : null;
    if (m !== null) next = Math.max(next, Number(m[1]) + 1);
    const same =
      c.kind === 'text'
        ? rec.type === 'text' && rec.text === c.text
        : rec.type === 'pair' &&
          rec.text_a === c.textA &&
          rec.text_b === c.textB &&
          rec.max_seq_length === c.maxSeqLength;
    if (same) {
      throw new ParityError(
        'E_CORPUS_DUPLICATE',
        `${rel} already has this ${c.kind} as case ${String(rec.id)} (line ${i + 1}); expected a new case`,
        {
          details: { id: rec.id },
        },
      );
    }
  });
  const id = `${name}-${String(next).padStart(4, '0')}`;
  const record =
    c.kind === 'text'
      ? { type: 'text', id, text: c.text }
      : { type: 'pair', id, text_a: c.textA, text_b: c.textB, max_seq_length: c.maxSeqLength };
  // JSON.stringify and Python's json.dumps(ensure_ascii=False, separators=(",", ":")) agree on strings
  // without lone surrogates: the same short escapes, \u00XX for other controls, everything else literal.
  const line = JSON.stringify(record);
  const prefix = existing === '' || existing.endsWith('\n') ? existing : `${existing}\n`;
  writeAtomic(path, `${prefix}${line}\n`);
  return { id, corpus: rel, created, line };
}
