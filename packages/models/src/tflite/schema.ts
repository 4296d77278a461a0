/**
 * Numbers from the TFLite flatbuffer schema (tensorflow/compiler/mlir/lite/schema/schema.fbs, file
 * identifier "TFL3", schema version 3) for the parts this project writes. Field slots are the
 * declaration order of each table's fields; union type ids are 1 + the member's position in the union.
 */
export const TFLITE_SCHEMA_VERSION = 3;
export const TFLITE_FILE_IDENTIFIER = 'TFL3';

export const TfliteTensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  BOOL: 6,
  INT8: 9,
} as const;
export type TfliteTensorType = (typeof TfliteTensorType)[keyof typeof TfliteTensorType];

export const BuiltinOperator = {
  ADD: 0,
  CONCATENATION: 2,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  MUL: 18,
  RELU: 19,
  RESHAPE: 22,
  SOFTMAX: 25,
  TANH: 28,
  CUSTOM: 32,
  PAD: 34,
  GATHER: 36,
  TRANSPOSE: 39,
  MEAN: 40,
  SUB: 41,
  STRIDED_SLICE: 45,
  CAST: 53,
  RSQRT: 76,
  SQUARED_DIFFERENCE: 99,
  BATCH_MATMUL: 126,
  /** OperatorCode.deprecated_builtin_code holds this for every code >= 127; builtin_code holds the real one. */
  PLACEHOLDER_FOR_GREATER_OP_CODES: 127,
  GELU: 150,
  /** The last code in the schema at the time of writing; anything above is unknown to every runtime. */
  COMPLEX: 207,
} as const;

/** BuiltinOptions union type ids. */
export const BuiltinOptionsType = {
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  GatherOptions: 23,
  TransposeOptions: 26,
  ReducerOptions: 27,
  SubOptions: 28,
  StridedSliceOptions: 32,
  CastOptions: 37,
  DequantizeOptions: 38,
  SquaredDifferenceOptions: 76,
  BatchMatMulOptions: 101,
  GeluOptions: 116,
} as const;

export const ActivationFunctionType = { NONE: 0, RELU: 1, TANH: 4 } as const;
