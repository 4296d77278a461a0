import {
  type OnnxAttribute,
  OnnxDataType,
  type OnnxInitializer,
  type OnnxModel,
  type OnnxNode,
  type OnnxValueInfo,
} from '@bert-parity/models';
import { constantTensor } from './constants.ts';
import { inferElemTypes } from './elem-types.ts';
import { consumersOf, Names, sortNodes } from './graph.ts';
import { refuseReduced } from './guards.ts';
import { type Float16Clip, float16Tensor } from './tensors.ts';

/**
 * Ops onnxconverter-common's float16 converter leaves in float32 (DEFAULT_OP_BLOCK_LIST): ML-domain ops,
 * ops whose float16 kernels are missing or inexact (Range, CumSum, TopK, Resize, Upsample, NonMaxSuppression,
 * RoiAlign, RandomUniformLike), and Min/Max.
 */
export const DEFAULT_OP_BLOCK_LIST: readonly string[] = [
  'ArrayFeatureExtractor',
  'Binarizer',
  'CastMap',
  'CategoryMapper',
  'DictVectorizer',
  'FeatureVectorizer',
  'Imputer',
  'LabelEncoder',
  'LinearClassifier',
  'LinearRegressor',
  'Normalizer',
  'OneHotEncoder',
  'RandomUniformLike',
  'SVMClassifier',
  'SVMRegressor',
  'Scaler',
  'TreeEnsembleClassifier',
  'TreeEnsembleRegressor',
  'ZipMap',
  'NonMaxSuppression',
  'TopK',
  'RoiAlign',
  'Resize',
  'Range',
  'CumSum',
  'Min',
  'Max',
  'Upsample',
];

export interface Float16Options {
  /** Keep float32 graph inputs and outputs, with Cast nodes at the boundary (default true: keep_io_types). */
  readonly keepIoTypes?: boolean;
  /** Op types that stay float32 (default DEFAULT_OP_BLOCK_LIST). */
  readonly opBlockList?: readonly string[];
  /** Node names that stay float32. */
  readonly nodeBlockList?: readonly string[];
  /** Clipping of constants (default onnxconverter-common's: 1e-7 and 1e4). */
  readonly clip?: Float16Clip;
}

export const DEFAULT_FLOAT16_CLIP: Float16Clip = { minPositive: 1e-7, maxFinite: 1e4 };

export interface Float16Report {
  readonly kind: 'float16';
  /** Float constants (initializers and Constant nodes) converted to float16. */
  readonly convertedConstants: number;
  /** Float constants read only by blocked nodes, kept float32. */
  readonly keptFloat32: readonly string[];
  /** Nodes left in float32 (block lists), with Casts around them. */
  readonly blockedNodes: readonly string[];
  readonly castsInserted: number;
  /** Constant values raised to minPositive or lowered to maxFinite. */
  readonly clippedValues: number;
}

/**
 * Converts a float32 model to float16 as onnxconverter-common's convert_float_to_float16 does (in the
 * variant onnxruntime's transformers tools ship, whose initializer rule this follows):
 * - every float value computed by a node not in the block lists becomes float16; Cast(to=FLOAT) becomes
 *   Cast(to=FLOAT16), and float attribute tensors (Constant, ConstantOfShape) are converted;
 * - float constants are converted, clipped to [minPositive, maxFinite] in magnitude, unless only blocked
 *   nodes read them (then they stay float32 and lose nothing);
 * - blocked nodes get Cast(to=FLOAT) before float16 inputs and Cast(to=FLOAT16) after float outputs;
 * - keep_io_types: float32 graph inputs are cast to float16 where they are read, float16 results are cast
 *   back to float32 under the graph output's name.
 * Values that are not float (ids, shapes, masks before their Cast) are untouched.
 */
export function convertToFloat16(
  model: OnnxModel,
  options: Float16Options = {},
  what = model.graphName,
): { model: OnnxModel; report: Float16Report } {
  refuseReduced(model, what);
  const keepIo = options.keepIoTypes ?? true;
  const blockOps = new Set(options.opBlockList ?? DEFAULT_OP_BLOCK_LIST);
  const blockNames = new Set(options.nodeBlockList ?? []);
  const clip = options.clip ?? DEFAULT_FLOAT16_CLIP;
  const nodes = sortNodes(model, what);
  const types = inferElemTypes(model, nodes, what);
  const isFloat = (v: string) => types.get(v) === OnnxDataType.FLOAT;
  const blocked = (n: OnnxNode) => blockOps.has(n.opType) || blockNames.has(n.name);
  const consumers = consumersOf(nodes);
  const graphOutputs = new Set(model.outputs.map((o) => o.name));
  const graphInputs = new Set(model.inputs.map((i) => i.name));

  // Float constants stay float32 only when every reader is blocked (a graph output counts as a reader that
  // wants float16 unless keep_io_types casts it anyway).
  const wantsHalf = (v: string) =>
    (consumers.get(v) ?? []).some((n) => !blocked(n)) || (graphOutputs.has(v) && !keepIo);
  const keptFloat32: string[] = [];
  let clippedValues = 0;
  let convertedConstants = 0;
  const half = (t: OnnxInitializer): OnnxInitializer => {
    const r = float16Tensor(t, clip);
    clippedValues += r.clipped;
    return r.tensor;
  };

  // Which float values end up float16 where they are produced ("native" float16).
  const native16 = new Set<string>();
  const initializers = model.initializers.map((t) => {
    if (t.dataType !== OnnxDataType.FLOAT) return t;
    if (!wantsHalf(t.name)) {
      keptFloat32.push(t.name);
      return t;
    }
    convertedConstants++;
    native16.add(t.name);
    return half(t);
  });
  if (!keepIo) for (const i of model.inputs) if (isFloat(i.name)) native16.add(i.name);

  const names = new Names(model);
  const out: OnnxNode[] = [];
  const blockedNodes: string[] = [];
  let castsInserted = 0;
  const cast = (input: string, output: string, to: number, name: string) => {
    castsInserted++;
    out.push({
      name: names.fresh(name),
      opType: 'Cast',
      inputs: [input],
      outputs: [output],
      attributes: { to: { kind: 'int', value: to } },
    });
  };
  // A float value in the other precision, made once where first needed.
  const as16 = new Map<string, string>();
  const as32 = new Map<string, string>();
  const half16 = (v: string): string => {
    let alias = as16.get(v);
    if (alias === undefined) {
      alias = names.fresh(
        graphInputs.has(v) ? `graph_input_cast_${model.inputs.findIndex((i) => i.name === v)}` : `${v}_fp16`,
      );
      cast(v, alias, OnnxDataType.FLOAT16, `${alias}_node`);
      as16.set(v, alias);
    }
    return alias;
  };
  const full32 = (v: string): string => {
    let alias = as32.get(v);
    if (alias === undefined) {
      alias = names.fresh(`${v}_fp32`);
      cast(v, alias, OnnxDataType.FLOAT, `${alias}_node`);
      as32.set(v, alias);
    }
    return alias;
  };
  // keep_io_types: a graph output computed in float16 is written under a new name and cast back.
  const renamedOutput = new Map<string, string>();
  if (keepIo) {
    model.outputs.forEach((o, i) => {
      if (isFloat(o.name) && !graphInputs.has(o.name)) renamedOutput.set(o.name, names.fresh(`graph_output_cast_${i}`));
    });
  }

  for (const n of nodes) {
    const isBlocked = blocked(n);
    if (isBlocked) blockedNodes.push(n.name || n.opType);
    const inputs = n.inputs.map((v) => {
      if (v === '' || !isFloat(v)) return v;
      const is16 = native16.has(v);
      const read = is16 ? (renamedOutput.get(v) ?? v) : v;
      if (isBlocked) return is16 ? full32(read) : v;
      return is16 ? read : half16(v);
    });
    const produced16 = !isBlocked;
    const outputs = n.outputs.map((v) =>
      produced16 && renamedOutput.has(v) && isFloat(v) ? (renamedOutput.get(v) as string) : v,
    );
    let attributes = n.attributes;
    if (!isBlocked) attributes = convertAttributes(n, half, wantsHalf(n.outputs[0] ?? ''));
    const converted: OnnxNode = { ...n, inputs, outputs, ...(attributes === undefined ? {} : { attributes }) };
    if (!isBlocked && n.opType === 'Constant' && isFloat(n.outputs[0] ?? '')) {
      if (wantsHalf(n.outputs[0] as string)) convertedConstants++;
      else keptFloat32.push(n.outputs[0] as string);
    }
    out.push(converted);
    for (const v of n.outputs) {
      if (v === '' || !isFloat(v)) continue;
      const stays32 = isBlocked || (n.opType === 'Constant' && !wantsHalf(v));
      if (!stays32) native16.add(v);
      if (renamedOutput.has(v) && !stays32)
        cast(renamedOutput.get(v) as string, v, OnnxDataType.FLOAT, `${v}_output_cast`);
    }
  }

  // Graph outputs keep their float32 type under keep_io_types (the Cast writes them).
  const retype = (v: OnnxValueInfo): OnnxValueInfo =>
    native16.has(v.name) && v.elemType === OnnxDataType.FLOAT && !renamedOutput.has(v.name)
      ? { ...v, elemType: OnnxDataType.FLOAT16 }
      : v;
  const converted: OnnxModel = {
    ...model,
    inputs: model.inputs.map(retype),
    outputs: keepIo ? model.outputs : model.outputs.map(retype),
    initializers,
    nodes: out,
    ...(model.valueInfo === undefined ? {} : { valueInfo: model.valueInfo.map(retype) }),
  };
  return {
    model: converted,
    report: { kind: 'float16', convertedConstants, keptFloat32, blockedNodes, castsInserted, clippedValues },
  };
}

/**
 * A non-blocked node's attributes in float16: Cast(to=FLOAT) → FLOAT16, float attribute tensors converted,
 * a Constant's value_float(s) turned into a float16 tensor, ConstantOfShape's default float32 zero made
 * explicit in float16, and random ops' dtype FLOAT → FLOAT16. A Constant only blocked nodes read stays.
 */
function convertAttributes(
  n: OnnxNode,
  half: (t: OnnxInitializer) => OnnxInitializer,
  constantWanted: boolean,
): Readonly<Record<string, OnnxAttribute>> | undefined {
  const a = n.attributes;
  if (n.opType === 'Constant') {
    const t = constantTensor(n);
    if (t === undefined || t.dataType !== OnnxDataType.FLOAT || !constantWanted) return a;
    return {
      value: { kind: 'tensor', value: half({ ...t, name: a?.value?.kind === 'tensor' ? a.value.value.name : '' }) },
    };
  }
  if (n.opType === 'ConstantOfShape' && a?.value === undefined) {
    return {
      ...a,
      value: { kind: 'tensor', value: { name: '', dataType: OnnxDataType.FLOAT16, dims: [1], raw: new Uint8Array(2) } },
    };
  }
  if (a === undefined) return a;
  const out: Record<string, OnnxAttribute> = {};
  for (const [key, attr] of Object.entries(a)) {
    if (attr.kind === 'tensor' && attr.value.dataType === OnnxDataType.FLOAT)
      out[key] = { kind: 'tensor', value: half(attr.value) };
    else if (attr.kind === 'tensors')
      out[key] = { kind: 'tensors', value: attr.value.map((t) => (t.dataType === OnnxDataType.FLOAT ? half(t) : t)) };
    else if (
      ((n.opType === 'Cast' && key === 'to') || key === 'dtype') &&
      attr.kind === 'int' &&
      Number(attr.value) === OnnxDataType.FLOAT
    ) {
      out[key] = { kind: 'int', value: OnnxDataType.FLOAT16 };
    } else out[key] = attr;
  }
  return out;
}
