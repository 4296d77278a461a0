import { ParityError } from '@bert-parity/core';
import { OnnxDataType, type OnnxInitializer, type OnnxModel, type OnnxNode } from '@bert-parity/models';
import { Constants } from './constants.ts';
import { inferElemTypes } from './elem-types.ts';
import { dropUnusedInitializers, Names, nodeReads, sortNodes } from './graph.ts';
import { refuseReduced } from './guards.ts';
import { float32Of } from './tensors.ts';

export interface Int8Options {
  /** One scale per output column of each weight instead of one per tensor (default false, as quantize_dynamic). */
  readonly perChannel?: boolean;
  /** 7-bit weights, [-64, 64] (default false): for CPUs without VNNI, as quantize_dynamic's reduce_range. */
  readonly reduceRange?: boolean;
  /** MatMul node names to leave in float32. */
  readonly nodesToExclude?: readonly string[];
}

export interface Int8Report {
  readonly kind: 'int8';
  /** MatMul nodes replaced by DynamicQuantizeLinear + MatMulInteger. */
  readonly quantized: number;
  /** Weights quantized (a weight shared by several MatMuls counts once). */
  readonly weights: number;
  /** Weights reached through Transpose/Reshape/Cast/... of a constant, folded first. */
  readonly folded: readonly string[];
  /** MatMuls left in float32, each with why. */
  readonly skipped: readonly { readonly node: string; readonly reason: string }[];
  /** Float initializers still read by other ops (embeddings, biases, a tied weight's Gather), kept as they are. */
  readonly keptFloat: number;
  readonly perChannel: boolean;
  readonly reduceRange: boolean;
}

/** The smallest positive normal float32: a smaller scale would divide by (almost) zero. */
const FLOAT32_TINY = 1.1754943508222875e-38;

/** Rounds half to even (numpy's round), the rounding quantize_dynamic applies to x / scale. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Symmetric int8 quantization of one group of weights as onnxruntime's quantize_data does for QInt8:
 * range [min(data, 0), max(data, 0)] made symmetric, scale = 2·absmax / (qmax − qmin) computed in float64
 * and stored as float32 (qmax = 127, or 64 with reduce_range; qmin = −qmax), zero point 0,
 * q = clip(round_half_even(float32(x / scale)), −128, 127). An all-zero group gets scale 1.
 */
export function quantizeSymmetric(values: Float32Array, reduceRange: boolean): { scale: number; q: Int8Array } {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const absmax = Math.max(-lo, hi);
  const qmax = reduceRange ? 64 : 127;
  let scale = Math.fround((2 * absmax) / (2 * qmax));
  if (!(scale >= FLOAT32_TINY)) scale = 1;
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    q[i] = Math.max(-128, Math.min(127, roundHalfEven(Math.fround((values[i] as number) / scale))));
  }
  return { scale, q };
}

/**
 * Dynamic int8 quantization as onnxruntime's quantize_dynamic(weight_type=QInt8) writes it for MatMul
 * (its MatMulConstBOnly default for dynamic mode: only a MatMul whose B is a constant):
 *   A → DynamicQuantizeLinear → (A_quantized uint8, A_scale, A_zero_point)   one per activation, shared
 *   B → B_quantized int8 [+ B_scale, B_zero_point = 0], per tensor or per output column (axis −1)
 *   MatMulInteger(A_quantized, B_quantized, A_zero_point, B_zero_point) → Cast(FLOAT) → Mul(A_scale·B_scale)
 * keeping the MatMul's output name. Beyond quantize_dynamic without pre-processing, a B reached through
 * Transpose/Reshape/Cast/Squeeze/Unsqueeze/Flatten/Identity of a constant is folded first (onnxruntime's
 * quant_pre_process does that by constant folding); the original constant stays when another op reads it.
 * Gemm stays float32: quantize_dynamic has no integer Gemm. Unused float weights are dropped.
 */
export function quantizeDynamicInt8(
  model: OnnxModel,
  options: Int8Options = {},
  what = model.graphName,
): { model: OnnxModel; report: Int8Report } {
  refuseReduced(model, what);
  if (model.opsetVersion < 11) {
    throw new ParityError(
      'E_DERIVE_INPUT',
      `${what} uses opset ${model.opsetVersion}; DynamicQuantizeLinear needs opset 11 or newer (re-export the model at opset ≥ 11)`,
    );
  }
  const perChannel = options.perChannel ?? false;
  const reduceRange = options.reduceRange ?? false;
  const exclude = new Set(options.nodesToExclude ?? []);
  const nodes = sortNodes(model, what);
  const types = inferElemTypes(model, nodes, what);
  const constants = new Constants(model, nodes);
  const names = new Names(model);

  const added: OnnxInitializer[] = [];
  const weights = new Map<string, { q: string; scale: string; zp: string }>();
  const activations = new Map<string, { q: string; scale: string; zp: string }>();
  const folded: string[] = [];
  const skipped: { node: string; reason: string }[] = [];
  const out: OnnxNode[] = [];
  let quantized = 0;

  const quantizeWeight = (b: string): { q: string; scale: string; zp: string } | string => {
    const cached = weights.get(b);
    if (cached !== undefined) return cached;
    const c = constants.float32(b);
    if (c === undefined) return 'B is not a constant (activation × activation)';
    if (c.tensor.dims.length < 2) return `B has rank ${c.tensor.dims.length}; expected a weight matrix`;
    if (c.folded.length > 0) folded.push(`${b} (${c.folded.map((n) => n.opType).join(' ← ')} of ${c.source})`);
    const data = float32Of(c.tensor);
    const dims = c.tensor.dims;
    const channels = perChannel && dims.length === 2 ? (dims[1] as number) : 1;
    const q = new Int8Array(data.length);
    const scales = new Float32Array(channels);
    if (channels === 1) {
      const r = quantizeSymmetric(data, reduceRange);
      q.set(r.q);
      scales[0] = r.scale;
    } else {
      // Per output column (axis −1 of a [K, N] weight), as quantize_weight_per_channel with axis −1.
      const rows = dims[0] as number;
      const column = new Float32Array(rows);
      for (let j = 0; j < channels; j++) {
        for (let i = 0; i < rows; i++) column[i] = data[i * channels + j] as number;
        const r = quantizeSymmetric(column, reduceRange);
        scales[j] = r.scale;
        for (let i = 0; i < rows; i++) q[i * channels + j] = r.q[i] as number;
      }
    }
    const entry = {
      q: names.fresh(`${b}_quantized`),
      scale: names.fresh(`${b}_scale`),
      zp: names.fresh(`${b}_zero_point`),
    };
    const vector = channels === 1 ? [] : [channels];
    added.push(
      { name: entry.q, dataType: OnnxDataType.INT8, dims, raw: new Uint8Array(q.buffer) },
      { name: entry.scale, dataType: OnnxDataType.FLOAT, dims: vector, raw: new Uint8Array(scales.buffer) },
      { name: entry.zp, dataType: OnnxDataType.INT8, dims: vector, raw: new Uint8Array(channels) },
    );
    weights.set(b, entry);
    return entry;
  };

  for (const n of nodes) {
    if (n.opType !== 'MatMul' || (n.domain ?? '') !== '') {
      out.push(n);
      continue;
    }
    const label = n.name || `MatMul → ${n.outputs[0]}`;
    const [a, b] = n.inputs as [string, string];
    const reason = exclude.has(n.name)
      ? 'excluded by name'
      : types.get(a) !== OnnxDataType.FLOAT
        ? 'A is not float32'
        : undefined;
    const w = reason === undefined ? quantizeWeight(b) : reason;
    if (typeof w === 'string') {
      skipped.push({ node: label, reason: w });
      out.push(n);
      continue;
    }
    let act = activations.get(a);
    if (act === undefined) {
      act = { q: names.fresh(`${a}_quantized`), scale: names.fresh(`${a}_scale`), zp: names.fresh(`${a}_zero_point`) };
      out.push({
        name: names.fresh(`${a}_QuantizeLinear`),
        opType: 'DynamicQuantizeLinear',
        inputs: [a],
        outputs: [act.q, act.scale, act.zp],
      });
      activations.set(a, act);
    }
    const base = n.name || (n.outputs[0] as string);
    const y = n.outputs[0] as string;
    const integer = names.fresh(`${y}_output_quantized`);
    const asFloat = names.fresh(`${integer}_cast_output`);
    const scales = names.fresh(`${base}_quant_scales_mul:0`);
    out.push(
      {
        name: names.fresh(`${base}_quant`),
        opType: 'MatMulInteger',
        inputs: [act.q, w.q, act.zp, w.zp],
        outputs: [integer],
      },
      {
        name: names.fresh(`${integer}_cast`),
        opType: 'Cast',
        inputs: [integer],
        outputs: [asFloat],
        attributes: { to: { kind: 'int', value: OnnxDataType.FLOAT } },
      },
      { name: names.fresh(`${base}_quant_scales_mul`), opType: 'Mul', inputs: [act.scale, w.scale], outputs: [scales] },
      { name: names.fresh(`${base}_quant_output_scale_mul`), opType: 'Mul', inputs: [asFloat, scales], outputs: [y] },
    );
    quantized++;
  }

  const live = dropDeadNodes(
    out,
    model.outputs.map((o) => o.name),
  );
  const result = dropUnusedInitializers({ ...model, nodes: live, initializers: [...model.initializers, ...added] });
  const keptFloat = result.initializers.filter((t) => t.dataType === OnnxDataType.FLOAT && !added.includes(t)).length;
  return {
    model: result,
    report: { kind: 'int8', quantized, weights: weights.size, folded, skipped, keptFloat, perChannel, reduceRange },
  };
}

/** Nodes whose outputs nothing reads any more (a folded Transpose of a weight), removed back to front. */
function dropDeadNodes(nodes: readonly OnnxNode[], graphOutputs: readonly string[]): OnnxNode[] {
  const read = new Set(graphOutputs);
  const keep: OnnxNode[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i] as OnnxNode;
    if (n.outputs.some((o) => read.has(o))) {
      keep.push(n);
      for (const r of nodeReads(n)) read.add(r);
    }
  }
  return keep.reverse();
}
