import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildFixtures, buildHfDir, type Fixtures } from '@bert-parity/fixtures';
import { configFromValue, renderJson, runCheck } from '@bert-parity/parity';

/** One input: files by name (a single file for most readers; a folder's files for TF.js and Hugging Face). */
export type FileSet = ReadonlyMap<string, Uint8Array>;

/** The repository root (tools/fuzz/src → ../../..). */
export const REPO_ROOT = join(import.meta.dirname, '../../..');

const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => {
    p ??= make();
    return p;
  };
};

/** A scratch folder for this process (inside the supervisor's, which `pnpm fuzz` removes at the end). */
export const scratch = once(async () =>
  mkdtempSync(join(process.env.BERT_PARITY_FUZZ_TMP ?? scratchRoot(), 'bp-fuzz-')),
);

/** Every input is written to disk before it is read: a RAM-backed /dev/shm makes that cheap where there is one. */
function scratchRoot(): string {
  return existsSync('/dev/shm') && statSync('/dev/shm').isDirectory() ? '/dev/shm' : tmpdir();
}

/**
 * The fixture vocabulary's first 1,500 lines ([PAD], [UNK], [CLS], [SEP], [MASK] and the first real tokens):
 * small enough that a model's embedding table and a tokenizer.json built on it are a few kilobytes.
 */
export const smallVocab = once(async () => {
  const lines = readFileSync(join(REPO_ROOT, 'golden/vocab/fixture-uncased.txt'), 'utf8').split('\n').slice(0, 1500);
  const path = join(await scratch(), 'vocab-small.txt');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
});

/**
 * The project's fixture generator run on a tiny BERT (hidden 8, one layer, 1,500-token vocabulary): every
 * format and precision the default matrix checks, including the negative variants (custom op, missing
 * signature, too-new op version, unknown builtin, small embedding), each a few kilobytes to fuzz quickly.
 */
export const smallFixtures = once(
  async (): Promise<Fixtures> =>
    buildFixtures({
      vocabPath: await smallVocab(),
      hiddenSize: 8,
      numLayers: 1,
      numHeads: 2,
      intermediateSize: 16,
      maxPositions: 32,
      numLabels: 3,
      staticSeqLength: 16,
      smallEmbeddingRows: 100,
    }),
);

export const smallHfDir = once(async () => buildHfDir(await smallFixtures()));

/** Every file under `dir`, by path relative to it (`/` separators). */
export function readTree(dir: string): FileSet {
  const out = new Map<string, Uint8Array>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.startsWith('.'))
        out.set(relative(dir, path).replaceAll('\\', '/'), new Uint8Array(readFileSync(path)));
    }
  };
  walk(dir);
  return out;
}

export const file = (name: string, bytes: Uint8Array | string): FileSet =>
  new Map([[name, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes)]]);

/** The first `n` lines of a repository file (a real file's prefix keeps seeds small). */
export function head(path: string, n: number): string {
  return `${readFileSync(join(REPO_ROOT, path), 'utf8').split('\n').slice(0, n).join('\n')}\n`;
}

/**
 * A real `bert-parity check` on the small fixtures, as a user would run it with `--update-golden` and a
 * golden-outputs reference: it writes the golden-output folder (index.json and .npy files) and returns
 * the report, whose cells pass, fail (a tight int8 bound), error (a missing file) and skip (tfjs-node,
 * optional, absent here) — the report and golden files the fuzz campaign starts from.
 */
export const checkRun = once(async () => {
  const fx = await smallFixtures();
  const dir = join(await scratch(), 'check-run');
  mkdirSync(dir, { recursive: true });
  const path = (format: string, precision: string) =>
    fx.files.find((f) => f.format === format && f.precision === precision && f.variant === 'standard')?.path as string;
  const config = {
    variants: [
      { file: path('onnx', 'float32'), name: 'small-float32' },
      { file: path('onnx', 'int8'), name: 'small-int8' },
      { file: path('tfjs-graph', 'float32'), name: 'small-tfjs' },
      { file: join(dir, 'missing.onnx') },
    ],
    runtimes: [
      { name: 'onnx', batch: 4, threads: 1 },
      { name: 'tfjs-node', optional: true },
    ],
    inputs: { corpus: join(REPO_ROOT, 'golden/corpus.dev.jsonl'), count: 3, types: ['text', 'pair'], maxSeqLength: 16 },
    tokenizer: { vocab: await smallVocab(), lowercase: true },
    reference: {
      kind: 'golden-outputs',
      dir: join(dir, 'golden'),
      source: { kind: 'runtime', runtime: 'onnx', variant: 'small-float32' },
    },
    bounds: {
      float32: { '*': { relL2: 1e-5, cosineMin: 0.99999 }, logits: { relL2: 1e-5, top1AgreementMin: 1 } },
      int8: { '*': { relL2: 1e-4, atol: 1e-3 } },
      mixed: { '*': { relL2: 1e-3 } },
    },
    latencyRuns: 1,
  };
  const report = await runCheck(configFromValue(config, dir), { updateGolden: true });
  return { report: renderJson(report), goldenDir: join(dir, 'golden'), config: JSON.stringify(config, null, 2) };
});
