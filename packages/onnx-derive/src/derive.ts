import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ParityError } from '@bert-parity/core';
import { type OnnxModel, PROTOBUF_MAX_BYTES, readOnnxModelFile, writeOnnxFile } from '@bert-parity/models';
import { convertToFloat16, type Float16Options, type Float16Report } from './float16.ts';
import { type Int8Options, type Int8Report, quantizeDynamicInt8 } from './int8.ts';

export const DERIVED_PRECISIONS = ['float16', 'int8'] as const;
export type DerivedPrecision = (typeof DERIVED_PRECISIONS)[number];

export interface DeriveOptions {
  readonly float16?: Float16Options;
  readonly int8?: Int8Options;
}

export interface DeriveResult {
  readonly precision: DerivedPrecision;
  readonly source: { readonly path: string; readonly sha256: string };
  /** The model file first, then its external data file when it has one. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  /** Reading, transforming and writing, in milliseconds. */
  readonly ms: number;
  readonly report: Float16Report | Int8Report;
}

/** Leave room under protobuf's limit for the graph itself: above this, weights go to an external data file. */
const INLINE_WEIGHTS_MAX = PROTOBUF_MAX_BYTES - 64 * 1024 * 1024;

/** Applies one derivation to a decoded model (no files). */
export function deriveModel(
  model: OnnxModel,
  precision: DerivedPrecision,
  options: DeriveOptions = {},
  what = model.graphName,
): { model: OnnxModel; report: Float16Report | Int8Report } {
  return precision === 'float16'
    ? convertToFloat16(model, options.float16, what)
    : quantizeDynamicInt8(model, options.int8, what);
}

function describe(precision: DerivedPrecision, options: DeriveOptions): string {
  if (precision === 'float16') {
    const o = options.float16 ?? {};
    const clip = o.clip ?? { minPositive: 1e-7, maxFinite: 1e4 };
    return `float16 (onnxconverter-common rules; keep_io_types ${o.keepIoTypes ?? true}, min_positive_val ${clip.minPositive}, max_finite_val ${clip.maxFinite})`;
  }
  const o = options.int8 ?? {};
  return `int8 (onnxruntime quantize_dynamic rules; MatMul weights QInt8 symmetric, per_channel ${o.perChannel ?? false}, reduce_range ${o.reduceRange ?? false})`;
}

/**
 * Reads a float32 ONNX file (external data included), derives the float16 or int8 variant and writes it
 * to `out` (atomically, see writeOnnxFile). Weights go to `<out name>_data` when the source kept its
 * weights outside the model or when they would not fit protobuf's 2 GiB. The written model records where
 * it came from in its metadata (bert_parity.derived_from, bert_parity.derivation).
 */
export function deriveOnnxFile(
  source: string,
  precision: DerivedPrecision,
  out: string,
  options: DeriveOptions = {},
): DeriveResult {
  const started = performance.now();
  const { model, externalFiles } = readOnnxModelFile(source);
  let sourceBytes: Uint8Array;
  try {
    sourceBytes = readFileSync(source);
  } catch (cause) {
    throw new ParityError('E_MODEL_READ', `cannot read model ${source}: ${(cause as Error).message}`, { cause });
  }
  const sha256 = createHash('sha256').update(sourceBytes).digest('hex');
  const derived = deriveModel(model, precision, options, source);
  const weightBytes = derived.model.initializers.reduce((n, t) => n + t.raw.byteLength, 0);
  const external = externalFiles.length > 0 || weightBytes > INLINE_WEIGHTS_MAX;
  const written = writeOnnxFile(
    out,
    {
      ...derived.model,
      metadata: {
        ...derived.model.metadata,
        'bert_parity.derived_from': `${basename(source)} sha256:${sha256}`,
        'bert_parity.derivation': describe(precision, options),
      },
    },
    external ? { externalData: { location: `${basename(out)}_data` } } : {},
  );
  return {
    precision,
    source: { path: source, sha256 },
    files: written.files,
    ms: performance.now() - started,
    report: derived.report,
  };
}
