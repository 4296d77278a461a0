import { FlatBufferReader, type Table } from './flatbuffer.ts';
import { BuiltinOperator, TFLITE_FILE_IDENTIFIER } from './schema.ts';
import type { TfliteQuantization } from './types.ts';

/** What the reader takes from a .tflite file: the schema's tables, as plain data, offsets resolved. */
export interface TfliteFile {
  readonly schemaVersion: number;
  readonly description: string;
  readonly operatorCodes: readonly TfliteOperatorCode[];
  readonly subgraphs: readonly TfliteSubgraph[];
  readonly buffers: readonly TfliteBuffer[];
  readonly metadata: readonly { readonly name: string; readonly buffer: number }[];
  readonly signatures: readonly TfliteSignatureDef[];
}

export interface TfliteOperatorCode {
  /** max(deprecated_builtin_code, builtin_code), the code TFLite itself uses (schema_utils GetBuiltinCode). */
  readonly code: number;
  readonly deprecatedBuiltinCode: number;
  readonly builtinCode: number;
  readonly customCode?: string;
  readonly version: number;
}

export interface TfliteReadTensor {
  readonly name: string;
  readonly type: number;
  readonly shape: readonly number[];
  readonly shapeSignature?: readonly number[];
  readonly buffer: number;
  readonly quantization?: TfliteQuantization;
}

export interface TfliteReadOperator {
  readonly opcodeIndex: number;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

export interface TfliteSubgraph {
  readonly name: string;
  readonly tensors: readonly TfliteReadTensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly operators: readonly TfliteReadOperator[];
}

/** Where a buffer's bytes are: inside the flatbuffer (data vector) or, for >2 GB models, at offset/size. */
export interface TfliteBuffer {
  readonly start: number;
  readonly size: number;
  readonly external: boolean;
}

export interface TfliteSignatureDef {
  readonly key: string;
  readonly subgraphIndex: number;
  readonly inputs: readonly { readonly name: string; readonly tensor: number }[];
  readonly outputs: readonly { readonly name: string; readonly tensor: number }[];
}

/** True when the bytes carry the TFLite file identifier at offset 4. */
export function isTflite(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 8) return false;
  for (let i = 0; i < 4; i++) if (bytes[4 + i] !== TFLITE_FILE_IDENTIFIER.charCodeAt(i)) return false;
  return true;
}

/**
 * Parses a TFLite flatbuffer (schema.fbs, version 3). Checks what the runtime would otherwise trip over:
 * every offset inside the file, every tensor/opcode/buffer index in range, buffer offset/size within the
 * file. Throws E_MODEL_CORRUPT naming the file, the bad value and what was expected.
 */
export function readTfliteFile(bytes: Uint8Array, what: string): TfliteFile {
  const r = new FlatBufferReader(bytes, what);
  if (!isTflite(bytes)) {
    r.fail(`file identifier is ${JSON.stringify(new TextDecoder().decode(bytes.subarray(4, 8)))}; expected "TFL3"`);
  }
  const model = r.table(r.deref(0, 'root table'), 'Model');

  // Model fields: 0 version, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers, 5 metadata_buffer,
  // 6 metadata, 7 signature_defs.
  const operatorCodes = model.tables(1, 'operator_codes').map(readOpcode);
  const buffers = model.tables(4, 'buffers').map((b, i) => readBuffer(r, b, i));
  const subgraphs = model
    .tables(2, 'subgraphs')
    .map((s, i) => readSubgraph(r, s, i, operatorCodes.length, buffers.length));
  if (subgraphs.length === 0) r.fail('the model has no subgraphs; expected at least the main one');
  const metadata = model.tables(6, 'metadata').map((m, i) => {
    const buffer = m.u32(1, 0);
    if (buffer >= buffers.length) r.fail(`metadata[${i}] refers to buffer ${buffer}; the model has ${buffers.length}`);
    return { name: m.string(0) ?? '', buffer };
  });
  const signatures = model.tables(7, 'signature_defs').map((s, i) => readSignature(r, s, i, subgraphs));
  return {
    schemaVersion: model.u32(0, 0),
    description: model.string(3) ?? '',
    operatorCodes,
    subgraphs,
    buffers,
    metadata,
    signatures,
  };
}

function readOpcode(t: Table): TfliteOperatorCode {
  // OperatorCode: 0 deprecated_builtin_code (byte), 1 custom_code, 2 version (default 1), 3 builtin_code.
  const deprecatedBuiltinCode = t.i8(0, 0);
  const builtinCode = t.i32(3, 0);
  const customCode = t.string(1);
  const code = Math.max(deprecatedBuiltinCode, builtinCode);
  const base = { code, deprecatedBuiltinCode, builtinCode, version: t.i32(2, 1) };
  return customCode === undefined || code !== BuiltinOperator.CUSTOM ? base : { ...base, customCode };
}

function readBuffer(r: FlatBufferReader, t: Table, index: number): TfliteBuffer {
  // Buffer: 0 data [ubyte], 1 offset (ulong), 2 size (ulong). offset > 1 means data outside the flatbuffer.
  const offset = t.u64(1, 0);
  if (offset > 1) {
    const size = t.u64(2, 0);
    if (offset + size > r.length) {
      r.fail(`buffer ${index} points at bytes ${offset}..${offset + size}; the file has ${r.length}`);
    }
    return { start: offset, size, external: true };
  }
  const data = t.vector(0, 1, `buffers[${index}].data`);
  return data === undefined
    ? { start: 0, size: 0, external: false }
    : { start: data.start, size: data.length, external: false };
}

function readSubgraph(
  r: FlatBufferReader,
  t: Table,
  index: number,
  opcodeCount: number,
  bufferCount: number,
): TfliteSubgraph {
  const where = `subgraphs[${index}]`;
  const tensors = t.tables(0, `${where}.tensors`).map((tensor, i) => {
    const out = readTensor(tensor, `${where}.tensors[${i}]`);
    if (out.buffer >= bufferCount)
      r.fail(`${where}.tensors[${i}] refers to buffer ${out.buffer}; the model has ${bufferCount}`);
    return out;
  });
  const checkIndices = (list: number[] | undefined, what: string, allowOptional: boolean): number[] => {
    for (const i of list ?? []) {
      if (i >= tensors.length || i < (allowOptional ? -1 : 0)) {
        r.fail(`${where}.${what} refers to tensor ${i}; the subgraph has ${tensors.length}`);
      }
    }
    return list ?? [];
  };
  const operators = t.tables(3, `${where}.operators`).map((op, k) => {
    const opcodeIndex = op.u32(0, 0);
    if (opcodeIndex >= opcodeCount) {
      r.fail(`${where}.operators[${k}] uses opcode ${opcodeIndex}; the model has ${opcodeCount} operator codes`);
    }
    return {
      opcodeIndex,
      inputs: checkIndices(op.int32s(1, 'operator inputs'), `operators[${k}].inputs`, true),
      outputs: checkIndices(op.int32s(2, 'operator outputs'), `operators[${k}].outputs`, false),
    };
  });
  return {
    name: t.string(4) ?? '',
    tensors,
    inputs: checkIndices(t.int32s(1, `${where}.inputs`), 'inputs', false),
    outputs: checkIndices(t.int32s(2, `${where}.outputs`), 'outputs', false),
    operators,
  };
}

function readTensor(t: Table, what: string): TfliteReadTensor {
  // Tensor: 0 shape, 1 type, 2 buffer, 3 name, 4 quantization, 5 is_variable, 6 sparsity, 7 shape_signature.
  const base = {
    name: t.string(3) ?? '',
    type: t.i8(1, 0),
    shape: t.int32s(0, `${what}.shape`) ?? [],
    buffer: t.u32(2, 0),
  };
  const signature = t.int32s(7, `${what}.shape_signature`);
  const q = t.table(4, `${what}.quantization`);
  // QuantizationParameters: 0 min, 1 max, 2 scale, 3 zero_point, 4/5 details union, 6 quantized_dimension.
  const scale = q?.float32s(2, `${what}.quantization.scale`);
  const quantization =
    q === undefined || scale === undefined || scale.length === 0
      ? undefined
      : { scale, zeroPoint: q.int64s(3, `${what}.quantization.zero_point`) ?? [], quantizedDimension: q.i32(6, 0) };
  return {
    ...base,
    ...(signature === undefined ? {} : { shapeSignature: signature }),
    ...(quantization === undefined ? {} : { quantization }),
  };
}

function readSignature(
  r: FlatBufferReader,
  t: Table,
  index: number,
  subgraphs: readonly TfliteSubgraph[],
): TfliteSignatureDef {
  // SignatureDef: 0 inputs, 1 outputs, 2 signature_key, 3 deprecated_tag, 4 subgraph_index. TensorMap: 0 name, 1 tensor_index.
  const subgraphIndex = t.u32(4, 0);
  const subgraph = subgraphs[subgraphIndex];
  if (subgraph === undefined) {
    r.fail(`signature_defs[${index}] refers to subgraph ${subgraphIndex}; the model has ${subgraphs.length}`);
  }
  const entries = (slot: number, what: string) =>
    t.tables(slot, `signature_defs[${index}].${what}`).map((m, i) => {
      const tensor = m.u32(1, 0);
      if (tensor >= subgraph.tensors.length) {
        r.fail(
          `signature_defs[${index}].${what}[${i}] refers to tensor ${tensor}; subgraph ${subgraphIndex} has ${subgraph.tensors.length}`,
        );
      }
      return { name: m.string(0) ?? '', tensor };
    });
  return { key: t.string(2) ?? '', subgraphIndex, inputs: entries(0, 'inputs'), outputs: entries(1, 'outputs') };
}
