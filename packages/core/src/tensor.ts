/** Element types that cross the boundary between the harness and a runtime. */
export type DType = 'float32' | 'float16' | 'float64' | 'int8' | 'uint8' | 'int32' | 'int64' | 'bool';

/**
 * float16 elements are carried as IEEE 754 half-precision bit patterns (Uint16Array), int64 as
 * BigInt64Array, bool as bytes 0/1.
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Int32Array
  | BigInt64Array;

export interface Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

export type NamedTensors = Readonly<Record<string, Tensor>>;

/** A model input or output as the model declares it; null is a dynamic dimension. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly (number | null)[];
  /** The dimension's symbolic name where the format has one (ONNX dim_param, e.g. "batch"). */
  readonly dimNames?: readonly (string | null)[];
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
