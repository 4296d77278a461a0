import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { thrown } from '@bert-parity/core/testing';
import { describe, expect, it } from 'vitest';
import { BertTokenizer, type GoldenFile, parseGolden, readGoldenFile, Vocabulary, verifyGolden } from '../src/index.ts';
import { GOLDEN, HAVE_SEED, SEED, SEED_MISSING } from './paths.ts';

function tokenizerFor(golden: GoldenFile, vocabDir: string): BertTokenizer {
  const vocab = Vocabulary.fromFile(resolve(vocabDir, `${golden.meta.vocab}.txt`));
  expect(vocab.size).toBe(golden.meta.vocab_size);
  return new BertTokenizer(vocab, {
    lowercase: golden.meta.do_lower_case,
    unicodeVersion: golden.meta.unicode,
    maxInputCharsPerWord: golden.meta.max_input_chars_per_word,
  });
}

function expectFullAgreement(file: string, vocabDir: string) {
  const golden = readGoldenFile(file);
  const report = verifyGolden(tokenizerFor(golden, vocabDir).asImpl(), golden);
  // Every record counts: 3,096 tokenize + 300 encode cases in the dev files.
  expect(report.cases).toBe(golden.cases.length);
  expect(report.mismatches.slice(0, 3)).toEqual([]);
  expect(report.agree).toBe(golden.cases.length);
}

describe('reference goldens committed in golden/tokenizer', () => {
  const files = readdirSync(resolve(GOLDEN, 'tokenizer')).filter((f) => f.endsWith('.jsonl'));
  it('has at least the fixture vocabulary golden', () => {
    expect(files).toContain('fixture-uncased.lower.dev.jsonl');
  });
  for (const name of files) {
    it(`${name}: basic_tokens, tokens, ids and encodings all equal the reference`, () => {
      expectFullAgreement(resolve(GOLDEN, 'tokenizer', name), resolve(GOLDEN, 'vocab'));
    });
  }
});

describe.skipIf(!HAVE_SEED)(
  `public-vocabulary goldens in ../shared/golden-seed${HAVE_SEED ? '' : ` (skipped: ${SEED_MISSING})`}`,
  () => {
    const files = HAVE_SEED ? readdirSync(resolve(SEED, 'tokenizer')).filter((f) => f.endsWith('.jsonl')) : [];
    it('finds the five seed goldens', () => {
      expect(files.length).toBeGreaterThanOrEqual(5);
    });
    for (const name of files) {
      it(`${name}: every record equals the reference`, () => {
        expectFullAgreement(resolve(SEED, 'tokenizer', name), resolve(SEED, 'vocab'));
      });
    }
  },
);

describe('verifyGolden reports mismatches precisely', () => {
  const vocab = Vocabulary.fromText(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'world', ',', '##s'].join('\n'));
  const meta = {
    type: 'meta',
    reference: 'test',
    reference_commit: 'x',
    python: '3.11.7',
    unicode: '14.0.0',
    vocab: 'v',
    vocab_sha256: 'x',
    vocab_size: 8,
    do_lower_case: true,
    max_input_chars_per_word: 200,
    corpus: 'c',
    corpus_sha256: 'x',
  };
  const lines = [
    meta,
    {
      type: 'tokenize',
      id: 'ok',
      text: 'Hello, worlds',
      basic_tokens: ['hello', ',', 'worlds'],
      tokens: ['hello', ',', 'world', '##s'],
      ids: [4, 6, 5, 7],
    },
    {
      type: 'tokenize',
      id: 'bad-ids',
      text: 'hello world',
      basic_tokens: ['hello', 'world'],
      tokens: ['hello', 'world'],
      ids: [4, 4],
    },
    {
      type: 'encode',
      id: 'bad-mask',
      text_a: 'hello',
      text_b: 'world',
      max_seq_length: 6,
      input_ids: [2, 4, 3, 5, 3, 0],
      input_mask: [1, 1, 1, 1, 1, 1],
      segment_ids: [0, 0, 0, 1, 1, 0],
    },
  ];
  const golden = parseGolden(lines.map((l) => JSON.stringify(l)).join('\n'), 'mini.jsonl');
  const report = verifyGolden(new BertTokenizer(vocab).asImpl(), golden);

  it('counts agreeing cases and names the first differing field and index', () => {
    expect(report.cases).toBe(3);
    expect(report.agree).toBe(1);
    expect(report.mismatches).toEqual([
      { id: 'bad-ids', text: 'hello world', field: 'ids', want: [4, 4], got: [4, 5], firstDiff: 1 },
      {
        id: 'bad-mask',
        text: 'hello ||| world',
        field: 'input_mask',
        want: [1, 1, 1, 1, 1, 1],
        got: [1, 1, 1, 1, 1, 0],
        firstDiff: 5,
      },
    ]);
  });

  it('turns an exception of the implementation into a mismatch on field "error"', () => {
    const throwing = {
      name: 'boom',
      tokenize: () => {
        throw new Error('kaput');
      },
    };
    const r = verifyGolden(throwing, golden);
    expect(r.cases).toBe(2); // encode cases are not counted for an implementation that cannot encode
    expect(r.mismatches.map((m) => [m.id, m.field, m.got])).toEqual([
      ['ok', 'error', 'Error: kaput'],
      ['bad-ids', 'error', 'Error: kaput'],
    ]);
  });
});

describe('golden file format errors are coded', () => {
  it.each([
    ['', /^g\.jsonl:1: empty file, expected a meta record on the first line$/],
    ['{"type":"tokenize"}', /^g\.jsonl:1: expected the meta record first, got type "tokenize"$/],
    ['not json', /^g\.jsonl:1: not JSON \(.*\)$/],
    [
      `${JSON.stringify({ type: 'meta', unicode: '14.0.0', vocab: 'v', vocab_sha256: 'x', corpus: 'c', corpus_sha256: 'x', do_lower_case: true, max_input_chars_per_word: 200 })}\n{"type":"tokenize","id":"a","text":"x","basic_tokens":["x"],"tokens":"x","ids":[1]}`,
      /^g\.jsonl:2: a: basic_tokens\/tokens must be string arrays and ids an integer array$/,
    ],
    [
      `${JSON.stringify({ type: 'meta', unicode: '14.0.0', vocab: 'v', vocab_sha256: 'x', corpus: 'c', corpus_sha256: 'x', do_lower_case: true, max_input_chars_per_word: 200 })}\n{"type":"other","id":"a"}`,
      /^g\.jsonl:2: unknown record type "other"$/,
    ],
  ])('%j', (text, message) => {
    const e = thrown(() => parseGolden(text, 'g.jsonl'));
    expect(e.code).toBe('E_GOLDEN_FORMAT');
    expect(e.message).toMatch(message);
  });
});
