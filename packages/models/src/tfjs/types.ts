/** TensorFlow DataType names as GraphDef JSON spells them. */
export type TfDType = 'DT_FLOAT' | 'DT_INT32' | 'DT_BOOL';

/** An AttrValue in GraphDef's JSON mapping (int64 fields are strings, bytes base64, in proto3 JSON). */
export type TfjsAttr =
  | { readonly type: TfDType }
  | { readonly b: boolean }
  | { readonly i: string }
  | { readonly f: number }
  | { readonly shape: TfShapeJson }
  | { readonly tensor: { readonly dtype: TfDType; readonly tensorShape: TfShapeJson } }
  | { readonly s: string }
  | {
      readonly list: {
        readonly i?: readonly string[];
        readonly type?: readonly TfDType[];
        /** Strings are bytes in GraphDef: base64 in proto3 JSON (e.g. "Qmlhc0FkZA==" for BiasAdd). */
        readonly s?: readonly string[];
      };
    };

export interface TfShapeJson {
  readonly dim?: readonly { readonly size: string }[];
  readonly unknownRank?: boolean;
}

export interface TfjsNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  readonly attr?: Readonly<Record<string, TfjsAttr>>;
}

/** How a weight is stored in the shards (tfjs-converter's --quantize_float16 / --quantize_uint8). */
export type TfjsWeightQuantization =
  | { readonly dtype: 'float16' }
  | { readonly dtype: 'uint8'; readonly min: number; readonly scale: number };

/** A Const node's value: `data` holds the stored bytes (already quantized when `quantization` is set). */
export interface TfjsWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly data: Uint8Array;
  readonly quantization?: TfjsWeightQuantization;
}

export interface TfjsSignatureEntry {
  /** Tensor name, node:output (e.g. "input_ids:0", "Identity:0"). */
  readonly name: string;
  readonly dtype: TfDType;
  /** -1 for dynamic dimensions. */
  readonly shape: readonly number[];
}

export interface TfjsGraphModel {
  readonly generatedBy: string;
  readonly convertedBy: string;
  /** Non-Const nodes, in any order (GraphDef is unordered). Const nodes are made from `weights`. */
  readonly nodes: readonly TfjsNode[];
  readonly weights: readonly TfjsWeight[];
  readonly signature: {
    readonly inputs: Readonly<Record<string, TfjsSignatureEntry>>;
    readonly outputs: Readonly<Record<string, TfjsSignatureEntry>>;
  };
  readonly userDefinedMetadata?: Readonly<Record<string, unknown>>;
}

export interface TfjsArtifacts {
  /** model.json text. */
  readonly modelJson: string;
  /** Weight shard files, named as the manifest's paths. */
  readonly shards: readonly { readonly path: string; readonly bytes: Uint8Array }[];
}
