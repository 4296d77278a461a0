export { TfjsGraphBuilder } from './graph-builder.ts';
export type {
  TfDType,
  TfjsArtifacts,
  TfjsAttr,
  TfjsGraphModel,
  TfjsNode,
  TfjsSignatureEntry,
  TfjsWeight,
  TfjsWeightQuantization,
} from './types.ts';
export { DEFAULT_SHARD_BYTES, writeTfjsGraphModel } from './writer.ts';
