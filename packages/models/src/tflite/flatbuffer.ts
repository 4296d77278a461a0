import { ParityError } from '@bert-parity/core';

/**
 * A read-only FlatBuffers walker over a DataView that trusts nothing in the file. FlatBuffers layout (from
 * the FlatBuffers format docs): a table starts with an int32 soffset back to its vtable; the vtable holds
 * uint16 vtable size, uint16 object size, then one uint16 field offset per slot (0 = absent). References
 * (tables, vectors, strings) are uint32 offsets relative to where they are stored; a vector is a uint32
 * element count followed by the elements. Every read is bound-checked, vector lengths are capped by the
 * bytes that remain, and a visit budget bounds the total work so a hostile file cannot make us spin.
 */
export class FlatBufferReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private visits = 0;
  private readonly maxVisits: number;

  /** `what` names the input in error messages (the file path). */
  constructor(
    bytes: Uint8Array,
    readonly what: string,
  ) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Every legitimate visit consumes at least 4 bytes of the file; allow generous slack.
    this.maxVisits = 4 * bytes.byteLength + 100_000;
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  fail(message: string): never {
    throw new ParityError('E_MODEL_CORRUPT', `TFLite file ${this.what}: ${message}`);
  }

  private tick(): void {
    if (++this.visits > this.maxVisits) this.fail(`gave up after ${this.maxVisits} reads (file loops or lies)`);
  }

  private check(pos: number, size: number, what: string): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + size > this.length) {
      this.fail(`${what} at byte ${pos} (${size} bytes) lies outside the ${this.length}-byte file`);
    }
  }

  u8(pos: number, what = 'byte'): number {
    this.check(pos, 1, what);
    return this.view.getUint8(pos);
  }
  i8(pos: number, what = 'int8'): number {
    this.check(pos, 1, what);
    return this.view.getInt8(pos);
  }
  u16(pos: number, what = 'uint16'): number {
    this.check(pos, 2, what);
    return this.view.getUint16(pos, true);
  }
  i32(pos: number, what = 'int32'): number {
    this.check(pos, 4, what);
    return this.view.getInt32(pos, true);
  }
  u32(pos: number, what = 'uint32'): number {
    this.check(pos, 4, what);
    return this.view.getUint32(pos, true);
  }
  f32(pos: number, what = 'float32'): number {
    this.check(pos, 4, what);
    return this.view.getFloat32(pos, true);
  }
  /** uint64/int64 as a number; values beyond 2^53 are reported, not rounded silently. */
  u64(pos: number, what = 'uint64'): number {
    this.check(pos, 8, what);
    const v = this.view.getBigUint64(pos, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} at byte ${pos} is ${v}, beyond 2^53`);
    return Number(v);
  }
  i64(pos: number, what = 'int64'): number {
    this.check(pos, 8, what);
    const v = this.view.getBigInt64(pos, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      this.fail(`${what} at byte ${pos} is ${v}, beyond ±2^53`);
    }
    return Number(v);
  }

  /** Follows a uoffset stored at `pos`. */
  deref(pos: number, what: string): number {
    const target = pos + this.u32(pos, `${what} offset`);
    this.check(target, 4, what);
    return target;
  }

  /** The table at `pos` (already dereferenced), with its vtable validated. */
  table(pos: number, what: string): Table {
    this.tick();
    const soffset = this.i32(pos, `${what} vtable offset`);
    const vtable = pos - soffset;
    const vtableSize = this.u16(vtable, `${what} vtable`);
    const objectSize = this.u16(vtable + 2, `${what} vtable`);
    if (vtableSize < 4 || vtableSize % 2 !== 0) this.fail(`${what} at byte ${pos} has a vtable of ${vtableSize} bytes`);
    this.check(vtable, vtableSize, `${what} vtable`);
    if (objectSize < 4) this.fail(`${what} at byte ${pos} declares an object size of ${objectSize} bytes`);
    this.check(pos, objectSize, what);
    return new Table(this, pos, vtable, vtableSize, objectSize, what);
  }

  /** A vector's element count and first element position; the count must fit in the remaining bytes. */
  vector(pos: number, elementSize: number, what: string): { start: number; length: number } {
    this.tick();
    const length = this.u32(pos, `${what} length`);
    const start = pos + 4;
    if (length > (this.length - start) / elementSize) {
      this.fail(
        `${what} at byte ${pos} declares ${length} elements of ${elementSize} bytes; only ${this.length - start} bytes remain`,
      );
    }
    return { start, length };
  }

  string(pos: number, what: string): string {
    const { start, length } = this.vector(pos, 1, what);
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(start, start + length));
  }
}

/** One table: reads fields by slot (declaration order in the schema). */
export class Table {
  constructor(
    private readonly r: FlatBufferReader,
    readonly pos: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
    private readonly objectSize: number,
    readonly what: string,
  ) {}

  /** Absolute position of a field, or undefined when absent. */
  private field(slot: number, size: number): number | undefined {
    const entry = 4 + 2 * slot;
    if (entry + 2 > this.vtableSize) return undefined;
    const off = this.r.u16(this.vtable + entry, `${this.what} vtable entry`);
    if (off === 0) return undefined;
    if (off + size > this.objectSize) {
      this.r.fail(
        `${this.what} at byte ${this.pos}: field ${slot} at +${off} overruns its ${this.objectSize}-byte object`,
      );
    }
    return this.pos + off;
  }

  has(slot: number): boolean {
    return this.field(slot, 1) !== undefined;
  }
  i8(slot: number, fallback: number): number {
    const p = this.field(slot, 1);
    return p === undefined ? fallback : this.r.i8(p);
  }
  u8(slot: number, fallback: number): number {
    const p = this.field(slot, 1);
    return p === undefined ? fallback : this.r.u8(p);
  }
  i32(slot: number, fallback: number): number {
    const p = this.field(slot, 4);
    return p === undefined ? fallback : this.r.i32(p);
  }
  u32(slot: number, fallback: number): number {
    const p = this.field(slot, 4);
    return p === undefined ? fallback : this.r.u32(p);
  }
  u64(slot: number, fallback: number): number {
    const p = this.field(slot, 8);
    return p === undefined ? fallback : this.r.u64(p, `${this.what} field ${slot}`);
  }

  string(slot: number): string | undefined {
    const p = this.field(slot, 4);
    return p === undefined
      ? undefined
      : this.r.string(this.r.deref(p, `${this.what} field ${slot}`), `${this.what} string`);
  }

  table(slot: number, what: string): Table | undefined {
    const p = this.field(slot, 4);
    return p === undefined ? undefined : this.r.table(this.r.deref(p, what), what);
  }

  /** Vector header of a reference field. */
  vector(slot: number, elementSize: number, what: string): { start: number; length: number } | undefined {
    const p = this.field(slot, 4);
    return p === undefined ? undefined : this.r.vector(this.r.deref(p, what), elementSize, what);
  }

  int32s(slot: number, what: string): number[] | undefined {
    const v = this.vector(slot, 4, what);
    if (v === undefined) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.i32(v.start + 4 * i);
    return out;
  }

  float32s(slot: number, what: string): number[] | undefined {
    const v = this.vector(slot, 4, what);
    if (v === undefined) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.f32(v.start + 4 * i);
    return out;
  }

  int64s(slot: number, what: string): number[] | undefined {
    const v = this.vector(slot, 8, what);
    if (v === undefined) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.i64(v.start + 8 * i, what);
    return out;
  }

  tables(slot: number, what: string): Table[] {
    const v = this.vector(slot, 4, what);
    if (v === undefined) return [];
    const out: Table[] = [];
    for (let i = 0; i < v.length; i++) {
      const p = v.start + 4 * i;
      out.push(this.r.table(this.r.deref(p, `${what}[${i}]`), `${what}[${i}]`));
    }
    return out;
  }
}
