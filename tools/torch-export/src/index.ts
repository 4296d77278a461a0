/**
 * A real exporter in the loop: the fixture factory's models rebuilt in PyTorch from the same weights (read
 * as .npy, so bit-identical) and written by torch.onnx.export (torch_export.py, run with Debian's
 * /usr/bin/python3 and python3-torch). The files go into the fixture folder they came from, under
 * torch-<torch version>-<script hash>/, written once and moved into place whole:
 *   onnx/opset14.onnx, onnx/opset17.onnx   dynamic [batch, sequence] int64 inputs
 *   hf-dir/                                 a Hugging Face folder (onnx/model.onnx = the opset 14 file, the
 *                                           opset Hugging Face Optimum exports BERT-family models at)
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeNpy, encodeNpy, ParityError } from '@bert-parity/core';
import {
  type AnyFixtures,
  type BertInputs,
  type BertOutputs,
  MASK_BIAS,
  writeHfFolder,
  writeNpyWeights,
} from '@bert-parity/fixtures';

/** The opsets exported: 14 (what Optimum uses for BERT) and 17, the newest torch 1.13 writes (LayerNormalization). */
export const TORCH_OPSETS = [14, 17] as const;
export type TorchOpset = (typeof TORCH_OPSETS)[number];

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'torch_export.py');
const INSTALL = 'apt-get install -y python3-torch (Debian 12 ships PyTorch 1.13 for /usr/bin/python3)';
const DONE = '.complete';
/** Large models take a while to trace and serialize; the tiny ones take seconds. */
const TIMEOUT_MS = 15 * 60_000;

/** The Python that runs the generator: $BERT_PARITY_PYTHON, else Debian's /usr/bin/python3 (the one that sees python3-torch). */
export function pythonExecutable(): string {
  const fromEnv = process.env.BERT_PARITY_PYTHON;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : '/usr/bin/python3';
}

function run(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    execFile(
      pythonExecutable(),
      [...args],
      { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) resolveRun({ stdout, stderr });
        else reject(Object.assign(error, { stdout, stderr }));
      },
    );
  });
}

let probed: Promise<string> | undefined;

/**
 * The installed torch version, or E_GENERATOR_UNAVAILABLE saying how to install it (no python, no torch,
 * no numpy). Asked once per process.
 */
export function torchVersion(): Promise<string> {
  probed ??= run(['-c', 'import numpy, torch; print(torch.__version__)']).then(
    ({ stdout }) => stdout.trim(),
    (e: NodeJS.ErrnoException & { stderr?: string }) => {
      const why =
        e.code === 'ENOENT'
          ? `${pythonExecutable()} does not exist`
          : (e.stderr ?? '').trim().split('\n').at(-1) || e.message;
      throw new ParityError(
        'E_GENERATOR_UNAVAILABLE',
        `the torch.onnx.export fixtures need PyTorch for ${pythonExecutable()}, which cannot import it (${why}); install it with ${INSTALL}`,
      );
    },
  );
  return probed;
}

export interface TorchExports {
  readonly dir: string;
  readonly torchVersion: string;
  readonly onnx: Readonly<Record<TorchOpset, string>>;
  /** Hugging Face folder holding the opset 14 file as onnx/model.onnx (transformers.js dtype fp32). */
  readonly hfDir: string;
}

const layout = (dir: string): Omit<TorchExports, 'torchVersion'> => ({
  dir,
  onnx: { 14: join(dir, 'onnx', 'opset14.onnx'), 17: join(dir, 'onnx', 'opset17.onnx') },
  hfDir: join(dir, 'hf-dir'),
});

async function runJob(job: Record<string, unknown>, work: string): Promise<{ torch: string; written: string[] }> {
  const path = join(work, 'job.json');
  writeFileSync(path, JSON.stringify(job));
  try {
    const { stdout } = await run([SCRIPT, path]);
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { torch: string; written: string[] };
  } catch (e) {
    const err = e as Error & { stderr?: string; killed?: boolean };
    const output = (err.stderr ?? '').trim().split('\n').slice(-20).join('\n');
    throw new ParityError(
      'E_GENERATOR_RUN',
      `${SCRIPT} failed for the ${String(job.family)} fixture${err.killed === true ? ` (killed after ${TIMEOUT_MS / 1000} s)` : ''}: ${output || err.message}`,
      { cause: e },
    );
  }
}

let building = new Map<string, Promise<TorchExports>>();

/**
 * The torch.onnx.export files of a fixture folder, generated on first use (a few seconds for the tiny
 * models) and cached in the folder under torch-<version>/. E_GENERATOR_UNAVAILABLE when torch is absent.
 */
export function buildTorchExports(fixtures: AnyFixtures): Promise<TorchExports> {
  const key = fixtures.dir;
  let p = building.get(key);
  if (p === undefined) {
    p = build(fixtures);
    building.set(key, p);
    p.catch(() => building.delete(key));
  }
  return p;
}

async function build(fixtures: AnyFixtures): Promise<TorchExports> {
  const version = await torchVersion();
  // Keyed by the torch version and the script: another PyTorch or another export script, other files.
  const script = createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 8);
  const dir = join(fixtures.dir, `torch-${version.replace(/[^A-Za-z0-9._+-]/g, '_')}-${script}`);
  if (existsSync(join(dir, DONE))) return { ...layout(dir), torchVersion: version };
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const paths = layout(tmp);
  try {
    mkdirSync(join(tmp, 'onnx'), { recursive: true });
    const weightsDir = join(tmp, 'weights');
    const names = writeNpyWeights(fixtures, weightsDir);
    await runJob(
      {
        family: fixtures.family,
        config: fixtures.config,
        mask_bias: MASK_BIAS,
        weights: { dir: weightsDir, names },
        onnx: TORCH_OPSETS.map((opset) => ({ opset, path: paths.onnx[opset] })),
        forward: null,
      },
      tmp,
    );
    rmSync(weightsDir, { recursive: true, force: true }); // as large as the model; the ONNX files hold them
    rmSync(join(tmp, 'job.json'), { force: true });
    writeHfFolder(paths.hfDir, fixtures, { float32: paths.onnx[14] });
    writeFileSync(join(tmp, DONE), `torch ${version}\n`);
    try {
      renameSync(tmp, dir);
    } catch (cause) {
      // Another process finished the same folder first: use theirs.
      if (!existsSync(join(dir, DONE))) throw cause;
      rmSync(tmp, { recursive: true, force: true });
    }
    return { ...layout(dir), torchVersion: version };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof ParityError) throw e;
    throw new ParityError('E_IO', `cannot write the torch exports into ${dir}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The same PyTorch model run in float64 on the same weights: an independent computation of the factory's
 * float64 forward pass (torch's kernels, not ours).
 */
export async function torchForward64(fixtures: AnyFixtures, inputs: BertInputs): Promise<BertOutputs> {
  await torchVersion();
  const work = mkdtempSync(join(tmpdir(), 'bert-parity-torch-'));
  try {
    const weightsDir = join(work, 'weights');
    const names = writeNpyWeights(fixtures, weightsDir);
    const inDir = join(work, 'inputs');
    const outDir = join(work, 'outputs');
    mkdirSync(inDir);
    mkdirSync(outDir);
    const shape = [inputs.batch, inputs.seqLength];
    for (const [name, values] of [
      ['input_ids', inputs.inputIds],
      ['attention_mask', inputs.attentionMask],
      ['token_type_ids', inputs.tokenTypeIds],
    ] as const) {
      const data = BigInt64Array.from(Array.from(values), (v) => BigInt(v));
      writeFileSync(join(inDir, `${name}.npy`), encodeNpy({ dtype: 'int64', shape, data }));
    }
    await runJob(
      {
        family: fixtures.family,
        config: fixtures.config,
        mask_bias: MASK_BIAS,
        weights: { dir: weightsDir, names },
        onnx: [],
        forward: { inputs: inDir, outputs: outDir },
      },
      work,
    );
    const read = (name: string) => decodeNpy(readFileSync(join(outDir, `${name}.npy`)), name).data as Float64Array;
    return { lastHiddenState: read('last_hidden_state'), poolerOutput: read('pooler_output'), logits: read('logits') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Forgets the probed version and the builds in flight (tests that change BERT_PARITY_PYTHON). */
export function resetTorchProbe(): void {
  probed = undefined;
  building = new Map();
}

/** Why the torch generator cannot run here (for tests that skip saying so), or undefined when it can. */
export async function torchUnavailable(): Promise<string | undefined> {
  try {
    await torchVersion();
    return undefined;
  } catch (e) {
    if (e instanceof ParityError) return e.message;
    throw e;
  }
}
