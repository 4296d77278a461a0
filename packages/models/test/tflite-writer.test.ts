import { ByteBuffer } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import {
  BuiltinOperator,
  encodeTfliteModel,
  TfliteGraphBuilder,
  type TfliteModel,
  TfliteTensorType,
} from '../src/index.ts';

/** Minimal flatbuffer reading by field slot, to check the layout against schema.fbs independently of the writer. */
function table(bb: ByteBuffer, pos: number) {
  const field = (slot: number) => {
    const off = bb.__offset(pos, 4 + 2 * slot);
    return off === 0 ? 0 : pos + off;
  };
  return {
    int8: (slot: number, dflt = 0) => (field(slot) ? bb.readInt8(field(slot)) : dflt),
    int32: (slot: number, dflt = 0) => (field(slot) ? bb.readInt32(field(slot)) : dflt),
    string: (slot: number) => (field(slot) ? (bb.__string(field(slot)) as string) : null),
    tables: (slot: number) => {
      if (!field(slot)) return [];
      const v = bb.__vector(field(slot));
      return Array.from({ length: bb.__vector_len(field(slot)) }, (_, i) => table(bb, bb.__indirect(v + 4 * i)));
    },
    ints: (slot: number) => {
      if (!field(slot)) return [];
      const v = bb.__vector(field(slot));
      return Array.from({ length: bb.__vector_len(field(slot)) }, (_, i) => bb.readInt32(v + 4 * i));
    },
    bytesAt: (slot: number) =>
      field(slot) ? { start: bb.__vector(field(slot)), length: bb.__vector_len(field(slot)) } : null,
  };
}

function model(): TfliteModel {
  const g = new TfliteGraphBuilder();
  const x = g.tensor('x', TfliteTensorType.FLOAT32, [1, 4]);
  const w = g.tensor('w', TfliteTensorType.FLOAT32, [4], {
    data: new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer),
  });
  const y = g.op({ builtin: BuiltinOperator.ADD, version: 1 }, [x, w], {
    name: 'y',
    type: TfliteTensorType.FLOAT32,
    shape: [1, 4],
  });
  const z = g.op({ builtin: BuiltinOperator.GELU, version: 1 }, [y], {
    name: 'z',
    type: TfliteTensorType.FLOAT32,
    shape: [1, 4],
  });
  const out = g.op({ custom: 'MyOp', version: 1 }, [z], { name: 'out', type: TfliteTensorType.FLOAT32, shape: [1, 4] });
  return {
    description: 'd',
    subgraphName: 'main',
    tensors: g.tensors,
    inputs: [x],
    outputs: [out],
    operators: g.operators,
    signatures: [
      { key: 'serving_default', inputs: [{ name: 'in', tensor: x }], outputs: [{ name: 'result', tensor: out }] },
    ],
  };
}

describe('encodeTfliteModel', () => {
  const bytes = encodeTfliteModel(model());
  const bb = new ByteBuffer(bytes);
  const root = table(bb, bb.readInt32(0));

  it('has the TFL3 identifier, schema version 3 and an empty sentinel buffer 0', () => {
    expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe('TFL3');
    expect(root.int32(0)).toBe(3);
    const buffers = root.tables(4);
    expect(buffers[0]?.bytesAt(0)).toBeNull();
    expect(buffers.length).toBe(2);
  });

  it('stores constant data 16-byte aligned, as force_align asks', () => {
    const data = root.tables(4)[1]?.bytesAt(0);
    expect(data?.length).toBe(16);
    expect((data?.start ?? 1) % 16).toBe(0);
    expect(Array.from(new Float32Array(bytes.slice(data?.start, (data?.start ?? 0) + 16).buffer))).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it('writes both builtin code fields: the byte field saturates at 127 for codes above it', () => {
    const codes = root.tables(1).map((c) => [c.int8(0), c.string(1), c.int32(2, 1), c.int32(3)]);
    expect(codes).toEqual([
      [0, null, 1, 0], // ADD
      [127, null, 1, 150], // GELU
      [32, 'MyOp', 1, 32], // CUSTOM
    ]);
  });

  it('writes the SignatureDef with names and tensor indices', () => {
    const sig = root.tables(7)[0];
    expect(sig?.string(2)).toBe('serving_default');
    expect(sig?.tables(0).map((m) => [m.string(0), m.int32(1)])).toEqual([['in', 0]]);
    expect(sig?.tables(1).map((m) => [m.string(0), m.int32(1)])).toEqual([['result', 4]]);
    const sub = root.tables(2)[0];
    expect(sub?.ints(1)).toEqual([0]);
    expect(sub?.tables(0).map((t) => t.string(3))).toEqual(['x', 'w', 'y', 'z', 'out']);
  });

  it('is deterministic and rejects dangling tensor indices', () => {
    expect(Buffer.from(encodeTfliteModel(model())).equals(Buffer.from(bytes))).toBe(true);
    const m = model();
    expect(() => encodeTfliteModel({ ...m, outputs: [99] })).toThrow(
      'TFLite subgraph output refers to tensor 99; the model has 5 tensors',
    );
  });
});
