import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { ParityError } from './errors.ts';
import { decodeNpy, encodeNpy, type NpyArray, type NpyDType } from './npy.ts';
import { preview } from './preview.ts';

/**
 * Reference model outputs on disk: one `.npy` file per (input case, output tensor) plus an `index.json`
 * that says which model, precision and input case each array belongs to, with the sha256 of every file.
 * golden/MANIFEST.json records the index's sha256 and the arrays' sha256 in turn.
 *
 *   golden/outputs/<set>/index.json
 *   golden/outputs/<set>/<case>.<output>.npy
 */

export const OUTPUT_INDEX_FORMAT = 'bert-parity-output-goldens';
export const OUTPUT_INDEX_VERSION = 1;
export const OUTPUT_INDEX_FILE = 'index.json';

export type OutputPrecision = 'float64' | 'float32' | 'float16' | 'int8' | 'mixed';
const PRECISIONS: readonly OutputPrecision[] = ['float64', 'float32', 'float16', 'int8', 'mixed'];
const NPY_DTYPES: readonly NpyDType[] = ['float16', 'float32', 'float64', 'int8', 'uint8', 'int32', 'int64', 'bool'];

export interface OutputGoldenIndex {
  format: typeof OUTPUT_INDEX_FORMAT;
  version: typeof OUTPUT_INDEX_VERSION;
  /** The model that produced the outputs; sha256 of the model file (or of the seeded weights). */
  model: { name: string; format: string; sha256: string };
  precision: OutputPrecision;
  /** What computed the outputs, e.g. `{ name: 'onnxruntime-node', version: '1.20.1' }`. */
  producer: { name: string; version: string };
  /** The inputs: a corpus (case ids refer to it) and how its texts were encoded. */
  inputs: {
    corpus: string;
    corpus_sha256: string;
    vocab: string;
    vocab_sha256: string;
    do_lower_case: boolean;
    /** Sequence length for `text` cases; `pair` cases carry their own max_seq_length. */
    max_seq_length: number;
  };
  entries: OutputGoldenEntry[];
}

export interface OutputGoldenEntry {
  /** Id of the input case in `inputs.corpus`. */
  case: string;
  /** Name of the model output, e.g. `last_hidden_state`. */
  output: string;
  /** The .npy file, relative to the index, with `/` separators. */
  file: string;
  dtype: NpyDType;
  shape: number[];
  sha256: string;
}

export type OutputGoldenHeader = Pick<OutputGoldenIndex, 'model' | 'precision' | 'producer' | 'inputs'>;

export interface OutputGoldenArray {
  case: string;
  output: string;
  array: NpyArray;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const SHA256 = /^[0-9a-f]{64}$/;
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function bad(source: string, what: string): never {
  throw new ParityError('E_GOLDEN_FORMAT', `${source}: ${what}`, { details: { source } });
}

/** Writes a file so no reader sees half of it: a temporary sibling renamed into place (E_IO on failure). */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw new ParityError('E_IO', `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** File name of one array: `<case>.<output>.npy`; both parts must be plain names so files never collide. */
export function outputFileName(caseId: string, output: string): string {
  for (const [what, name] of [
    ['case id', caseId],
    ['output name', output],
  ] as const) {
    if (!SAFE_NAME.test(name)) {
      throw new ParityError(
        'E_USAGE',
        `${what} ${JSON.stringify(name)} cannot name a file; expected [A-Za-z0-9_-] only`,
      );
    }
  }
  return `${caseId}.${output}.npy`;
}

/**
 * Writes every array as .npy and then the index (each file atomically); returns the index. Entries are
 * sorted by case, then output, so the same outputs always give the same bytes.
 */
export function writeOutputGoldens(
  dir: string,
  header: OutputGoldenHeader,
  arrays: OutputGoldenArray[],
): OutputGoldenIndex {
  const entries: OutputGoldenEntry[] = [];
  const seen = new Set<string>();
  for (const { case: caseId, output, array } of arrays) {
    const file = outputFileName(caseId, output);
    if (seen.has(file))
      throw new ParityError('E_USAGE', `output ${output} of case ${caseId} is given twice; expected one array each`);
    seen.add(file);
    const bytes = encodeNpy(array, { source: join(dir, file) });
    writeFileAtomic(join(dir, file), bytes);
    entries.push({ case: caseId, output, file, dtype: array.dtype, shape: [...array.shape], sha256: sha256Hex(bytes) });
  }
  entries.sort((a, b) => (a.case === b.case ? cmp(a.output, b.output) : cmp(a.case, b.case)));
  const index: OutputGoldenIndex = {
    format: OUTPUT_INDEX_FORMAT,
    version: OUTPUT_INDEX_VERSION,
    model: { name: header.model.name, format: header.model.format, sha256: header.model.sha256 },
    precision: header.precision,
    producer: { name: header.producer.name, version: header.producer.version },
    inputs: {
      corpus: header.inputs.corpus,
      corpus_sha256: header.inputs.corpus_sha256,
      vocab: header.inputs.vocab,
      vocab_sha256: header.inputs.vocab_sha256,
      do_lower_case: header.inputs.do_lower_case,
      max_seq_length: header.inputs.max_seq_length,
    },
    entries,
  };
  parseOutputGoldenIndex(JSON.stringify(index), join(dir, OUTPUT_INDEX_FILE));
  writeFileAtomic(join(dir, OUTPUT_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function strings(source: string, where: string, obj: unknown, keys: readonly string[]): Record<string, unknown> {
  if (!isObject(obj)) bad(source, `${where} must be an object`);
  for (const key of keys) {
    if (typeof obj[key] !== 'string' || obj[key] === '')
      bad(source, `${where}.${key} must be a non-empty string, got ${preview(obj[key])}`);
  }
  return obj;
}

/** Validates an index's JSON text against the schema; every failure names the field and the value. */
export function parseOutputGoldenIndex(text: string, source = '<index.json>'): OutputGoldenIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    bad(source, `not JSON (${(cause as Error).message})`);
  }
  if (!isObject(raw)) bad(source, 'expected a JSON object');
  if (raw.format !== OUTPUT_INDEX_FORMAT)
    bad(source, `format is ${preview(raw.format)}; expected "${OUTPUT_INDEX_FORMAT}"`);
  if (raw.version !== OUTPUT_INDEX_VERSION)
    bad(source, `version is ${preview(raw.version)}; expected ${OUTPUT_INDEX_VERSION}`);
  const model = strings(source, 'model', raw.model, ['name', 'format', 'sha256']);
  if (!SHA256.test(model.sha256 as string))
    bad(source, `model.sha256 ${preview(model.sha256)} is not a sha256 hex digest`);
  if (!PRECISIONS.includes(raw.precision as OutputPrecision)) {
    bad(source, `precision is ${preview(raw.precision)}; expected one of ${PRECISIONS.join(', ')}`);
  }
  strings(source, 'producer', raw.producer, ['name', 'version']);
  const inputs = strings(source, 'inputs', raw.inputs, ['corpus', 'corpus_sha256', 'vocab', 'vocab_sha256']);
  for (const key of ['corpus_sha256', 'vocab_sha256']) {
    if (!SHA256.test(inputs[key] as string))
      bad(source, `inputs.${key} ${preview(inputs[key])} is not a sha256 hex digest`);
  }
  if (typeof inputs.do_lower_case !== 'boolean') bad(source, 'inputs.do_lower_case must be a boolean');
  if (!Number.isInteger(inputs.max_seq_length) || (inputs.max_seq_length as number) < 2) {
    bad(source, `inputs.max_seq_length is ${preview(inputs.max_seq_length)}; expected an integer >= 2`);
  }
  if (!Array.isArray(raw.entries)) bad(source, 'entries must be an array');
  const files = new Set<string>();
  raw.entries.forEach((entry: unknown, i: number) => {
    const where = `entries[${i}]`;
    const e = strings(source, where, entry, ['case', 'output', 'file', 'dtype', 'sha256']);
    if (e.file !== outputFileNameOrNull(e.case as string, e.output as string)) {
      bad(
        source,
        `${where}.file is ${preview(e.file)}; expected ${preview(outputFileNameOrNull(e.case as string, e.output as string))}`,
      );
    }
    if (files.has(e.file as string)) bad(source, `${where}: ${e.file} is listed twice`);
    files.add(e.file as string);
    if (!NPY_DTYPES.includes(e.dtype as NpyDType))
      bad(source, `${where}.dtype is ${preview(e.dtype)}; expected one of ${NPY_DTYPES.join(', ')}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      bad(source, `${where}.shape is ${preview(e.shape)}; expected an array of integers >= 0`);
    }
    if (!SHA256.test(e.sha256 as string))
      bad(source, `${where}.sha256 ${preview(e.sha256)} is not a sha256 hex digest`);
  });
  return raw as unknown as OutputGoldenIndex;
}

function outputFileNameOrNull(caseId: string, output: string): string | null {
  return SAFE_NAME.test(caseId) && SAFE_NAME.test(output) ? `${caseId}.${output}.npy` : null;
}

export interface LoadedOutputGoldens {
  /** Path of index.json. */
  path: string;
  index: OutputGoldenIndex;
  /** Reads one entry's array; its bytes must hash to the recorded sha256 and agree with dtype and shape. */
  load(entry: OutputGoldenEntry): NpyArray;
}

function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new ParityError('E_IO', `cannot read ${what} ${path}: ${(cause as Error).message}`, { cause });
  }
}

export function readOutputGoldens(indexPath: string): LoadedOutputGoldens {
  const index = parseOutputGoldenIndex(
    new TextDecoder().decode(readBytes(indexPath, 'output golden index')),
    indexPath,
  );
  const dir = dirname(indexPath);
  return {
    path: indexPath,
    index,
    load(entry) {
      const path = join(dir, ...posix.normalize(entry.file).split('/'));
      const bytes = readBytes(path, 'output golden');
      const sha = sha256Hex(bytes);
      if (sha !== entry.sha256) {
        throw new ParityError(
          'E_GOLDEN_STALE',
          `${path}: sha256 ${sha} differs from ${entry.sha256} recorded in ${indexPath}`,
          {
            details: { path, expected: entry.sha256, actual: sha },
          },
        );
      }
      const array = decodeNpy(bytes, path);
      if (array.dtype !== entry.dtype || array.shape.join(',') !== entry.shape.join(',')) {
        throw new ParityError(
          'E_GOLDEN_STALE',
          `${path}: holds ${array.dtype} [${array.shape.join(', ')}], ${indexPath} says ${entry.dtype} [${entry.shape.join(', ')}]`,
          { details: { path } },
        );
      }
      return array;
    },
  };
}
