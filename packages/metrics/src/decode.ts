import { type DType, fromFloat16Bits, ParityError, type TensorData } from '@bert-parity/core';

/** What the metrics read: a core Tensor or an NpyArray (float16 carried as bit patterns, int64 as bigint). */
export interface NumericTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** An IEEE 754 half-precision bit pattern as a number (exact); core owns the conversion. */
export const halfToNumber = fromFloat16Bits;

/**
 * The elements as float64, whatever the dtype: every metric works in float64 so that float16 and int8
 * outputs are measured exactly (Polygraphy likewise casts both sides up before subtracting).
 */
export function toFloat64(tensor: NumericTensor, name = 'tensor'): Float64Array {
  const { data, dtype } = tensor;
  const out = new Float64Array(data.length);
  if (dtype === 'float16') {
    if (!(data instanceof Uint16Array)) {
      throw new ParityError(
        'E_METRIC_INPUT',
        `${name}: dtype float16 needs its bit patterns in a Uint16Array, got ${data.constructor.name}`,
      );
    }
    for (let i = 0; i < data.length; i++) out[i] = halfToNumber(data[i] as number);
    return out;
  }
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i] as bigint);
    return out;
  }
  out.set(data);
  return out;
}

/** A float64 tensor from plain numbers, for callers (and tests) that hold no typed data. */
export function float64Tensor(values: ArrayLike<number>, shape: readonly number[] = [values.length]): NumericTensor {
  return { dtype: 'float64', shape, data: Float64Array.from(values as ArrayLike<number>) };
}
