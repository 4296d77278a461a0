/** TensorProto.DataType values (onnx.proto) for the element types the project reads and writes. */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;
export type OnnxDataType = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** Bytes per element of every OnnxDataType (raw_data is little-endian, packed). */
export const ONNX_ELEMENT_BYTES: Readonly<Record<OnnxDataType, number>> = {
  1: 4,
  2: 1,
  3: 1,
  4: 2,
  5: 2,
  6: 4,
  7: 8,
  9: 1,
  10: 2,
  11: 8,
  12: 4,
  13: 8,
  16: 2,
};

/** TensorProto.DataType names as onnx.proto spells them, for messages. */
export const ONNX_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
};

export type OnnxAttribute =
  /** An int64; a bigint only when the value is beyond Number's safe range (e.g. INT64_MAX in old Slice ends). */
  | { readonly kind: 'int'; readonly value: number | bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly (number | bigint)[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensor'; readonly value: OnnxInitializer }
  | { readonly kind: 'tensors'; readonly value: readonly OnnxInitializer[] }
  | { readonly kind: 'graph'; readonly value: OnnxGraph }
  | { readonly kind: 'graphs'; readonly value: readonly OnnxGraph[] };

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
  /** Operator set domain; absent or '' is the default ONNX domain (ai.onnx). */
  readonly domain?: string;
  readonly docString?: string;
}

/** A constant: raw little-endian bytes of `dims` elements of `dataType`. */
export interface OnnxInitializer {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  readonly raw: Uint8Array;
}

/**
 * A graph input, output or value_info entry. `shape` holds numbers for fixed dims (dim_value), strings
 * for symbolic ones (dim_param) and null for a dim that is neither; a null `shape` is a tensor of unknown
 * rank (no TensorShapeProto at all).
 */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxDataType;
  readonly shape: readonly (number | string | null)[] | null;
}

/** A graph nested in a node attribute (If/Loop/Scan bodies); it may read values of the graphs around it. */
export interface OnnxGraph {
  readonly name: string;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly initializers: readonly OnnxInitializer[];
  readonly nodes: readonly OnnxNode[];
  readonly valueInfo?: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly irVersion: number;
  /** Default-domain opset. */
  readonly opsetVersion: number;
  /** Opsets of other domains (com.microsoft, ai.onnx.ml, ...), written after the default one. */
  readonly opsetImports?: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graphName: string;
  readonly docString?: string;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly initializers: readonly OnnxInitializer[];
  readonly nodes: readonly OnnxNode[];
  /** Types (and shapes) of intermediate values, as exporters and shape inference record them. */
  readonly valueInfo?: readonly OnnxValueInfo[];
  readonly metadata?: Readonly<Record<string, string>>;
}
