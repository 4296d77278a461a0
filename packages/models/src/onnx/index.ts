export { type DecodedOnnx, decodeOnnxModel, readOnnxModelFile } from './decode.ts';
export { type ExternalRef, readExternal, resolveExternal } from './external.ts';
export { type WriteOnnxOptions, type WrittenOnnx, writeOnnxFile } from './file.ts';
export { OnnxGraphBuilder } from './graph-builder.ts';
export {
  ONNX_ELEMENT_BYTES,
  ONNX_TYPE_NAMES,
  type OnnxAttribute,
  OnnxDataType,
  type OnnxGraph,
  type OnnxInitializer,
  type OnnxModel,
  type OnnxNode,
  type OnnxValueInfo,
} from './types.ts';
export {
  EXTERNAL_DATA_ALIGNMENT,
  EXTERNAL_DATA_MIN_BYTES,
  type ExternalLayout,
  type ExternalPlacement,
  encodeOnnxModel,
  externalLayout,
  PROTOBUF_MAX_BYTES,
  protobufLimitError,
} from './writer.ts';
