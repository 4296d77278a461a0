export { OnnxGraphBuilder } from './graph-builder.ts';
export {
  type OnnxAttribute,
  OnnxDataType,
  type OnnxInitializer,
  type OnnxModel,
  type OnnxNode,
  type OnnxValueInfo,
} from './types.ts';
export { encodeOnnxModel } from './writer.ts';
