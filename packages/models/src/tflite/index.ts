export { TfliteGraphBuilder } from './graph-builder.ts';
export { ActivationFunctionType, BuiltinOperator, BuiltinOptionsType, TfliteTensorType } from './schema.ts';
export type {
  TfliteModel,
  TfliteOpcode,
  TfliteOperator,
  TfliteOptionField,
  TfliteOptions,
  TfliteQuantization,
  TfliteSignature,
  TfliteTensor,
} from './types.ts';
export { encodeTfliteModel } from './writer.ts';
