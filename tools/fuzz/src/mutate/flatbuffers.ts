import fc from 'fast-check';

/**
 * FlatBuffers mutations (layout from the FlatBuffers format docs: uoffset32 references point forward from
 * where they are stored; a table starts with an soffset32 to its vtable; a vtable is uint16 sizes and
 * field offsets; a vector starts with its uint32 length). Without the schema, a reference is recognized as
 * a 4-aligned word whose target is a 4-aligned position inside the file; the ops rewrite such words and
 * what they point at: cycles (a reference to itself, a vtable inside its own table), aliasing (many
 * references to one table, which multiplies the work of a reader that walks them), huge vector lengths.
 */
export type FlatbufferOp =
  | { kind: 'self'; ref: number }
  | { kind: 'alias'; ref: number; target: number }
  | { kind: 'vtable'; ref: number; to: number }
  | { kind: 'length'; ref: number; value: number }
  | { kind: 'field'; ref: number; slot: number; value: number };

const ref = fc.nat({ max: 0xffffffff });

export const flatbufferOp: fc.Arbitrary<FlatbufferOp> = fc.oneof(
  fc.record({ kind: fc.constant('self' as const), ref }),
  fc.record({ kind: fc.constant('alias' as const), ref, target: ref }),
  fc.record({ kind: fc.constant('vtable' as const), ref, to: ref }),
  fc.record({
    kind: fc.constant('length' as const),
    ref,
    value: fc.constantFrom(0xffffffff, 0x7fffffff, 0x40000000, 0x10000, 1000, -1),
  }),
  fc.record({
    kind: fc.constant('field' as const),
    ref,
    slot: fc.nat({ max: 15 }),
    value: fc.constantFrom(0, 4, 0xfffc, 0xffff, 0x8000),
  }),
);

/** Positions of words that look like references: 4-aligned, pointing forward to a 4-aligned spot inside. */
export function references(bytes: Uint8Array, limit = 100_000): { at: number; target: number }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { at: number; target: number }[] = [];
  for (let at = 0; at + 4 <= bytes.length && out.length < limit; at += 4) {
    const v = view.getUint32(at, true);
    const target = at + v;
    if (v >= 4 && v % 4 === 0 && target + 4 <= bytes.length) out.push({ at, target });
  }
  return out;
}

/** References of the seeds' bytes (most ops start from an unmutated seed), kept while the bytes are. */
const refCache = new WeakMap<Uint8Array, { at: number; target: number }[]>();

export function applyFlatbufferOp(bytes: Uint8Array, op: FlatbufferOp): Uint8Array | undefined {
  const refs = refCache.get(bytes) ?? references(bytes);
  refCache.set(bytes, refs);
  if (refs.length === 0) return undefined;
  const r = refs[op.ref % refs.length] as { at: number; target: number };
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  switch (op.kind) {
    case 'self':
      view.setUint32(r.at, 0, true); // the reference points at itself
      break;
    case 'alias': {
      // Point at what another (later) reference points at: shared subtrees, walked once per reference.
      const later = refs.filter((x) => x.target > r.at);
      if (later.length === 0) return undefined;
      const t = later[op.target % later.length] as { target: number };
      view.setUint32(r.at, t.target - r.at, true);
      break;
    }
    case 'vtable': {
      // The table's vtable moves onto the table itself, onto another table, or just before the table.
      const other = refs[op.to % refs.length] as { target: number };
      const choices = [0, r.target - other.target, 4, -4];
      view.setInt32(r.target, choices[op.to % choices.length] as number, true);
      break;
    }
    case 'length': {
      const value = op.value === -1 ? Math.floor((bytes.length - r.target) / 4) : op.value;
      view.setUint32(r.target, value >>> 0, true);
      break;
    }
    case 'field': {
      // A field offset in the vtable of the table the reference points at.
      const vtable = r.target - view.getInt32(r.target, true);
      const entry = vtable + 4 + 2 * op.slot;
      if (vtable < 0 || entry + 2 > out.length) return undefined;
      view.setUint16(entry, op.value, true);
      break;
    }
  }
  return out;
}
