import { ParityError, toFloat16Bits } from '@bert-parity/core';
import { OnnxDataType, type OnnxInitializer } from '@bert-parity/models';

/** An initializer's float32 values (a copy: raw bytes need not be 4-byte aligned). */
export function float32Of(t: OnnxInitializer): Float32Array {
  if (t.dataType !== OnnxDataType.FLOAT) {
    throw new ParityError('E_DERIVE_INPUT', `tensor ${t.name} is not FLOAT; expected float32 data`);
  }
  return new Float32Array(t.raw.slice().buffer);
}

export function float32Tensor(name: string, dims: readonly number[], values: Float32Array): OnnxInitializer {
  return {
    name,
    dataType: OnnxDataType.FLOAT,
    dims,
    raw: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  };
}

/** int64 values of a constant (shapes, axes), as numbers. */
export function int64sOf(t: OnnxInitializer): number[] {
  const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  if (t.dataType === OnnxDataType.INT64) {
    return Array.from({ length: t.raw.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
  }
  if (t.dataType === OnnxDataType.INT32) {
    return Array.from({ length: t.raw.byteLength / 4 }, (_, i) => view.getInt32(i * 4, true));
  }
  throw new ParityError('E_DERIVE_INPUT', `tensor ${t.name} is not an integer tensor; expected int64 shape or axes`);
}

export interface Float16Clip {
  /** Positive values below this become it (negative ones its negative); 0 stays 0. */
  readonly minPositive: number;
  /** Finite values beyond ±this become ±it; infinities and NaN stay. */
  readonly maxFinite: number;
}

/**
 * float32 → float16 bits as onnxconverter-common's convert_np_to_float16 does: magnitudes strictly between
 * 0 and minPositive are raised to it, finite ones beyond maxFinite lowered to it (sign kept), then rounded
 * to nearest even. Returns the bits and how many values were clipped.
 */
export function toFloat16Clipped(values: Float32Array, clip: Float16Clip): { bits: Uint16Array; clipped: number } {
  const bits = new Uint16Array(values.length);
  let clipped = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i] as number;
    const a = Math.abs(v);
    if (a > 0 && a < clip.minPositive) {
      v = Math.sign(v) * clip.minPositive;
      clipped++;
    } else if (a > clip.maxFinite && a !== Number.POSITIVE_INFINITY) {
      v = Math.sign(v) * clip.maxFinite;
      clipped++;
    }
    bits[i] = toFloat16Bits(v);
  }
  return { bits, clipped };
}

export function float16Tensor(t: OnnxInitializer, clip: Float16Clip): { tensor: OnnxInitializer; clipped: number } {
  const { bits, clipped } = toFloat16Clipped(float32Of(t), clip);
  return {
    tensor: { name: t.name, dataType: OnnxDataType.FLOAT16, dims: t.dims, raw: new Uint8Array(bits.buffer) },
    clipped,
  };
}

/** N-D transpose of float32 data (Transpose's perm; absent: reverse the axes). */
export function transposeFloat32(
  data: Float32Array,
  dims: readonly number[],
  perm: readonly number[] | undefined,
): { data: Float32Array; dims: number[] } {
  const rank = dims.length;
  const p = perm ?? dims.map((_, i) => rank - 1 - i);
  if (p.length !== rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new ParityError('E_DERIVE_INPUT', `Transpose perm [${p.join(', ')}] does not permute rank ${rank}`);
  }
  const outDims = p.map((a) => dims[a] as number);
  const inStrides = dims.map((_, i) => dims.slice(i + 1).reduce((x, y) => x * y, 1));
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += (index[k] as number) * (inStrides[p[k] as number] as number);
    out[o] = data[src] as number;
    for (let k = rank - 1; k >= 0; k--) {
      index[k] = (index[k] as number) + 1;
      if ((index[k] as number) < (outDims[k] as number)) break;
      index[k] = 0;
    }
  }
  return { data: out, dims: outDims };
}

/** Reshape's target dims: 0 copies the input dim (unless allowzero), -1 takes what is left. */
export function reshapeDims(dims: readonly number[], shape: readonly number[], allowZero: boolean): number[] {
  const count = dims.reduce((a, b) => a * b, 1);
  const out = shape.map((s, i) => (s === 0 && !allowZero ? (dims[i] as number) : s));
  const known = out.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
  const free = out.filter((s) => s === -1).length;
  if (free > 1 || (free === 1 && (known === 0 || count % known !== 0)) || (free === 0 && known !== count)) {
    throw new ParityError('E_DERIVE_INPUT', `cannot reshape [${dims.join(', ')}] to [${shape.join(', ')}]`);
  }
  return out.map((s) => (s === -1 ? count / known : s));
}
