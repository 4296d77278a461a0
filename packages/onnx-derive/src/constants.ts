import { fromFloat16Bits } from '@bert-parity/core';
import {
  type OnnxAttribute,
  OnnxDataType,
  type OnnxInitializer,
  type OnnxModel,
  type OnnxNode,
} from '@bert-parity/models';
import { float32Of, float32Tensor, int64sOf, reshapeDims, transposeFloat32 } from './tensors.ts';

/** Ops that only move or retype a constant: a chain of them over an initializer is still a constant. */
export const FOLDABLE = new Set(['Identity', 'Cast', 'Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

export interface FoldedConstant {
  /** The value's data, named after the value. */
  readonly tensor: OnnxInitializer;
  /** The nodes folded on the way from the stored constant to this value (empty for an initializer). */
  readonly folded: readonly OnnxNode[];
  /** The initializer or Constant node the chain starts from. */
  readonly source: string;
}

const ints = (a: OnnxAttribute | undefined): number[] | undefined =>
  a?.kind === 'ints' ? a.value.map(Number) : undefined;
const int = (a: OnnxAttribute | undefined, fallback: number): number =>
  a?.kind === 'int' ? Number(a.value) : fallback;
const encodeF32 = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);

/**
 * Constant values of a graph: initializers, Constant nodes, and what a chain of FOLDABLE ops makes of them,
 * computed here as onnxruntime's constant folding (the graph optimizer quantize_dynamic's pre-processing
 * runs) would. Exporters reach weights this way: tf2onnx and keras2onnx through Transpose/Reshape/Identity,
 * torch.onnx through Transpose of a tied embedding, mixed-precision exports through Cast.
 */
export class Constants {
  private readonly stored = new Map<string, OnnxInitializer>();
  private readonly producers = new Map<string, OnnxNode>();

  constructor(model: Pick<OnnxModel, 'initializers'>, nodes: readonly OnnxNode[]) {
    for (const t of model.initializers) this.stored.set(t.name, t);
    for (const n of nodes) {
      for (const o of n.outputs) this.producers.set(o, n);
      if (n.opType === 'Constant' && n.outputs[0] !== undefined) {
        const t = constantTensor(n);
        if (t !== undefined) this.stored.set(n.outputs[0], t);
      }
    }
  }

  /** A stored constant (initializer or Constant node) by value name, of any element type. */
  storedTensor(name: string): OnnxInitializer | undefined {
    return this.stored.get(name);
  }

  /** The float32 constant a value holds, folding FOLDABLE chains; undefined when it is not constant. */
  float32(name: string, depth = 0): FoldedConstant | undefined {
    const own = this.stored.get(name);
    if (own !== undefined) {
      if (own.dataType !== OnnxDataType.FLOAT) return undefined;
      return { tensor: { ...own, name }, folded: [], source: name };
    }
    const n = this.producers.get(name);
    if (n === undefined || depth > 16 || !FOLDABLE.has(n.opType) || (n.domain ?? '') !== '') return undefined;
    const input = n.inputs[0] ?? '';
    const storedInput = this.stored.get(input);
    let base: FoldedConstant | undefined;
    if (n.opType === 'Cast' && storedInput !== undefined && storedInput.dataType !== OnnxDataType.FLOAT) {
      const cast = castToFloat(storedInput);
      base = cast === undefined ? undefined : { tensor: cast, folded: [], source: input };
    } else {
      base = this.float32(input, depth + 1);
    }
    if (base === undefined) return undefined;
    const data = float32Of(base.tensor);
    const dims = [...base.tensor.dims];
    const shapeInput = (i: number) => {
      const t = this.stored.get(n.inputs[i] ?? '');
      return t === undefined ? undefined : int64sOf(t);
    };
    let out: { data: Float32Array; dims: number[] } | undefined;
    switch (n.opType) {
      case 'Identity':
        out = { data, dims };
        break;
      case 'Cast':
        out = int(n.attributes?.to, 0) === OnnxDataType.FLOAT ? { data, dims } : undefined;
        break;
      case 'Transpose':
        out = transposeFloat32(data, dims, ints(n.attributes?.perm));
        break;
      case 'Reshape': {
        const shape = shapeInput(1);
        out =
          shape === undefined
            ? undefined
            : { data, dims: reshapeDims(dims, shape, int(n.attributes?.allowzero, 0) === 1) };
        break;
      }
      case 'Flatten': {
        const axis = int(n.attributes?.axis, 1);
        const k = axis < 0 ? axis + dims.length : axis;
        const prod = (d: number[]) => d.reduce((a, b) => a * b, 1);
        out = { data, dims: [prod(dims.slice(0, k)), prod(dims.slice(k))] };
        break;
      }
      case 'Squeeze': {
        const axes = (n.inputs[1] ? shapeInput(1) : ints(n.attributes?.axes))?.map((a) =>
          a < 0 ? a + dims.length : a,
        );
        if (n.inputs[1] && axes === undefined) break;
        out = { data, dims: dims.filter((d, i) => (axes === undefined ? d !== 1 : !axes.includes(i))) };
        break;
      }
      case 'Unsqueeze': {
        const axes = n.inputs[1] ? shapeInput(1) : ints(n.attributes?.axes);
        if (axes === undefined) break;
        const rank = dims.length + axes.length;
        const at = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
        const outDims: number[] = [];
        let k = 0;
        for (let i = 0; i < rank; i++) outDims.push(at.has(i) ? 1 : (dims[k++] as number));
        out = { data, dims: outDims };
        break;
      }
    }
    if (out === undefined) return undefined;
    return { tensor: float32Tensor(name, out.dims, out.data), folded: [...base.folded, n], source: base.source };
  }
}

/** A float16 or float64 constant cast to float32 (what Cast(to=FLOAT) computes). */
function castToFloat(t: OnnxInitializer): OnnxInitializer | undefined {
  const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  if (t.dataType === OnnxDataType.FLOAT16) {
    const v = Array.from({ length: t.raw.byteLength / 2 }, (_, i) => fromFloat16Bits(view.getUint16(i * 2, true)));
    return { name: t.name, dataType: OnnxDataType.FLOAT, dims: t.dims, raw: encodeF32(v) };
  }
  if (t.dataType === OnnxDataType.DOUBLE) {
    const v = Array.from({ length: t.raw.byteLength / 8 }, (_, i) => view.getFloat64(i * 8, true));
    return { name: t.name, dataType: OnnxDataType.FLOAT, dims: t.dims, raw: encodeF32(v) };
  }
  return undefined;
}

/** The tensor a Constant node holds (value, value_float(s), value_int(s)); undefined for strings and sparse. */
export function constantTensor(n: OnnxNode): OnnxInitializer | undefined {
  const a = n.attributes ?? {};
  const name = n.outputs[0] ?? n.name;
  if (a.value?.kind === 'tensor') return { ...a.value.value, name };
  if (a.value_float?.kind === 'float')
    return { name, dataType: OnnxDataType.FLOAT, dims: [], raw: encodeF32([a.value_float.value]) };
  if (a.value_floats?.kind === 'floats') {
    return {
      name,
      dataType: OnnxDataType.FLOAT,
      dims: [a.value_floats.value.length],
      raw: encodeF32([...a.value_floats.value]),
    };
  }
  const i64 = (v: readonly (number | bigint)[]) => new Uint8Array(BigInt64Array.from(v, (x) => BigInt(x)).buffer);
  if (a.value_int?.kind === 'int')
    return { name, dataType: OnnxDataType.INT64, dims: [], raw: i64([a.value_int.value]) };
  if (a.value_ints?.kind === 'ints') {
    return { name, dataType: OnnxDataType.INT64, dims: [a.value_ints.value.length], raw: i64(a.value_ints.value) };
  }
  return undefined;
}
