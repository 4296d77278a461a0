import fc from 'fast-check';
import { concat } from './bytes.ts';

/**
 * .npy mutations (layout from NumPy's format documentation: magic, version, header length, a Python dict
 * literal, data): the header dict is rewritten with hostile descr, fortran_order and shape values, the
 * header length field and the version bytes are changed, keeping the data after the header.
 */
export type NpyOp =
  | { kind: 'descr'; value: string }
  | { kind: 'shape'; value: string }
  | { kind: 'order'; value: string }
  | { kind: 'header'; text: string }
  | { kind: 'headerLength'; value: number }
  | { kind: 'version'; major: number; minor: number };

export const npyOp: fc.Arbitrary<NpyOp> = fc.oneof(
  fc.record({
    kind: fc.constant('descr' as const),
    value: fc.constantFrom(
      "'<f4'",
      "'>f4'",
      "'=f4'",
      "'|f4'",
      "'<f2'",
      "'<f8'",
      "'<i8'",
      "'|i1'",
      "'|u1'",
      "'|b1'",
      "'<U10'",
      "'|O'",
      "'<c8'",
      "'<i4'",
      "'<u4'",
      "'f4'",
      "''",
      "[('a', '<f4')]",
      '5',
      "'<f4",
      'None',
    ),
  }),
  fc.record({
    kind: fc.constant('shape' as const),
    value: fc.constantFrom(
      '()',
      '(0,)',
      '(1,)',
      '(-1,)',
      '(2147483648,)',
      '(4294967296, 4294967296)',
      '(99999999999999999999,)',
      '(1.5,)',
      "('a',)",
      '((2,),)',
      '[3]',
      '3',
      `(${Array(1000).fill('1').join(', ')})`,
      '(3L,)',
      '(True,)',
    ),
  }),
  fc.record({ kind: fc.constant('order' as const), value: fc.constantFrom('True', 'False', '0', "'False'", 'None') }),
  fc.record({
    kind: fc.constant('header' as const),
    text: fc.oneof(
      fc.constantFrom(
        '{}',
        '',
        '{',
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1, }",
        `${'['.repeat(100_000)}`,
        `{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(10_000)}${')'.repeat(10_000)}, }`,
        "{'descr': '<f4\\x00', 'fortran_order': False, 'shape': (1,), }",
      ),
      fc.string({ maxLength: 64 }),
    ),
  }),
  fc.record({
    kind: fc.constant('headerLength' as const),
    value: fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0xffffffff, 10),
  }),
  fc.record({
    kind: fc.constant('version' as const),
    major: fc.constantFrom(0, 1, 2, 3, 4, 255),
    minor: fc.constantFrom(0, 1),
  }),
);

const enc = (s: string) => new TextEncoder().encode(s);

export function applyNpyOp(bytes: Uint8Array, op: NpyOp): Uint8Array | undefined {
  if (bytes.length < 12 || bytes[1] !== 0x4e) return undefined;
  const major = bytes[6] as number;
  const prefix = major === 1 ? 10 : 12;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataAt = prefix + headerLength;
  if (dataAt > bytes.length) return undefined;
  const header = new TextDecoder('latin1').decode(bytes.subarray(prefix, dataAt));
  const withHeader = (text: string) => {
    const h = enc(text);
    const lengthField = new Uint8Array(prefix - 8);
    const lv = new DataView(lengthField.buffer);
    if (prefix === 10) lv.setUint16(0, Math.min(h.length, 0xffff), true);
    else lv.setUint32(0, h.length, true);
    return concat([bytes.subarray(0, 8), lengthField, h, bytes.subarray(dataAt)]);
  };
  const key = (name: string, value: string) =>
    header.replace(new RegExp(`'${name}':\\s*(\\([^)]*\\)|'[^']*'|\\w+)`), () => `'${name}': ${value}`);
  switch (op.kind) {
    case 'descr':
      return withHeader(key('descr', op.value));
    case 'shape':
      return withHeader(key('shape', op.value));
    case 'order':
      return withHeader(key('fortran_order', op.value));
    case 'header':
      return withHeader(op.text);
    case 'headerLength': {
      const out = bytes.slice();
      const v = new DataView(out.buffer);
      if (prefix === 10) v.setUint16(8, op.value & 0xffff, true);
      else v.setUint32(8, op.value >>> 0, true);
      return out;
    }
    case 'version': {
      const out = bytes.slice();
      out[6] = op.major;
      out[7] = op.minor;
      return out;
    }
  }
}
