import fc from 'fast-check';
import { applyByteOp, type ByteOp, byteOp } from './bytes.ts';
import { applyFlatbufferOp, type FlatbufferOp, flatbufferOp } from './flatbuffers.ts';
import { applyJsonOp, type JsonOp, jsonOp } from './json.ts';
import { applyLinesOp, type LinesOp, linesOp } from './lines.ts';
import { applyNpyOp, type NpyOp, npyOp } from './npy.ts';
import { applyProtobufOp, type ProtobufOp, protobufOp } from './protobuf.ts';

/** How a file is mutated: its structure-aware ops (weighted 3) plus byte ops (weighted 2), or bytes only. */
export type FileFormat = 'bytes' | 'json' | 'jsonl' | 'lines' | 'protobuf' | 'flatbuffers' | 'npy';

export type Op =
  | { format: 'bytes'; op: ByteOp }
  | { format: 'json'; op: JsonOp; fallback: ByteOp }
  | { format: 'lines'; op: LinesOp; fallback: ByteOp }
  | { format: 'protobuf'; op: ProtobufOp; fallback: ByteOp }
  | { format: 'flatbuffers'; op: FlatbufferOp; fallback: ByteOp }
  | { format: 'npy'; op: NpyOp; fallback: ByteOp };

const bytes = byteOp.map((op) => ({ format: 'bytes' as const, op }));
const structured = <F extends Exclude<Op['format'], 'bytes'>, T>(format: F, arb: fc.Arbitrary<T>) =>
  fc.record({ op: arb, fallback: byteOp }).map((r) => ({ format, ...r }) as Op);

const STRUCTURED: Record<Exclude<FileFormat, 'bytes'>, fc.Arbitrary<Op>> = {
  json: structured('json', jsonOp),
  jsonl: structured('lines', linesOp(true)),
  lines: structured('lines', linesOp(false)),
  protobuf: structured('protobuf', protobufOp),
  flatbuffers: structured('flatbuffers', flatbufferOp),
  npy: structured('npy', npyOp),
};

export function opArbitrary(format: FileFormat): fc.Arbitrary<Op> {
  if (format === 'bytes') return bytes;
  return fc.oneof({ weight: 3, arbitrary: STRUCTURED[format] }, { weight: 2, arbitrary: bytes });
}

/** Applies one op; a structure-aware op that does not fit the bytes (no such field, not JSON) applies its byte fallback. */
export function applyOp(input: Uint8Array, op: Op, donors: readonly Uint8Array[]): Uint8Array {
  let out: Uint8Array | undefined;
  switch (op.format) {
    case 'bytes':
      return applyByteOp(input, op.op, donors);
    case 'json': {
      const text = applyJsonOp(new TextDecoder().decode(input), op.op);
      out = text === undefined ? undefined : new TextEncoder().encode(text);
      break;
    }
    case 'lines':
      out = applyLinesOp(input, op.op);
      break;
    case 'protobuf':
      out = applyProtobufOp(input, op.op);
      break;
    case 'flatbuffers':
      out = applyFlatbufferOp(input, op.op);
      break;
    case 'npy':
      out = applyNpyOp(input, op.op);
      break;
  }
  return out ?? applyByteOp(input, op.fallback, donors);
}
