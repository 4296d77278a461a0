import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  encodeNpy,
  isParityError,
  type OutputGoldenHeader,
  parseOutputGoldenIndex,
  readOutputGoldens,
  sha256Hex,
  writeOutputGoldens,
} from '../src/index.ts';

const SHA_A = 'a'.repeat(64);
const HEADER: OutputGoldenHeader = {
  model: { name: 'tiny-bert', format: 'onnx', sha256: SHA_A },
  precision: 'float32',
  producer: { name: 'fixtures float64 forward pass', version: '0.1.0' },
  inputs: {
    corpus: 'corpus.dev.jsonl',
    corpus_sha256: 'b'.repeat(64),
    vocab: 'fixture-uncased',
    vocab_sha256: 'c'.repeat(64),
    do_lower_case: true,
    max_seq_length: 8,
  },
};

const hidden = { dtype: 'float32', shape: [1, 2], data: Float32Array.of(0.5, -1) } as const;
const pooled = { dtype: 'float16', shape: [2], data: Uint16Array.of(0x3c00, 0) } as const;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outputs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function caught(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('writeOutputGoldens / readOutputGoldens', () => {
  it('writes one .npy per case and output plus a sorted index that ties them together', () => {
    const index = writeOutputGoldens(dir, HEADER, [
      { case: 'dev-edge-0001', output: 'pooler_output', array: pooled },
      { case: 'dev-edge-0000', output: 'last_hidden_state', array: hidden },
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      'dev-edge-0000.last_hidden_state.npy',
      'dev-edge-0001.pooler_output.npy',
      'index.json',
    ]);
    expect(index.entries).toEqual([
      {
        case: 'dev-edge-0000',
        output: 'last_hidden_state',
        file: 'dev-edge-0000.last_hidden_state.npy',
        dtype: 'float32',
        shape: [1, 2],
        sha256: sha256Hex(encodeNpy(hidden)),
      },
      {
        case: 'dev-edge-0001',
        output: 'pooler_output',
        file: 'dev-edge-0001.pooler_output.npy',
        dtype: 'float16',
        shape: [2],
        sha256: sha256Hex(encodeNpy(pooled)),
      },
    ]);
    const text = readFileSync(join(dir, 'index.json'), 'utf8');
    expect(text).toBe(`${JSON.stringify(index, null, 2)}\n`);
    expect(Object.keys(JSON.parse(text))).toEqual([
      'format',
      'version',
      'model',
      'precision',
      'producer',
      'inputs',
      'entries',
    ]);

    const loaded = readOutputGoldens(join(dir, 'index.json'));
    expect(loaded.index).toEqual(index);
    const [first, second] = loaded.index.entries;
    expect(loaded.load(first as never)).toEqual(hidden);
    expect(loaded.load(second as never)).toEqual(pooled);
  });

  it('is deterministic', () => {
    const arrays = [{ case: 'c1', output: 'o', array: hidden }];
    writeOutputGoldens(dir, HEADER, arrays);
    const once = readFileSync(join(dir, 'index.json'));
    writeOutputGoldens(dir, HEADER, arrays);
    expect(readFileSync(join(dir, 'index.json')).equals(once)).toBe(true);
  });

  it('refuses a hand-edited array, naming the file', () => {
    writeOutputGoldens(dir, HEADER, [{ case: 'c1', output: 'o', array: hidden }]);
    const file = join(dir, 'c1.o.npy');
    const recorded = sha256Hex(readFileSync(file));
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    writeFileSync(file, bytes);
    const loaded = readOutputGoldens(join(dir, 'index.json'));
    const err = caught(() => loaded.load(loaded.index.entries[0] as never));
    expect(isParityError(err, 'E_GOLDEN_STALE')).toBe(true);
    expect(err.message).toBe(
      `${file}: sha256 ${sha256Hex(bytes)} differs from ${recorded} recorded in ${join(dir, 'index.json')}`,
    );
  });

  it('refuses an index whose dtype or shape disagrees with the array', () => {
    writeOutputGoldens(dir, HEADER, [{ case: 'c1', output: 'o', array: hidden }]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    index.entries[0].shape = [2, 1];
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    const loaded = readOutputGoldens(join(dir, 'index.json'));
    expect(caught(() => loaded.load(loaded.index.entries[0] as never)).message).toBe(
      `${join(dir, 'c1.o.npy')}: holds float32 [1, 2], ${join(dir, 'index.json')} says float32 [2, 1]`,
    );
  });

  it('refuses duplicate and unnameable outputs', () => {
    const twice = caught(() =>
      writeOutputGoldens(dir, HEADER, [
        { case: 'c1', output: 'o', array: hidden },
        { case: 'c1', output: 'o', array: hidden },
      ]),
    );
    expect([twice.code, twice.message]).toEqual([
      'E_USAGE',
      'output o of case c1 is given twice; expected one array each',
    ]);
    const slash = caught(() => writeOutputGoldens(dir, HEADER, [{ case: '../x', output: 'o', array: hidden }]));
    expect(slash.message).toBe('case id "../x" cannot name a file; expected [A-Za-z0-9_-] only');
  });
});

describe('parseOutputGoldenIndex', () => {
  const valid = () => ({
    format: 'bert-parity-output-goldens',
    version: 1,
    ...structuredClone(HEADER),
    entries: [{ case: 'c1', output: 'o', file: 'c1.o.npy', dtype: 'float32', shape: [1], sha256: SHA_A }],
  });

  it('accepts a valid index', () => {
    expect(parseOutputGoldenIndex(JSON.stringify(valid()), 'i.json').entries).toHaveLength(1);
  });

  /** Sets obj[path[0]][path[1]]... = value on plain JSON data. */
  const set = (obj: unknown, path: (string | number)[], value: unknown) => {
    const parent = path.slice(0, -1).reduce((o, k) => (o as Record<string | number, unknown>)[k], obj);
    (parent as Record<string | number, unknown>)[path.at(-1) as string | number] = value;
  };

  it.each([
    ['format', ['format'], 'other', 'i.json: format is "other"; expected "bert-parity-output-goldens"'],
    ['version', ['version'], 2, 'i.json: version is 2; expected 1'],
    [
      'precision',
      ['precision'],
      'bf16',
      'i.json: precision is "bf16"; expected one of float64, float32, float16, int8, mixed',
    ],
    ['model sha', ['model', 'sha256'], 'xyz', 'i.json: model.sha256 "xyz" is not a sha256 hex digest'],
    ['producer', ['producer', 'version'], '', 'i.json: producer.version must be a non-empty string, got ""'],
    ['max_seq_length', ['inputs', 'max_seq_length'], 1, 'i.json: inputs.max_seq_length is 1; expected an integer >= 2'],
    ['file name', ['entries', 0, 'file'], 'other.npy', 'i.json: entries[0].file is "other.npy"; expected "c1.o.npy"'],
    [
      'dtype',
      ['entries', 0, 'dtype'],
      'complex64',
      'i.json: entries[0].dtype is "complex64"; expected one of float16, float32, float64, int8, uint8, int32, int64, bool',
    ],
    ['shape', ['entries', 0, 'shape'], [-1], 'i.json: entries[0].shape is [-1]; expected an array of integers >= 0'],
    ['duplicate', ['entries', 1], valid().entries[0], 'i.json: entries[1]: c1.o.npy is listed twice'],
  ] as const)('refuses a bad %s', (_name, path, value, message) => {
    const x = valid();
    set(x, [...path], value);
    const err = caught(() => parseOutputGoldenIndex(JSON.stringify(x), 'i.json'));
    expect([err.code, err.message]).toEqual(['E_GOLDEN_FORMAT', message]);
  });
});
