import { ParityError } from './errors.ts';
import { preview } from './preview.ts';

/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), bytes in and bytes out, no file system.
 *
 * Layout, as NumPy's format documentation describes it: the magic `\x93NUMPY`, a major and a minor
 * version byte, a little-endian header length (2 bytes in 1.0, 4 bytes in 2.0 and 3.0), then a Python
 * dict literal with the keys `descr`, `fortran_order` and `shape`, padded with spaces and a final newline,
 * then the raw element data in C order. Version 3.0 only changes the header encoding from latin-1 to UTF-8.
 *
 * Only little-endian, C-ordered arrays of plain numeric dtypes are supported; everything else is refused
 * with `E_NPY_FORMAT` rather than guessed at.
 */

export type NpyDType = 'float16' | 'float32' | 'float64' | 'int8' | 'uint8' | 'int32' | 'int64' | 'bool';

/** float16 elements are carried as their IEEE 754 half-precision bit patterns; bool as bytes 0 and 1. */
export type NpyData = Float32Array | Float64Array | Uint16Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;

export interface NpyArray {
  readonly dtype: NpyDType;
  readonly shape: readonly number[];
  readonly data: NpyData;
}

export type NpyVersion = 1 | 2 | 3;

interface DTypeInfo {
  /** The descr NumPy writes for it on a little-endian machine. */
  descr: string;
  size: number;
  array: new (buffer: ArrayBuffer, byteOffset: number, length: number) => NpyData;
}

const DTYPES: Record<NpyDType, DTypeInfo> = {
  float16: { descr: '<f2', size: 2, array: Uint16Array },
  float32: { descr: '<f4', size: 4, array: Float32Array },
  float64: { descr: '<f8', size: 8, array: Float64Array },
  int8: { descr: '|i1', size: 1, array: Int8Array },
  uint8: { descr: '|u1', size: 1, array: Uint8Array },
  int32: { descr: '<i4', size: 4, array: Int32Array },
  int64: { descr: '<i8', size: 8, array: BigInt64Array },
  bool: { descr: '|b1', size: 1, array: Uint8Array },
};

/** `<type char><size>` (without the byte-order mark) → dtype. */
const BY_KIND: ReadonlyMap<string, NpyDType> = new Map(
  (Object.keys(DTYPES) as NpyDType[]).map((dtype) => [DTYPES[dtype].descr.slice(1), dtype]),
);

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** NumPy aligns the start of the data to this many bytes (older NumPy releases used 16). */
const ALIGN = 64;
/** NumPy leaves room in the header so the first axis can grow in place; we write the same bytes. */
const GROWTH_AXIS_DIGITS = 21;

/** The descr string NumPy writes for a dtype, e.g. `<f4`. */
export function npyDescr(dtype: NpyDType): string {
  return DTYPES[dtype].descr;
}

function fail(source: string, what: string): never {
  throw new ParityError('E_NPY_FORMAT', `${source}: ${what}`, { details: { source } });
}

function elementCount(shape: readonly number[], source: string): number {
  let n = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0)
      fail(source, `shape ${shapeRepr(shape)} has dimension ${dim}; expected integers >= 0`);
    n *= dim;
  }
  if (!Number.isSafeInteger(n)) fail(source, `shape ${shapeRepr(shape)} has too many elements`);
  return n;
}

/** Python's repr of a tuple of ints: `()`, `(3,)`, `(2, 3)`. */
function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

const isLittleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Serializes an array to `.npy` bytes identical to what `numpy.save` (NumPy >= 1.23) writes for the same
 * array: sorted keys, Python reprs, spare spaces for the first axis, data aligned to 64 bytes. Without a
 * version, 1.0 is used unless the header needs 2.0, as NumPy does.
 */
export function encodeNpy(array: NpyArray, options: { version?: NpyVersion; source?: string } = {}): Uint8Array {
  const source = options.source ?? '<npy>';
  const info = DTYPES[array.dtype];
  if (info === undefined) fail(source, `unknown dtype ${JSON.stringify(array.dtype)}`);
  if (!(array.data instanceof info.array)) {
    fail(source, `dtype ${array.dtype} needs ${info.array.name} data, got ${array.data.constructor.name}`);
  }
  const count = elementCount(array.shape, source);
  if (array.data.length !== count) {
    fail(source, `shape ${shapeRepr(array.shape)} has ${count} elements but the data has ${array.data.length}`);
  }
  if (array.dtype === 'bool') {
    const at = (array.data as Uint8Array).findIndex((v) => v > 1);
    if (at !== -1) fail(source, `bool element ${at} is ${array.data[at]}; expected 0 or 1`);
  }
  let header = `{'descr': '${info.descr}', 'fortran_order': False, 'shape': ${shapeRepr(array.shape)}, }`;
  if (array.shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_DIGITS - String(array.shape[0]).length));
  const headerBytes = new TextEncoder().encode(header); // ASCII: same bytes in latin-1 and UTF-8
  let version = options.version;
  const wrap = (v: NpyVersion) => {
    const prefix = v === 1 ? 10 : 12;
    const pad = ALIGN - ((prefix + headerBytes.length + 1) % ALIGN);
    return { prefix, total: headerBytes.length + pad + 1 };
  };
  if (version === undefined) version = wrap(1).total <= 0xffff ? 1 : 2;
  const { prefix, total } = wrap(version);
  if (version === 1 && total > 0xffff) fail(source, `header of ${total} bytes does not fit format 1.0; expected 2.0`);
  const dataBytes = count * info.size;
  const out = new Uint8Array(prefix + total + dataBytes);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, total, true);
  else view.setUint32(8, total, true);
  out.set(headerBytes, prefix);
  out.fill(0x20, prefix + headerBytes.length, prefix + total - 1);
  out[prefix + total - 1] = 0x0a;
  const start = prefix + total;
  if (isLittleEndianHost) {
    out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, dataBytes), start);
  } else {
    writeLittleEndian(view, start, array);
  }
  return out;
}

function writeLittleEndian(view: DataView, start: number, array: NpyArray): void {
  const d = array.data;
  for (let i = 0; i < d.length; i++) {
    const at = start + i * DTYPES[array.dtype].size;
    switch (array.dtype) {
      case 'float16':
        view.setUint16(at, d[i] as number, true);
        break;
      case 'float32':
        view.setFloat32(at, d[i] as number, true);
        break;
      case 'float64':
        view.setFloat64(at, d[i] as number, true);
        break;
      case 'int32':
        view.setInt32(at, d[i] as number, true);
        break;
      case 'int64':
        view.setBigInt64(at, d[i] as bigint, true);
        break;
      default:
        view.setUint8(at, (d[i] as number) & 0xff);
    }
  }
}

// --- header parsing: the Python literal subset NumPy writes -------------------------------------------

type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** NumPy headers nest one level (the shape tuple); deeper nesting is refused before it can exhaust the stack. */
const MAX_HEADER_DEPTH = 32;

class HeaderParser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  parse(): PyValue {
    const value = this.value();
    this.space();
    if (this.pos !== this.text.length)
      this.error(`unexpected ${JSON.stringify(this.text.slice(this.pos, this.pos + 10))}`);
    return value;
  }

  private error(what: string): never {
    fail(this.source, `header ${preview(this.text.trimEnd(), 200)} is not a Python dict literal: ${what}`);
  }

  private space(): void {
    while (this.pos < this.text.length && ' \t\r\n'.includes(this.text[this.pos] as string)) this.pos++;
  }

  private value(): PyValue {
    this.space();
    const c = this.text[this.pos];
    if (c === '{' || c === '(' || c === '[') {
      if (++this.depth > MAX_HEADER_DEPTH) this.error(`nested deeper than ${MAX_HEADER_DEPTH} levels`);
      const v = c === '{' ? this.dict() : this.sequence(c === '(' ? ')' : ']');
      this.depth--;
      return v;
    }
    if (c === "'" || c === '"') return this.string();
    const word = /^(True|False|None|-?\d+L?)/.exec(this.text.slice(this.pos));
    if (word === null) this.error(`unexpected ${JSON.stringify(this.text.slice(this.pos, this.pos + 10))}`);
    this.pos += (word[0] as string).length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    // Python 2 era files write longs as `3L`.
    return Number((word[0] as string).replace('L', ''));
  }

  private string(): string {
    const quote = this.text[this.pos];
    const end = this.text.indexOf(quote as string, this.pos + 1);
    if (end === -1) this.error('unterminated string');
    const s = this.text.slice(this.pos + 1, end);
    if (s.includes('\\')) this.error('escapes in strings are not supported');
    this.pos = end + 1;
    return s;
  }

  private sequence(close: string): PyValue[] {
    this.pos++;
    const items: PyValue[] = [];
    for (;;) {
      this.space();
      if (this.text[this.pos] === close) break;
      items.push(this.value());
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) this.error(`expected ',' or '${close}'`);
    }
    this.pos++;
    return items;
  }

  private dict(): { [key: string]: PyValue } {
    this.pos++;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      this.space();
      if (this.text[this.pos] === '}') break;
      const key = this.value();
      if (typeof key !== 'string') this.error('dict keys must be strings');
      this.space();
      if (this.text[this.pos] !== ':') this.error("expected ':'");
      this.pos++;
      if (Object.hasOwn(out, key)) this.error(`key '${key}' repeats`);
      out[key] = this.value();
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') this.error("expected ',' or '}'");
    }
    this.pos++;
    return out;
  }
}

/** The dtype a descr names, or an E_NPY_FORMAT error that says why it is not supported. */
function dtypeOf(descr: PyValue, source: string): NpyDType {
  if (typeof descr !== 'string') {
    fail(source, `descr ${preview(descr)} is a structured dtype; expected a plain one such as '<f4'`);
  }
  const order = descr[0] as string;
  const kind = descr.slice(1);
  if (!'<>|='.includes(order) || kind === '')
    fail(source, `descr '${descr}' has no byte-order mark; expected e.g. '<f4'`);
  if (kind.startsWith('O')) fail(source, `descr '${descr}' is an object array (needs pickle); not supported`);
  const dtype = BY_KIND.get(kind);
  if (dtype === undefined) {
    fail(
      source,
      `descr '${descr}' is not supported; expected one of ${[...BY_KIND.keys()].map((k) => `'${k}'`).join(', ')}`,
    );
  }
  if (DTYPES[dtype].size > 1 && order !== '<') {
    const what = order === '>' ? 'big-endian' : order === '=' ? 'native byte order' : 'without a byte order';
    fail(source, `descr '${descr}' is ${what}; expected little-endian '<${kind}'`);
  }
  return dtype;
}

/** Parses `.npy` bytes; the result's data is a copy, aligned for its typed array. */
export function decodeNpy(bytes: Uint8Array, source = '<npy>'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail(source, 'does not start with the .npy magic \\x93NUMPY');
  }
  const major = bytes[6] as number;
  const minor = bytes[7] as number;
  if (![1, 2, 3].includes(major) || minor !== 0)
    fail(source, `format version ${major}.${minor}; expected 1.0, 2.0 or 3.0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) fail(source, `truncated: ${bytes.length} bytes, shorter than the ${prefix}-byte prefix`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = prefix + headerLength;
  if (dataStart > bytes.length) {
    fail(source, `header length field says ${headerLength} bytes but only ${bytes.length - prefix} follow the prefix`);
  }
  let headerText: string;
  try {
    headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(
      bytes.subarray(prefix, dataStart),
    );
  } catch (cause) {
    fail(source, `header is not valid ${major === 3 ? 'UTF-8' : 'latin-1'} (${(cause as Error).message})`);
  }
  const header = new HeaderParser(headerText, source).parse();
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail(source, `header ${preview(headerText.trimEnd(), 200)} is not a dict`);
  }
  const keys = Object.keys(header).sort().join(',');
  if (keys !== 'descr,fortran_order,shape') {
    fail(source, `header keys are ${keys || 'none'}; expected exactly descr, fortran_order, shape`);
  }
  const dtype = dtypeOf(header.descr as PyValue, source);
  if (typeof header.fortran_order !== 'boolean')
    fail(source, `fortran_order is ${preview(header.fortran_order)}; expected False`);
  if (header.fortran_order) {
    fail(
      source,
      'fortran_order is True (column-major data); expected False — save a C-ordered copy (numpy.ascontiguousarray)',
    );
  }
  const rawShape = header.shape;
  if (!Array.isArray(rawShape) || !rawShape.every((d) => typeof d === 'number')) {
    fail(source, `shape is ${preview(rawShape)}; expected a tuple of integers`);
  }
  const shape = rawShape as number[];
  const count = elementCount(shape, source);
  const info = DTYPES[dtype];
  const want = count * info.size;
  const have = bytes.length - dataStart;
  if (have < want)
    fail(source, `truncated: shape ${shapeRepr(shape)} of '${info.descr}' needs ${want} data bytes, found ${have}`);
  if (have > want)
    fail(
      source,
      `${have - want} bytes follow the ${want} data bytes that shape ${shapeRepr(shape)} of '${info.descr}' describes`,
    );
  const buffer = new ArrayBuffer(want);
  const copy = new Uint8Array(buffer);
  copy.set(bytes.subarray(dataStart, dataStart + want));
  if (!isLittleEndianHost && info.size > 1) {
    for (let i = 0; i < want; i += info.size) copy.subarray(i, i + info.size).reverse();
  }
  const data = new info.array(buffer, 0, count);
  if (dtype === 'bool') {
    const at = (data as Uint8Array).findIndex((v) => v > 1);
    if (at !== -1) fail(source, `bool element ${at} is byte ${data[at]}; expected 0 or 1`);
  }
  return { dtype, shape, data };
}
