import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { coded } from '@bert-parity/core/testing';
import { BertTokenizer, Vocabulary } from '@bert-parity/tokenizer';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusInputs, labelledInputs } from '../src/engine/index.ts';
import { REPO_ROOT } from '../src/paths.ts';

/** Input files found by pnpm fuzz that crashed the encoder or its error message, now coded errors. */
const dir = mkdtempSync(join(tmpdir(), 'bp-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tokenizer = new BertTokenizer(Vocabulary.fromFile(resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt')), {
  lowercase: true,
});
const file = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};
const corpus = (lines: string[]) =>
  Promise.resolve().then(() =>
    corpusInputs(
      file('c.jsonl', lines),
      'c.jsonl',
      { count: 10, types: ['text', 'pair'], maxSeqLength: 16 },
      tokenizer,
    ),
  );
const labels = (lines: string[]) =>
  Promise.resolve().then(() =>
    labelledInputs(file('l.jsonl', lines), 'l.jsonl', { count: 10, maxSeqLength: 16 }, tokenizer),
  );

describe('corpus and labels files found by pnpm fuzz', () => {
  it('a corpus record of a listed type without its string fields is E_CONFIG (it was a TypeError in the tokenizer)', async () => {
    const e = await coded(corpus(['{"type":"text","id":"a","text":"fine"}', '{"type":"text","id":"b","text":5}']));
    expect([e.code, e.message]).toEqual([
      'E_CONFIG',
      'inputs.corpus: c.jsonl record 2 is {"type":"text","id":"b","text":5}; expected {"type": "text", "id", "text"} or {"type": "pair", "id", "text_a", "text_b"} with string values',
    ]);
    const pair = await coded(corpus(['{"type":"pair","id":"p","text_a":"x","text_b":[]}']));
    expect(pair.message).toMatch(
      /^inputs\.corpus: c\.jsonl record 1 is \{"type":"pair","id":"p","text_a":"x","text_b":\[\]\}; /,
    );
  });

  it('records of other types, null among them, are passed over as before', async () => {
    const set = await corpus(['null', '[]', '{"type":"meta"}', '{"type":"text","id":"a","text":"hello"}']);
    expect(set.cases.map((c) => c.id)).toEqual(['a']);
  });

  it('a null labels record is E_CONFIG (it was a TypeError), a deeply nested one is shown cut short', async () => {
    const e = await coded(labels(['null']));
    expect([e.code, e.message]).toEqual([
      'E_CONFIG',
      'inputs.labels: l.jsonl record 1 is null; expected {"text": string, "label": integer >= 0}',
    ]);
    const deep = await coded(labels([`${'['.repeat(100_000)}${']'.repeat(100_000)}`]));
    expect(deep.message).toBe(
      `inputs.labels: l.jsonl record 1 is ${'['.repeat(80)}…; expected {"text": string, "label": integer >= 0}`,
    );
  });
});
