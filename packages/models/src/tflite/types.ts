import type { TfliteTensorType } from './schema.ts';

/** Per-axis (or per-tensor, one entry) affine quantization: real = scale * (q - zeroPoint). */
export interface TfliteQuantization {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly quantizedDimension: number;
}

export interface TfliteTensor {
  readonly name: string;
  readonly type: TfliteTensorType;
  readonly shape: readonly number[];
  /** Shape with -1 for dynamic dimensions, if any. */
  readonly shapeSignature?: readonly number[];
  /** Constant data (little-endian); absent for activations and inputs. */
  readonly data?: Uint8Array;
  readonly quantization?: TfliteQuantization;
}

/** One field of a builtin options table: its slot (declaration index) and scalar or int vector value. */
export type TfliteOptionField =
  | { readonly slot: number; readonly kind: 'bool' | 'int8' | 'int32' | 'float32'; readonly value: number }
  | { readonly slot: number; readonly kind: 'int32[]'; readonly value: readonly number[] };

export interface TfliteOptions {
  /** BuiltinOptions union type id. */
  readonly type: number;
  readonly fields: readonly TfliteOptionField[];
}

export type TfliteOpcode =
  | { readonly builtin: number; readonly version: number }
  | { readonly custom: string; readonly version: number };

export interface TfliteOperator {
  readonly opcode: TfliteOpcode;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly options?: TfliteOptions;
  /** Opaque bytes for a custom op (flexbuffer by convention). */
  readonly customOptions?: Uint8Array;
}

export interface TfliteSignature {
  readonly key: string;
  readonly inputs: readonly { readonly name: string; readonly tensor: number }[];
  readonly outputs: readonly { readonly name: string; readonly tensor: number }[];
}

export interface TfliteModel {
  readonly description: string;
  readonly subgraphName: string;
  readonly tensors: readonly TfliteTensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly operators: readonly TfliteOperator[];
  readonly signatures: readonly TfliteSignature[];
  /** Model.metadata entries, each stored in its own buffer (e.g. min_runtime_version). */
  readonly metadata?: readonly { readonly name: string; readonly data: Uint8Array }[];
}
