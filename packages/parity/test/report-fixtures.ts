/**
 * Real-looking ParityReport objects for the renderer tests: model cells measured with the real metrics on
 * seeded synthetic outputs (pass, fail, a NaN output, an error, a skip) and tokenizer cells. The sizes and
 * phone latencies are the motivating table's: float32 101 MB 1003 ms, float16 51 MB 838 ms, int8 26 MB 574 ms.
 */
import { compareOutput, type NumericTensor } from '@bert-parity/metrics';
import { summarize } from '../src/report/summary.ts';
import {
  type Cell,
  type ModelCell,
  type OutputBound,
  type OutputResult,
  type ParityReport,
  REPORT_SCHEMA,
  type TokenizerCell,
} from '../src/report/types.ts';

/** Deterministic standard-normal-ish numbers (LCG + Box-Muller), so reports are identical run to run. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const f32 = (values: number[], shape: number[]): NumericTensor => ({
  dtype: 'float32',
  shape,
  data: new Float32Array(values),
});

export const BOUNDS: Record<string, Record<string, OutputBound>> = {
  float32: { logits: { relL2: 1e-5, top1AgreementMin: 1 }, last_hidden_state: { relL2: 1e-5, cosineMin: 0.99999 } },
  float16: { logits: { relL2: 2e-3, top1AgreementMin: 1 }, last_hidden_state: { relL2: 2e-3, cosineMin: 0.9999 } },
  int8: { logits: { relL2: 2e-2, top1AgreementMin: 0.95 }, last_hidden_state: { relL2: 5e-2, cosineMin: 0.99 } },
};

/** logits [8, 2] and last_hidden_state [2, 4, 8] with relative noise `noise`, optionally a NaN. */
function outputs(precision: string, noise: number, seed: number, nan = false): OutputResult[] {
  const g = gaussian(seed);
  const refLogits = Array.from({ length: 16 }, g);
  const refHidden = Array.from({ length: 64 }, g);
  const logits = refLogits.map((x) => x + noise * g());
  const hidden = refHidden.map((x) => x + noise * g());
  if (nan) hidden[5] = Number.NaN;
  const bounds = BOUNDS[precision] ?? {};
  return [
    compareOutput('logits', f32(logits, [8, 2]), f32(refLogits, [8, 2]), bounds.logits ?? {}),
    compareOutput(
      'last_hidden_state',
      f32(hidden, [2, 4, 8]),
      f32(refHidden, [2, 4, 8]),
      bounds.last_hidden_state ?? {},
    ),
  ];
}

interface ModelSpec {
  variant: string;
  format: ModelCell['format'];
  precision: ModelCell['precision'];
  runtime: string;
  platform: string;
  bytes: number;
  latencyMs?: number;
  noise?: number;
  nan?: boolean;
  status?: 'error' | 'skipped';
  error?: { code: string; message: string };
}

export function modelCell(spec: ModelSpec, seed = 1): ModelCell {
  const outs = spec.status === undefined ? outputs(spec.precision, spec.noise ?? 0, seed, spec.nan) : [];
  const status = spec.status ?? (outs.every((o) => o.pass) ? 'pass' : 'fail');
  const cell: ModelCell = {
    kind: 'model',
    id: `${spec.variant}@${spec.runtime}/${spec.platform}`,
    variant: spec.variant,
    format: spec.format,
    precision: spec.precision,
    modelPath: `fixtures/${spec.variant}.${spec.format === 'tflite' ? 'tflite' : 'onnx'}`,
    modelBytes: spec.bytes,
    modelSha256: `${seed.toString(16).padStart(2, '0')}`.repeat(32),
    runtime: spec.runtime,
    platform: spec.platform,
    status,
    outputs: outs,
    wallMs: (spec.latencyMs ?? 50) * 12 + 300,
    runtimeMs: (spec.latencyMs ?? 50) * 11,
  };
  if (spec.latencyMs !== undefined) {
    // Android cells carry the runner's own clock, as the engine records it for a device session.
    const clock = spec.platform === 'android' ? 'device' : 'host';
    cell.latency = { medianMs: spec.latencyMs, p90Ms: spec.latencyMs * 1.1, runs: 10, batch: 8, clock };
  }
  if (spec.error !== undefined) cell.error = spec.error;
  if (status !== 'error' && status !== 'skipped') {
    cell.environment = { runtime: spec.runtime, version: '1.0.0', backend: 'cpu', threads: 4 };
  }
  return cell;
}

export function tokenizerCell(impl: string, agree: number, cases = 3396): TokenizerCell {
  return {
    kind: 'tokenizer',
    id: `tokenizer:${impl}@fixture-uncased.lower.dev`,
    impl,
    golden: 'fixture-uncased.lower.dev.jsonl',
    status: agree === cases ? 'pass' : 'fail',
    cases,
    agree,
    mismatches:
      agree === cases
        ? []
        : [
            { id: 'dev-edge-0001', field: 'ids', firstDiff: 3 },
            { id: 'dev-cjk-0042', field: 'tokens', firstDiff: 0 },
          ],
    wallMs: 812,
  };
}

/** The full matrix: phone trade-off cells, host cells, a NaN output, an error, a skip, tokenizer cells. */
export function sampleCells(): Cell[] {
  return [
    modelCell(
      {
        variant: 'tflite-float32',
        format: 'tflite',
        precision: 'float32',
        runtime: 'litert',
        platform: 'android',
        bytes: 101_000_000,
        latencyMs: 1003,
        noise: 1e-7,
      },
      1,
    ),
    modelCell(
      {
        variant: 'tflite-float16',
        format: 'tflite',
        precision: 'float16',
        runtime: 'litert',
        platform: 'android',
        bytes: 51_000_000,
        latencyMs: 838,
        noise: 4e-4,
      },
      2,
    ),
    modelCell(
      {
        variant: 'tflite-int8',
        format: 'tflite',
        precision: 'int8',
        runtime: 'litert',
        platform: 'android',
        bytes: 26_000_000,
        latencyMs: 574,
        noise: 6e-2,
      },
      3,
    ),
    modelCell(
      {
        variant: 'onnx-float32',
        format: 'onnx',
        precision: 'float32',
        runtime: 'onnxruntime',
        platform: 'host',
        bytes: 101_200_000,
        latencyMs: 41,
        noise: 2e-7,
      },
      4,
    ),
    modelCell(
      {
        variant: 'onnx-float16',
        format: 'onnx',
        precision: 'float16',
        runtime: 'tfjs',
        platform: 'wasm',
        bytes: 50_900_000,
        latencyMs: 120,
        noise: 3e-4,
        nan: true,
      },
      5,
    ),
    modelCell(
      {
        variant: 'onnx-int8',
        format: 'onnx',
        precision: 'int8',
        runtime: 'onnxruntime',
        platform: 'host',
        bytes: 25_800_000,
        status: 'error',
        error: { code: 'E_RUNTIME_LOAD', message: 'onnxruntime: ConvInteger(10) is not implemented <cpu> & "x"' },
      },
      6,
    ),
    modelCell(
      {
        variant: 'tflite-float16',
        format: 'tflite',
        precision: 'float16',
        runtime: 'android',
        platform: 'device',
        bytes: 51_000_000,
        status: 'skipped',
        error: { code: 'E_RUNTIME_UNAVAILABLE', message: 'no device attached (adb devices is empty)' },
      },
      7,
    ),
    tokenizerCell('bert-parity/google-bert', 3396),
    tokenizerCell('hf-tokenizers', 2807),
  ];
}

export function sampleReport(overrides: Partial<ParityReport> = {}, cells: Cell[] = sampleCells()): ParityReport {
  return {
    schema: REPORT_SCHEMA,
    createdAt: '2025-01-15T10:20:30.000Z',
    tool: { name: 'bert-parity', version: '0.1.0' },
    config: { path: 'parity.config.json', sha256: 'ab'.repeat(32) },
    reference: { kind: 'float64-fixture', description: 'tiny BERT float64 forward pass' },
    inputs: { source: 'golden/corpus.dev.jsonl', count: 8, maxSeqLength: 128, labelled: false },
    cells,
    summary: summarize(cells),
    timing: { wallMs: 14_520, runtimeMs: 9_870, runtimeShare: 9_870 / 14_520 },
    ...overrides,
  };
}
