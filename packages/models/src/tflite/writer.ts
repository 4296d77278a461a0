import { ParityError } from '@bert-parity/core';
import { Builder } from 'flatbuffers';
import { BuiltinOperator, TFLITE_FILE_IDENTIFIER, TFLITE_SCHEMA_VERSION, TfliteTensorType } from './schema.ts';
import type { TfliteModel, TfliteOpcode, TfliteOptions, TfliteTensor } from './types.ts';

type Offset = number;

const ELEMENT_BYTES: Readonly<Record<number, number>> = {
  [TfliteTensorType.FLOAT32]: 4,
  [TfliteTensorType.FLOAT16]: 2,
  [TfliteTensorType.INT32]: 4,
  [TfliteTensorType.UINT8]: 1,
  [TfliteTensorType.INT64]: 8,
  [TfliteTensorType.BOOL]: 1,
  [TfliteTensorType.INT8]: 1,
};

/**
 * Serializes a model as a TFLite flatbuffer (schema version 3, identifier TFL3) with one subgraph.
 * Buffer 0 is the empty sentinel the schema requires; each constant tensor gets its own buffer, aligned to
 * 16 bytes as the schema's force_align asks. Operator codes are deduplicated in order of first use.
 */
export function encodeTfliteModel(model: TfliteModel): Uint8Array {
  validate(model);
  const dataBytes = model.tensors.reduce((n, t) => n + (t.data?.byteLength ?? 0) + 32, 0);
  const b = new Builder(dataBytes + 65536);

  // Buffers first: the large payloads, written once.
  const buffers: Offset[] = [table(b, 3, () => {})];
  const tensorBuffer = model.tensors.map((t) => {
    if (t.data === undefined) return 0;
    const data = alignedBytes(b, t.data, 16);
    buffers.push(table(b, 3, () => b.addFieldOffset(0, data, 0)));
    return buffers.length - 1;
  });
  const metadataBuffers = (model.metadata ?? []).map((m) => {
    const data = alignedBytes(b, m.data, 16);
    buffers.push(table(b, 3, () => b.addFieldOffset(0, data, 0)));
    return buffers.length - 1;
  });

  const opcodes: TfliteOpcode[] = [];
  const opcodeIndex = new Map<string, number>();
  for (const op of model.operators) {
    const key = JSON.stringify(op.opcode);
    if (!opcodeIndex.has(key)) {
      opcodeIndex.set(key, opcodes.length);
      opcodes.push(op.opcode);
    }
  }

  const tensors = model.tensors.map((t, i) => writeTensor(b, t, tensorBuffer[i] as number));
  const operators = model.operators.map((op) => {
    const inputs = int32Vector(b, op.inputs);
    const outputs = int32Vector(b, op.outputs);
    const options = op.options === undefined ? 0 : writeOptions(b, op.options);
    const custom = op.customOptions === undefined ? 0 : b.createByteVector(op.customOptions);
    return table(b, 7, () => {
      b.addFieldInt32(0, opcodeIndex.get(JSON.stringify(op.opcode)) as number, 0);
      b.addFieldOffset(1, inputs, 0);
      b.addFieldOffset(2, outputs, 0);
      if (op.options !== undefined) {
        b.addFieldInt8(3, op.options.type, 0);
        b.addFieldOffset(4, options, 0);
      }
      if (custom !== 0) b.addFieldOffset(5, custom, 0);
    });
  });
  const subgraphName = b.createString(model.subgraphName);
  const tensorsVec = offsetVector(b, tensors);
  const inputsVec = int32Vector(b, model.inputs);
  const outputsVec = int32Vector(b, model.outputs);
  const operatorsVec = offsetVector(b, operators);
  const subgraph = table(b, 5, () => {
    b.addFieldOffset(0, tensorsVec, 0);
    b.addFieldOffset(1, inputsVec, 0);
    b.addFieldOffset(2, outputsVec, 0);
    b.addFieldOffset(3, operatorsVec, 0);
    b.addFieldOffset(4, subgraphName, 0);
  });

  const opcodeTables = opcodes.map((code) => writeOpcode(b, code));
  const signatures = model.signatures.map((s) => {
    const map = (entries: readonly { name: string; tensor: number }[]) =>
      offsetVector(
        b,
        entries.map((e) => {
          const name = b.createString(e.name);
          return table(b, 2, () => {
            b.addFieldOffset(0, name, 0);
            b.addFieldInt32(1, e.tensor, 0);
          });
        }),
      );
    const inputs = map(s.inputs);
    const outputs = map(s.outputs);
    const key = b.createString(s.key);
    return table(b, 5, () => {
      b.addFieldOffset(0, inputs, 0);
      b.addFieldOffset(1, outputs, 0);
      b.addFieldOffset(2, key, 0);
      b.addFieldInt32(4, 0, 0);
    });
  });
  const metadata = (model.metadata ?? []).map((m, i) => {
    const name = b.createString(m.name);
    return table(b, 2, () => {
      b.addFieldOffset(0, name, 0);
      b.addFieldInt32(1, metadataBuffers[i] as number, 0);
    });
  });

  const opcodesVec = offsetVector(b, opcodeTables);
  const subgraphsVec = offsetVector(b, [subgraph]);
  const description = b.createString(model.description);
  const buffersVec = offsetVector(b, buffers);
  const metadataVec = metadata.length > 0 ? offsetVector(b, metadata) : 0;
  const signaturesVec = signatures.length > 0 ? offsetVector(b, signatures) : 0;
  const root = table(b, 8, () => {
    b.addFieldInt32(0, TFLITE_SCHEMA_VERSION, 0);
    b.addFieldOffset(1, opcodesVec, 0);
    b.addFieldOffset(2, subgraphsVec, 0);
    b.addFieldOffset(3, description, 0);
    b.addFieldOffset(4, buffersVec, 0);
    if (metadataVec !== 0) b.addFieldOffset(6, metadataVec, 0);
    if (signaturesVec !== 0) b.addFieldOffset(7, signaturesVec, 0);
  });
  b.finish(root, TFLITE_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}

function table(b: Builder, fields: number, body: () => void): Offset {
  b.startObject(fields);
  body();
  return b.endObject();
}

/** A [ubyte] vector whose first element is `alignment`-aligned in the final buffer. */
function alignedBytes(b: Builder, data: Uint8Array, alignment: number): Offset {
  b.prep(alignment, data.byteLength); // pad so the data that follows ends on (and starts at) the alignment
  return b.createByteVector(data);
}

function int32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i] as number);
  return b.endVector();
}

function float32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i] as number);
  return b.endVector();
}

function int64Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i] as number));
  return b.endVector();
}

function offsetVector(b: Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i] as Offset);
  return b.endVector();
}

function writeTensor(b: Builder, t: TfliteTensor, buffer: number): Offset {
  const shape = int32Vector(b, t.shape);
  const name = b.createString(t.name);
  const signature = t.shapeSignature === undefined ? 0 : int32Vector(b, t.shapeSignature);
  let quantization = 0;
  if (t.quantization !== undefined) {
    const q = t.quantization;
    const scale = float32Vector(b, q.scale);
    const zeroPoint = int64Vector(b, q.zeroPoint);
    quantization = table(b, 7, () => {
      b.addFieldOffset(2, scale, 0);
      b.addFieldOffset(3, zeroPoint, 0);
      b.addFieldInt32(6, q.quantizedDimension, 0);
    });
  }
  return table(b, 10, () => {
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, t.type, 0);
    b.addFieldInt32(2, buffer, 0);
    b.addFieldOffset(3, name, 0);
    if (quantization !== 0) b.addFieldOffset(4, quantization, 0);
    if (signature !== 0) b.addFieldOffset(7, signature, 0);
    b.addFieldInt8(8, 1, 0); // has_rank: every tensor here has a known rank
  });
}

function writeOpcode(b: Builder, code: TfliteOpcode): Offset {
  if ('custom' in code) {
    const name = b.createString(code.custom);
    return table(b, 4, () => {
      b.addFieldInt8(0, BuiltinOperator.CUSTOM, 0);
      b.addFieldOffset(1, name, 0);
      b.addFieldInt32(2, code.version, 1);
      b.addFieldInt32(3, BuiltinOperator.CUSTOM, 0);
    });
  }
  // Old readers look only at the byte field, new ones at the larger of the two (schema comment on OperatorCode).
  const deprecated = Math.min(code.builtin, BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES);
  return table(b, 4, () => {
    b.addFieldInt8(0, deprecated, 0);
    b.addFieldInt32(2, code.version, 1);
    b.addFieldInt32(3, code.builtin, 0);
  });
}

function writeOptions(b: Builder, options: TfliteOptions): Offset {
  const vectors = new Map<number, Offset>();
  for (const f of options.fields) if (f.kind === 'int32[]') vectors.set(f.slot, int32Vector(b, f.value));
  const slots = options.fields.reduce((n, f) => Math.max(n, f.slot + 1), 0);
  return table(b, slots, () => {
    for (const f of options.fields) {
      switch (f.kind) {
        case 'bool':
        case 'int8':
          b.addFieldInt8(f.slot, f.value, 0);
          break;
        case 'int32':
          b.addFieldInt32(f.slot, f.value, 0);
          break;
        case 'float32':
          b.addFieldFloat32(f.slot, f.value, 0);
          break;
        case 'int32[]':
          b.addFieldOffset(f.slot, vectors.get(f.slot) as Offset, 0);
          break;
      }
    }
  });
}

function validate(model: TfliteModel): void {
  const n = model.tensors.length;
  const check = (index: number, where: string) => {
    if (!Number.isInteger(index) || index < -1 || index >= n) {
      throw new ParityError('E_MODEL_WRITE', `TFLite ${where} refers to tensor ${index}; the model has ${n} tensors`);
    }
  };
  model.tensors.forEach((t) => {
    if (t.data === undefined) return;
    const expected = t.shape.reduce((a, d) => a * d, 1) * (ELEMENT_BYTES[t.type] ?? Number.NaN);
    if (t.data.byteLength !== expected) {
      throw new ParityError(
        'E_MODEL_WRITE',
        `TFLite tensor ${t.name} has ${t.data.byteLength} bytes; expected ${expected} for shape [${t.shape.join(', ')}]`,
      );
    }
  });
  for (const i of model.inputs) check(i, 'subgraph input');
  for (const i of model.outputs) check(i, 'subgraph output');
  model.operators.forEach((op, k) => {
    for (const i of op.inputs) check(i, `operator ${k} input`);
    for (const i of op.outputs) check(i, `operator ${k} output`);
  });
  for (const s of model.signatures) {
    for (const e of [...s.inputs, ...s.outputs]) check(e.tensor, `signature ${s.key} entry ${e.name}`);
  }
}
