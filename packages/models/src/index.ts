export type { EmbeddingFact, ModelFacts } from './artifact/facts.ts';
export { factsOf } from './artifact/facts.ts';
export { type HfFacts, isHfFolder, readHfFolder } from './hf/reader.ts';
export { type InspectOptions, inspectFindings } from './inspect/findings.ts';
export { parseTarget, TARGET_RUNTIMES, type Target, type TargetRuntime } from './inspect/targets.ts';
export { detectFormat, loadModel, loadModelSync, readModelBytes, readModelFile } from './load.ts';
export * from './onnx/index.ts';
export {
  decodeOnnx,
  looksLikeOnnx,
  type OnnxFacts,
  QUANT_OPS,
  readOnnx,
  STANDARD_ONNX_DOMAINS,
} from './onnx/reader.ts';
export * from './tfjs/index.ts';
export { looksLikeTfjs, readTfjs, readTfjsFile, type TfjsFacts } from './tfjs/reader.ts';
export { type TfliteFacts, tfliteArtifact } from './tflite/artifact.ts';
export { BUILTIN_CODE, BUILTIN_OPERATOR_NAMES, builtinName } from './tflite/builtin-names.ts';
export { FlatBufferReader } from './tflite/flatbuffer.ts';
export * from './tflite/index.ts';
export { isTflite, readTfliteFile, type TfliteFile, type TfliteOperatorCode } from './tflite/reader.ts';
export {
  compareVersions,
  OP_TABLE_NEWEST_RUNTIME,
  OP_VERSION_MIN_RUNTIME,
  type OpVersionStatus,
  opVersionStatus,
} from './tflite/runtime-versions.ts';
