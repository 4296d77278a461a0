import fc from 'fast-check';
import { concat, MAX_INPUT_BYTES } from './bytes.ts';

/**
 * Protocol Buffers wire-format mutations (the encoding of protobuf.dev "Encoding"): a record is a varint key
 * (field number << 3 | wire type) then a varint, 8 bytes, a varint length and that many bytes, or 4 bytes.
 * The walk treats every length-delimited payload that parses as records as a nested message, so lengths
 * deep inside an ONNX graph are found without the schema.
 */
export type ProtobufOp =
  | { kind: 'length'; field: number; value: number }
  | { kind: 'varint'; field: number; value: bigint }
  | { kind: 'repeat'; field: number; times: number }
  | { kind: 'nest'; depth: number };

interface Field {
  /** Byte offset of the key. */
  start: number;
  /** Offset of the value (after the key), and for length-delimited fields of the payload. */
  valueAt: number;
  payloadAt: number;
  end: number;
  wire: number;
}

function varint(bytes: Uint8Array, at: number): { value: bigint; next: number } | undefined {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    const b = bytes[at + i];
    if (b === undefined) return undefined;
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) return { value, next: at + i + 1 };
  }
  return undefined;
}

export function encodeVarint(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return Uint8Array.from(out);
}

/** The records of bytes[from, to), or undefined when they are not a message. */
function records(bytes: Uint8Array, from: number, to: number): Field[] | undefined {
  const out: Field[] = [];
  let at = from;
  while (at < to) {
    const key = varint(bytes, at);
    if (key === undefined || key.next > to || key.value >> 3n === 0n) return undefined;
    const wire = Number(key.value & 7n);
    let end: number;
    let payloadAt = key.next;
    if (wire === 0) {
      const v = varint(bytes, key.next);
      if (v === undefined) return undefined;
      end = v.next;
    } else if (wire === 1) end = key.next + 8;
    else if (wire === 5) end = key.next + 4;
    else if (wire === 2) {
      const len = varint(bytes, key.next);
      if (len === undefined) return undefined;
      payloadAt = len.next;
      end = len.next + Number(len.value);
    } else return undefined;
    if (end > to) return undefined;
    out.push({ start: at, valueAt: key.next, payloadAt, end, wire });
    at = end;
  }
  return out;
}

/** Every record of the message, nested ones included (payloads that parse as messages), at most `limit`. */
export function walkProtobuf(bytes: Uint8Array, limit = 50_000): Field[] {
  const out: Field[] = [];
  const queue: [number, number, number][] = [[0, bytes.length, 0]];
  while (queue.length > 0 && out.length < limit) {
    const [from, to, depth] = queue.shift() as [number, number, number];
    const fields = records(bytes, from, to);
    if (fields === undefined) continue;
    for (const f of fields) {
      out.push(f);
      if (f.wire === 2 && depth < 16 && f.end > f.payloadAt) queue.push([f.payloadAt, f.end, depth + 1]);
    }
  }
  return out;
}

const field = fc.nat({ max: 0xffffffff });

export const protobufOp: fc.Arbitrary<ProtobufOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('length' as const),
      field,
      value: fc.constantFrom(0, 1, 0x7f, 0x80, 0x7fffffff, 0xffffffff, 2 ** 40, -1),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('varint' as const),
      field,
      value: fc.constantFrom(0n, 1n, -1n, 0x7fffffffn, 0xffffffffn, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('repeat' as const),
      field,
      times: fc.constantFrom(2, 100, 10_000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('nest' as const), depth: fc.constantFrom(2, 31, 33, 200, 20_000) }),
  },
);

/** Walks of the seeds' bytes (most ops start from an unmutated seed), kept while the bytes are. */
const walkCache = new WeakMap<Uint8Array, Field[]>();

/** Applies a wire-format op; undefined when the bytes are not a message with such a field. */
export function applyProtobufOp(bytes: Uint8Array, op: ProtobufOp): Uint8Array | undefined {
  if (op.kind === 'nest') return nestOnnxGraph(bytes, op.depth);
  const all = walkCache.get(bytes) ?? walkProtobuf(bytes);
  walkCache.set(bytes, all);
  const fields = all.filter((f) => (op.kind === 'varint' ? f.wire === 0 : op.kind === 'length' ? f.wire === 2 : true));
  if (fields.length === 0) return undefined;
  const f = fields[op.field % fields.length] as Field;
  switch (op.kind) {
    case 'length': {
      // A declared length that no longer matches its payload (the payload stays where it was).
      const value = op.value === -1 ? BigInt(bytes.length) : BigInt(op.value);
      return concat([bytes.subarray(0, f.valueAt), encodeVarint(value), bytes.subarray(f.payloadAt)]);
    }
    case 'varint':
      return concat([bytes.subarray(0, f.valueAt), encodeVarint(op.value), bytes.subarray(f.end)]);
    case 'repeat': {
      const record = bytes.subarray(f.start, f.end);
      const times = Math.min(op.times, Math.floor(MAX_INPUT_BYTES / Math.max(1, record.length)));
      // Inside a nested message the enclosing lengths go stale: that is a mutation of its own.
      return concat([bytes.subarray(0, f.end), ...Array<Uint8Array>(times - 1).fill(record), bytes.subarray(f.end)]);
    }
  }
}

function header(fieldNumber: number, length: number): Uint8Array {
  return concat([encodeVarint(BigInt((fieldNumber << 3) | 2)), encodeVarint(BigInt(length))]);
}

/**
 * ONNX's recursion (onnx.proto): ModelProto.graph (7) → GraphProto.node (1) → NodeProto.attribute (5) →
 * AttributeProto.g (6) → GraphProto. The file's own graph becomes the then-branch of an If node `depth`
 * levels down; undefined when the bytes have no top-level graph field. Every level is a prefix of the
 * next, so the result is the headers (sizes computed from the inside out) followed by the graph.
 */
export function nestOnnxGraph(bytes: Uint8Array, depth: number): Uint8Array | undefined {
  const top = records(bytes, 0, bytes.length);
  const graph = top?.find((f) => f.wire === 2 && bytes[f.start] === 0x3a);
  if (graph === undefined) return undefined;
  const opType = concat([header(4, 2), new TextEncoder().encode('If')]);
  const len = (n: number) => encodeVarint(BigInt(n)).length;
  const prefixes: Uint8Array[] = [];
  let size = graph.end - graph.payloadAt; // GraphProto payload at this level
  for (let i = 0; i < depth; i++) {
    const attribute = 1 + len(size) + size; // AttributeProto{g}
    const node = opType.length + 1 + len(attribute) + attribute; // NodeProto{op_type, attribute}
    prefixes.push(concat([header(1, node), opType, header(5, attribute), header(6, size)]));
    size = 1 + len(node) + node; // GraphProto{node}
  }
  prefixes.reverse();
  return concat([
    bytes.subarray(0, graph.start),
    header(7, size),
    ...prefixes,
    bytes.subarray(graph.payloadAt, graph.end),
    bytes.subarray(graph.end),
  ]);
}
