import type { ModelArtifact, ModelFormat } from './model.ts';
import type { NamedTensors, TensorSpec } from './tensor.ts';

export interface SessionOptions {
  threads?: number;
  /** Runtime-specific backend or execution provider (tfjs: "wasm" | "cpu" | "node"). */
  backend?: string;
  /** onnxruntime graph optimization level; optimizations change numerics, so reports record it. */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Models without signatures: input name the harness uses → the model's input (name or index). */
  inputMapping?: Readonly<Record<string, string | number>>;
  /** Likewise for outputs. */
  outputMapping?: Readonly<Record<string, string | number>>;
  /** Vocabulary size the feeds must stay below (token ids checked before running). */
  vocabSize?: number;
}

/** Reported with every result, so a report says exactly what produced the numbers. */
export interface RuntimeEnvironment {
  runtime: string;
  version: string;
  backend: string;
  threads?: number;
  simd?: boolean;
  graphOptimization?: string;
  [key: string]: unknown;
}

export interface RuntimeSession {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly environment: RuntimeEnvironment;
  run(feeds: NamedTensors): Promise<NamedTensors>;
  close(): Promise<void>;
  /**
   * For a runtime that runs elsewhere (an Android device over adb, a browser page): the time the runtime
   * itself measured for the last run(), in ms. Host wall time would mostly measure the transport (or, for
   * the browser, waiting for the engine's thread), so latency figures use this.
   */
  readonly measuredLatencyMs?: number | undefined;
  /** Whose clock measuredLatencyMs is: an Android device's runner (default) or a browser page's. */
  readonly latencyClock?: 'device' | 'page';
}

export type Availability = { ok: true } | { ok: false; reason: string };

export interface RuntimeAdapter {
  readonly name: string;
  readonly formats: readonly ModelFormat[];
  available(): Promise<Availability>;
  open(model: ModelArtifact, options?: SessionOptions): Promise<RuntimeSession>;
}
