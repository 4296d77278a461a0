import { type DType, elementCount, ParityError, type Tensor, type TensorData } from '@bert-parity/core';

export function tensor(dtype: DType, shape: readonly number[], data: TensorData): Tensor {
  return { dtype, shape: [...shape], data };
}

/** int32 ↔ int64 widening/narrowing; int64 values outside the int32 range are an error, not a wrap. */
export function castInteger(t: Tensor, to: 'int32' | 'int64', name: string): Tensor {
  if (t.dtype === to) return t;
  if (to === 'int64') {
    // Written through a 32-bit view (low word, then the sign in the high word; little-endian, as every
    // platform Node runs on): one BigInt per element would cost more than a tiny model's run.
    const out = new BigInt64Array(t.data.length);
    const words = new Int32Array(out.buffer);
    const src = t.data as Int32Array;
    for (let i = 0; i < src.length; i++) {
      const v = src[i] as number;
      words[2 * i] = v;
      words[2 * i + 1] = v < 0 ? -1 : 0;
    }
    return tensor('int64', t.shape, out);
  }
  const src = t.data as BigInt64Array;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i] as bigint;
    if (v > 2147483647n || v < -2147483648n) {
      throw new ParityError(
        'E_RUNTIME_FEED',
        `input ${name}[${i}] = ${v} does not fit the model's int32 input; expected a value in the int32 range`,
        { details: { input: name, index: i, value: String(v) } },
      );
    }
    out[i] = Number(v);
  }
  return tensor('int32', t.shape, out);
}

/** Reads element i of an integer tensor as a number (int64 included). */
export function intAt(t: Tensor, i: number): number {
  return Number(t.data[i] as number | bigint);
}

/** A zero-filled typed array of the same kind as `like`. */
function zerosLike(like: TensorData, n: number): TensorData {
  const Ctor = like.constructor as new (n: number) => TensorData;
  return new Ctor(n);
}

/**
 * Pads dimension 1 of a [batch, seq, ...] tensor to `length` with zeros: id 0, mask 0 and segment 0 are
 * what google-research/bert's convert_single_example writes into padded positions.
 */
export function padDim1(t: Tensor, length: number): Tensor {
  const [batch = 1, seq = 0, ...rest] = t.shape;
  if (seq === length) return t;
  const inner = elementCount(rest);
  const out = zerosLike(t.data, batch * length * inner);
  for (let b = 0; b < batch; b++) {
    const src = t.data.subarray(b * seq * inner, (b + 1) * seq * inner);
    (out as Float32Array).set(src as Float32Array, b * length * inner);
  }
  return tensor(t.dtype, [batch, length, ...rest], out);
}

/** Keeps the first `length` entries of dimension 1 (undoes padDim1 on outputs). */
export function cropDim1(t: Tensor, length: number): Tensor {
  const [batch = 1, seq = 0, ...rest] = t.shape;
  if (seq === length) return t;
  const inner = elementCount(rest);
  const out = zerosLike(t.data, batch * length * inner);
  for (let b = 0; b < batch; b++) {
    const src = t.data.subarray(b * seq * inner, (b * seq + length) * inner);
    (out as Float32Array).set(src as Float32Array, b * length * inner);
  }
  return tensor(t.dtype, [batch, length, ...rest], out);
}

/** Row `b` of dimension 0, keeping rank ([1, ...]). */
export function sliceRow(t: Tensor, b: number): Tensor {
  const [, ...rest] = t.shape;
  const inner = elementCount(rest);
  return tensor(t.dtype, [1, ...rest], t.data.slice(b * inner, (b + 1) * inner));
}

/** Concatenates tensors along dimension 0; all must share dtype and the trailing shape. */
export function concatRows(parts: readonly Tensor[]): Tensor {
  const first = parts[0];
  if (first === undefined) throw new RangeError('concatRows: no parts');
  const [, ...rest] = first.shape;
  const rows = parts.reduce((n, p) => n + (p.shape[0] ?? 1), 0);
  const out = zerosLike(first.data, rows * elementCount(rest));
  let offset = 0;
  for (const p of parts) {
    (out as Float32Array).set(p.data as Float32Array, offset);
    offset += p.data.length;
  }
  return tensor(first.dtype, [rows, ...rest], out);
}

export function isInteger(dtype: DType): dtype is 'int32' | 'int64' {
  return dtype === 'int32' || dtype === 'int64';
}

export function describeSpec(s: { name: string; dtype: DType; shape: readonly (number | null)[] }): string {
  return `${s.name} ${s.dtype}[${s.shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;
}
