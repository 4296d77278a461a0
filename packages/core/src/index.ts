export { ERROR_CODES, type ErrorCode, isParityError, ParityError } from './errors.ts';
export { fromFloat16Bits, roundToFloat16, toFloat16Array, toFloat16Bits } from './float16.ts';
export {
  type LoadedOutputGoldens,
  OUTPUT_INDEX_FILE,
  OUTPUT_INDEX_FORMAT,
  OUTPUT_INDEX_VERSION,
  type OutputGoldenArray,
  type OutputGoldenEntry,
  type OutputGoldenHeader,
  type OutputGoldenIndex,
  type OutputPrecision,
  outputFileName,
  parseOutputGoldenIndex,
  readOutputGoldens,
  sha256Hex,
  writeFileAtomic,
  writeOutputGoldens,
} from './golden-outputs.ts';
export type {
  Finding,
  FindingSeverity,
  ModelArtifact,
  ModelFormat,
  ModelPrecision,
  ModelSignature,
  OpInfo,
} from './model.ts';
export { decodeNpy, encodeNpy, type NpyArray, type NpyData, type NpyDType, type NpyVersion, npyDescr } from './npy.ts';
export { preview } from './preview.ts';
export type {
  Availability,
  RuntimeAdapter,
  RuntimeEnvironment,
  RuntimeSession,
  SessionOptions,
} from './runtime.ts';
export {
  type DType,
  elementCount,
  type NamedTensors,
  type Tensor,
  type TensorData,
  type TensorSpec,
} from './tensor.ts';
