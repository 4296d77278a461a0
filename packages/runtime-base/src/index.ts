export { type Binding, bindPorts } from './binding.ts';
export { type BertFeedInput, bertFeeds, encodingFeeds } from './feeds.ts';
export { availableWhen, importRuntime, packageRoot, packageVersion, runtimeError } from './load.ts';
export {
  type AdapterOptions,
  artifactIdsInput,
  artifactVocabSize,
  BaseSession,
  openFixedBatch,
  type RunTimings,
  requireFormat,
  type SessionInit,
} from './session.ts';
export {
  castInteger,
  concatRows,
  cropDim1,
  describeSpec,
  intAt,
  isInteger,
  padDim1,
  sliceRow,
  tensor,
} from './tensors.ts';
