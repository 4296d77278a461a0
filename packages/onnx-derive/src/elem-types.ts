import { ParityError } from '@bert-parity/core';
import { type OnnxAttribute, OnnxDataType, type OnnxModel, type OnnxNode } from '@bert-parity/models';

/**
 * Element types of every value in a graph, from the inputs, initializers and each op's type rule in
 * onnx's operator schemas (no shapes needed). The float16 converter needs them to know which tensors are
 * float; onnxconverter-common gets them from onnx's shape inference, this project from these rules.
 */

/** Ops whose outputs all have the element type of input 0 (the "T" of their schema). */
const SAME_AS_FIRST = new Set([
  'Abs',
  'Acos',
  'Acosh',
  'Add',
  'Asin',
  'Asinh',
  'Atan',
  'Atanh',
  'AveragePool',
  'BatchNormalization',
  'BiasGelu',
  'Ceil',
  'Celu',
  'Clip',
  'Concat',
  'Conv',
  'ConvTranspose',
  'Cos',
  'Cosh',
  'CumSum',
  'DepthToSpace',
  'Div',
  'Einsum',
  'Elu',
  'Erf',
  'Exp',
  'Expand',
  'FastGelu',
  'Flatten',
  'Floor',
  'Gather',
  'GatherElements',
  'GatherND',
  'Gelu',
  'Gemm',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'HardSigmoid',
  'HardSwish',
  'Hardmax',
  'Identity',
  'InstanceNormalization',
  'LeakyRelu',
  'Log',
  'LogSoftmax',
  'LpNormalization',
  'MatMul',
  'Max',
  'MaxPool',
  'Mean',
  'Min',
  'Mish',
  'Mod',
  'Mul',
  'Neg',
  'Pad',
  'Pow',
  'PRelu',
  'Range',
  'Reciprocal',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
  'ReduceLogSumExp',
  'ReduceMax',
  'ReduceMean',
  'ReduceMin',
  'ReduceProd',
  'ReduceSum',
  'ReduceSumSquare',
  'Relu',
  'Reshape',
  'Resize',
  'ReverseSequence',
  'Round',
  'ScatterElements',
  'ScatterND',
  'Selu',
  'Shrink',
  'Sigmoid',
  'Sign',
  'Sin',
  'Sinh',
  'Slice',
  'Softmax',
  'Softplus',
  'Softsign',
  'SpaceToDepth',
  'Split',
  'Sqrt',
  'Squeeze',
  'Sub',
  'Sum',
  'Tan',
  'Tanh',
  'ThresholdedRelu',
  'Tile',
  'Transpose',
  'Trilu',
  'Unsqueeze',
  'Upsample',
]);
const TO_BOOL = new Set([
  'And',
  'Equal',
  'Greater',
  'GreaterOrEqual',
  'IsInf',
  'IsNaN',
  'Less',
  'LessOrEqual',
  'Not',
  'Or',
  'Xor',
]);
const TO_INT64 = new Set(['ArgMax', 'ArgMin', 'NonZero', 'Shape', 'Size']);

const intAttr = (n: OnnxNode, name: string): number | undefined => {
  const a = n.attributes?.[name];
  return a?.kind === 'int' ? Number(a.value) : undefined;
};

/** The element type a Constant (or ConstantOfShape's value) holds. */
function constantType(a: OnnxAttribute | undefined): OnnxDataType | undefined {
  if (a === undefined) return undefined;
  if (a.kind === 'tensor') return a.value.dataType;
  if (a.kind === 'float' || a.kind === 'floats') return OnnxDataType.FLOAT;
  if (a.kind === 'int' || a.kind === 'ints') return OnnxDataType.INT64;
  return undefined;
}

function constantOf(n: OnnxNode): OnnxDataType | undefined {
  for (const key of ['value', 'value_float', 'value_floats', 'value_int', 'value_ints']) {
    const t = constantType(n.attributes?.[key]);
    if (t !== undefined) return t;
  }
  return undefined;
}

/** Output element types of one node, or undefined when no rule knows the op. */
function ruleFor(
  n: OnnxNode,
  typeOf: (v: string) => OnnxDataType | undefined,
): (OnnxDataType | undefined)[] | undefined {
  const op = n.opType;
  const first = () => typeOf(n.inputs[0] ?? '');
  const all = (t: OnnxDataType | undefined) => n.outputs.map(() => t);
  if (n.domain !== undefined && n.domain !== '' && n.domain !== 'ai.onnx' && n.domain !== 'com.microsoft')
    return undefined;
  if (SAME_AS_FIRST.has(op)) return all(first());
  if (TO_BOOL.has(op)) return all(OnnxDataType.BOOL);
  if (TO_INT64.has(op)) return all(OnnxDataType.INT64);
  switch (op) {
    case 'Cast': {
      const to = intAttr(n, 'to');
      return [to as OnnxDataType | undefined];
    }
    case 'CastLike':
      return [typeOf(n.inputs[1] ?? '')];
    case 'Constant':
      return [constantOf(n)];
    case 'ConstantOfShape':
      return [constantType(n.attributes?.value) ?? OnnxDataType.FLOAT];
    case 'Where':
      return [typeOf(n.inputs[1] ?? '')];
    case 'Dropout':
      return [first(), OnnxDataType.BOOL].slice(0, n.outputs.length);
    case 'TopK':
      return [first(), OnnxDataType.INT64];
    case 'LayerNormalization':
      // Mean and InvStdDev are in the stash type (float32 unless stash_type says otherwise).
      return [first(), OnnxDataType.FLOAT, OnnxDataType.FLOAT].slice(0, n.outputs.length);
    case 'DynamicQuantizeLinear':
      return [OnnxDataType.UINT8, OnnxDataType.FLOAT, OnnxDataType.UINT8];
    case 'QuantizeLinear':
      return [typeOf(n.inputs[2] ?? '') ?? OnnxDataType.UINT8];
    case 'DequantizeLinear':
      return [typeOf(n.inputs[1] ?? '')];
    case 'MatMulInteger':
    case 'ConvInteger':
      return [OnnxDataType.INT32];
    case 'OneHot':
      return [typeOf(n.inputs[2] ?? '')];
    case 'EyeLike':
    case 'RandomNormalLike':
    case 'RandomUniformLike':
    case 'Bernoulli':
      return [(intAttr(n, 'dtype') as OnnxDataType | undefined) ?? first()];
    case 'RandomNormal':
    case 'RandomUniform':
      return [(intAttr(n, 'dtype') as OnnxDataType | undefined) ?? OnnxDataType.FLOAT];
    default:
      return undefined;
  }
}

/**
 * Element types of every value: graph inputs, initializers, then each node in order (`nodes` must be
 * sorted). Where no rule knows an op, the model's own value_info may say; otherwise E_DERIVE_INPUT names
 * the op, since guessing would make the converter insert wrong casts.
 */
export function inferElemTypes(model: OnnxModel, nodes: readonly OnnxNode[], what: string): Map<string, OnnxDataType> {
  const types = new Map<string, OnnxDataType>();
  for (const v of model.inputs) types.set(v.name, v.elemType);
  for (const t of model.initializers) types.set(t.name, t.dataType);
  const declared = new Map<string, OnnxDataType>();
  for (const v of [...(model.valueInfo ?? []), ...model.outputs]) declared.set(v.name, v.elemType);
  const typeOf = (v: string) => types.get(v);
  for (const n of nodes) {
    if (Object.values(n.attributes ?? {}).some((a) => a.kind === 'graph' || a.kind === 'graphs')) {
      throw new ParityError(
        'E_DERIVE_INPUT',
        `${what}: node ${n.name || n.opType} (${n.opType}) holds a subgraph; control flow (If, Loop, Scan) is not converted`,
      );
    }
    const rule = ruleFor(n, typeOf);
    n.outputs.forEach((o, i) => {
      if (o === '') return;
      const t = rule?.[i] ?? declared.get(o);
      if (t === undefined) {
        throw new ParityError(
          'E_DERIVE_INPUT',
          `${what}: cannot tell the element type of ${o}, output ${i} of node ${n.name || n.opType} (${n.domain ? `${n.domain}.` : ''}${n.opType}); expected a standard ONNX op or a value_info entry for it`,
        );
      }
      types.set(o, t);
    });
  }
  return types;
}

export const isFloat = (t: OnnxDataType | undefined): boolean => t === OnnxDataType.FLOAT;
