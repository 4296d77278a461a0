import type { TensorSpec } from './tensor.ts';

export type ModelFormat = 'onnx' | 'tfjs-graph' | 'tflite' | 'hf-dir';
export type ModelPrecision = 'float32' | 'float16' | 'int8' | 'uint8' | 'mixed';

export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** The signature's key where the format names it (TFLite SignatureDef "serving_default"). */
  key?: string;
}

export interface OpInfo {
  name: string;
  /** ONNX opset of the op's domain, TFLite op version. */
  version?: number;
  domain?: string;
  /** TFLite: how many operators use it; ONNX: how many nodes. */
  count: number;
  custom?: boolean;
}

/**
 * What a loader learns from a model file without running it: everything the runtime adapters and the
 * preflight need. Precision comes with the evidence that decided it.
 */
export interface ModelArtifact {
  format: ModelFormat;
  /** The file (or model.json, or folder) the artifact was read from. */
  path: string;
  /** Every file that makes up the model (weights shards, external data), with sizes. */
  files: { path: string; bytes: number }[];
  /** Total size in bytes of all files. */
  bytes: number;
  /** sha256 of the main file. */
  sha256: string;
  /** null when the format has no signature (TFLite without SignatureDef). */
  signature: ModelSignature | null;
  precision: ModelPrecision;
  precisionEvidence: string[];
  ops: OpInfo[];
  /** Format-specific facts (opset imports, producer, TFLite min_runtime_version, tfjs converter). */
  metadata: Record<string, unknown>;
}

export type FindingSeverity = 'error' | 'warning' | 'info';

/** One preflight finding about a model, with a stable code and a one-line fix hint. */
export interface Finding {
  code: string;
  severity: FindingSeverity;
  message: string;
  hint: string;
}
