export { Constants, constantTensor, type FoldedConstant } from './constants.ts';
export {
  DERIVED_PRECISIONS,
  type DerivedPrecision,
  type DeriveOptions,
  type DeriveResult,
  deriveModel,
  deriveOnnxFile,
} from './derive.ts';
export { inferElemTypes } from './elem-types.ts';
export {
  convertToFloat16,
  DEFAULT_FLOAT16_CLIP,
  DEFAULT_OP_BLOCK_LIST,
  type Float16Options,
  type Float16Report,
} from './float16.ts';
export { sortNodes } from './graph.ts';
export { type Int8Options, type Int8Report, quantizeDynamicInt8, quantizeSymmetric } from './int8.ts';
export { type Float16Clip, toFloat16Clipped } from './tensors.ts';
