import fc from 'fast-check';

/**
 * Byte-level mutations, for every file whatever its format. Positions are drawn as 32-bit numbers and
 * taken modulo the file's length when applied, so one plan applies to any file (and replays exactly).
 */
export type ByteOp =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; bits: { at: number; bit: number }[] }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'word'; at: number; value: number; aligned: boolean }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number; to: number; times: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'splice'; at: number; from: number; length: number; donor: number };

/** Values that break length and offset arithmetic: zero, one, sign bits, all ones, near 2^31/2^32. */
export const INTERESTING_32 = [
  0, 1, 2, 4, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0,
  0xfffffffc, 0xffffffff,
] as const;
const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xfe, 0xff] as const;

const pos = fc.nat({ max: 0xffffffff });

export const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: pos }),
  fc.record({
    kind: fc.constant('flip' as const),
    bits: fc.array(fc.record({ at: pos, bit: fc.nat({ max: 7 }) }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('byte' as const),
    at: pos,
    value: fc.oneof(fc.constantFrom(...INTERESTING_8), fc.nat({ max: 255 })),
  }),
  fc.record({
    kind: fc.constant('word' as const),
    at: pos,
    // -1 and -4 stand for "the file's length" and "length - 4": sizes that point exactly at or past the end.
    value: fc.oneof(fc.constantFrom(...INTERESTING_32, -1, -4), fc.nat({ max: 0xffffffff })),
    aligned: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: pos, length: fc.nat({ max: 256 }) }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: pos,
    length: fc.integer({ min: 1, max: 512 }),
    to: pos,
    times: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 64 })),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: pos, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: pos,
    from: pos,
    length: fc.integer({ min: 1, max: 4096 }),
    donor: fc.nat(),
  }),
);

/**
 * Inputs are cut to 1 MB: the readers are linear in size (an 18 MB model.json reads in 1.3 s here), so a
 * bigger input would measure the machine against the 1 s hang limit rather than find a slow path.
 */
export const MAX_INPUT_BYTES = 1 << 20;

/** Applies a byte op; `donors` are other files to splice from (the seeds). Returns a new array. */
export function applyByteOp(bytes: Uint8Array, op: ByteOp, donors: readonly Uint8Array[]): Uint8Array {
  const n = bytes.length;
  const at = (p: number, extent = 0) => (n + 1 - extent > 0 ? p % (n + 1 - extent) : 0);
  switch (op.kind) {
    case 'truncate':
      return bytes.slice(0, at(op.at));
    case 'flip': {
      if (n === 0) return bytes.slice();
      const out = bytes.slice();
      for (const b of op.bits) out[b.at % n] = (out[b.at % n] as number) ^ (1 << b.bit);
      return out;
    }
    case 'byte': {
      if (n === 0) return Uint8Array.of(op.value);
      const out = bytes.slice();
      out[op.at % n] = op.value;
      return out;
    }
    case 'word': {
      if (n < 4) return bytes.slice();
      const out = bytes.slice();
      let p = op.at % (n - 3);
      if (op.aligned) p -= p % 4;
      const value = op.value === -1 ? n : op.value === -4 ? n - 4 : op.value;
      new DataView(out.buffer).setUint32(p, value >>> 0, true);
      return out;
    }
    case 'delete': {
      const p = at(op.at);
      return concat([bytes.subarray(0, p), bytes.subarray(Math.min(n, p + op.length))]);
    }
    case 'duplicate': {
      if (n === 0) return bytes.slice();
      const start = op.at % n;
      const chunk = bytes.subarray(start, Math.min(n, start + op.length));
      const to = at(op.to);
      const times = Math.min(op.times, Math.floor(MAX_INPUT_BYTES / Math.max(1, chunk.length)));
      return concat([bytes.subarray(0, to), ...Array<Uint8Array>(times).fill(chunk), bytes.subarray(to)]);
    }
    case 'insert': {
      const p = at(op.at);
      return concat([bytes.subarray(0, p), op.bytes, bytes.subarray(p)]);
    }
    case 'splice': {
      const donor = donors.length === 0 ? bytes : (donors[op.donor % donors.length] as Uint8Array);
      if (donor.length === 0) return bytes.slice();
      const from = op.from % donor.length;
      const chunk = donor.subarray(from, Math.min(donor.length, from + op.length));
      const p = at(op.at);
      // Overwrite in place (the file keeps its size and layout around the chunk).
      return concat([bytes.subarray(0, p), chunk, bytes.subarray(Math.min(n, p + chunk.length))]);
    }
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
