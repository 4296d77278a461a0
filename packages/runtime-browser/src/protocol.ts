/**
 * What the Node side and the page say to each other through page.evaluate (both sides import this file,
 * which therefore imports nothing). Descriptions only: tensors and model files travel as HTTP bodies of
 * the loopback server.
 */

/** The typed array of each dtype as tensors cross between Node and the page (float16 as its bits, bool as bytes). */
export const TYPED_ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  int32: Int32Array,
  int64: BigInt64Array,
} as const;

export type WireDtype = keyof typeof TYPED_ARRAYS;

/** A model as the page fetches it: files under `base`, `main` the one the runtime opens. */
export interface PageModel {
  format: 'onnx' | 'tfjs-graph' | 'tflite' | 'hf-dir';
  precision: string;
  /** URL prefix ending in "/". */
  base: string;
  /** Path of the main file under base (model.onnx, model.json, model.tflite; hf-dir: the onnx/ file). */
  main: string;
  /** The folder's name under `root` (transformers.js loads a model by id from its localModelPath). */
  root?: string;
  id?: string;
}

export interface OpenRequest {
  model: PageModel;
  /** URL prefix of the runtime's own package folders, by package name (wasm binaries, workers). */
  packages: Record<string, string>;
  /** The runtime's backend or execution provider (onnxruntime-web: wasm | webgpu; TF.js: webgl | wasm). */
  backend?: string;
  /** Port names the Node side bound (from the model's signature), in order; the page runs with these. */
  ports?: { inputs: string[]; outputs: string[] };
  /** TFLite: the SignatureDef to run (undefined: the first); the key LiteRT.js gives unsigned models. */
  signature?: { key: string | undefined; placeholder: string };
  /** transformers.js dtype (fp32, fp16, q8). */
  dtype?: string;
  threads?: number;
  graphOptimization?: string;
  /** Runtime flags to set before the backend starts (TF.js: tf.env().set). */
  flags?: Record<string, boolean | number | string>;
}

/** A model port as the runtime in the page reports it (its own dtype names). */
export interface PageSpec {
  name: string;
  dtype: string;
  shape: (number | string | null)[];
  isTensor?: boolean;
}

export interface OpenResult {
  inputs: PageSpec[];
  outputs: PageSpec[];
  /** True when the runtime binds ports by these names. */
  named: boolean;
  /** What actually ran, as the page sees it (backend, renderer, threads, SIMD, versions). */
  environment: Record<string, unknown>;
}

export interface TensorMeta {
  dtype: string;
  shape: number[];
}

export interface PageTensor extends TensorMeta {
  data: Float32Array | Float64Array | Uint16Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;
}

export interface RunRequest {
  /**
   * URL prefix of this run's exchange: the inputs' bytes one after another at `${base}in`, the outputs'
   * posted the same way to `${base}out` (each tensor's size follows from its dtype and shape).
   */
  base: string;
  inputs: TensorMeta[];
}

export interface RunResult {
  outputs: TensorMeta[];
  /** The runtime call alone, on the page's clock (fetching and posting tensors excluded). */
  ms: number;
  /** console.error lines the runtime wrote during the run (LiteRT.js reports op failures only there). */
  log?: string[];
}

export type PageReply<T> =
  | { ok: T; error?: undefined }
  | { ok?: undefined; error: { code: string; message: string; details?: Record<string, unknown> } };
