export {
  type OrtMeta,
  type TextRun,
  TRANSFORMERS_DTYPES,
  TRANSFORMERS_RUNTIME_NAME,
  TransformersAdapter,
  type TransformersDtype,
  type TransformersOptions,
  type TransformersSession,
  transformersModel,
  transformersTensorSpec,
} from './adapter.ts';
export { withoutNetwork } from './offline.ts';
