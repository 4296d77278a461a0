import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, isParityError, type NpyArray, type NpyDType } from '../src/index.ts';
import { thrown } from '../testing/index.ts';

// --- .npy byte sequences written by hand from the format description ----------------------------------
// prefix: \x93NUMPY, major, minor, header length (u16 LE in 1.0, u32 LE in 2.0/3.0); then the header dict,
// padded with spaces to the alignment and ended by \n; then little-endian data in C order.

const hex = (s: string) =>
  Uint8Array.from((s.replace(/\s+/g, '').match(/../g) ?? []).map((b) => Number.parseInt(b, 16)));
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
/** A header padded with spaces to `length` bytes, newline last. */
const header = (dict: string, length: number) => ascii(`${dict.padEnd(length - 1)}\n`);

// float32 [1.5, -2.0], shape (2,): exactly what numpy.save writes (64-byte alignment, 20 spare spaces
// after the dict for the first axis to grow): 10 + 118 = 128 header bytes.
const F32 = cat(
  hex('934e554d5059 0100 7600'),
  header(`{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }${' '.repeat(20)}`, 118),
  hex('0000c03f 000000c0'),
);
// int32 [1, -1, 256], shape (3,), written the way older NumPy did (16-byte alignment, no spare spaces).
const I32_OLD = cat(
  hex('934e554d5059 0100 4600'),
  header(`{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }`, 70),
  hex('01000000 ffffffff 00010000'),
);
// bool [[True, False], [False, True]] in format 2.0 (4-byte header length).
const BOOL_V2 = cat(
  hex('934e554d5059 0200 74000000'),
  header(`{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }`, 116),
  hex('01 00 00 01'),
);
// float16 scalar 1.0 (bits 0x3c00), shape (), in format 3.0 (UTF-8 header).
const F16_V3 = cat(
  hex('934e554d5059 0300 74000000'),
  header(`{'descr': '<f2', 'fortran_order': False, 'shape': (), }`, 116),
  hex('003c'),
);
// int64 [-1, 2**40], shape (2,).
const I64 = cat(
  hex('934e554d5059 0100 7600'),
  header(`{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }${' '.repeat(20)}`, 118),
  hex('ffffffffffffffff 0000000000010000'),
);

const values = (a: NpyArray) => Array.from(a.data as ArrayLike<number | bigint>);

/** Wraps any header text the way format 1.0 does, for the malformed cases below. */
function npy1(dict: string, data: Uint8Array): Uint8Array {
  const length = dict.length + 1 + (64 - ((10 + dict.length + 1) % 64));
  return cat(ascii('\x93NUMPY\x01\x00'), Uint8Array.of(length & 0xff, length >> 8), header(dict, length), data);
}

function expectNpyError(bytes: Uint8Array, message: RegExp): void {
  let caught: unknown;
  try {
    decodeNpy(bytes, 'case.npy');
  } catch (err) {
    caught = err;
  }
  expect(isParityError(caught, 'E_NPY_FORMAT'), String(caught)).toBe(true);
  expect((caught as Error).message).toMatch(/^case\.npy: /);
  expect((caught as Error).message).toMatch(message);
}

describe('decodeNpy on hand-written files', () => {
  it('reads float32 with NumPy padding', () => {
    const a = decodeNpy(F32);
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2]);
    expect(Array.from(a.data as Float32Array)).toEqual([1.5, -2]);
  });

  it('reads int32 written with the old 16-byte alignment', () => {
    const a = decodeNpy(I32_OLD);
    expect([a.dtype, a.shape, Array.from(a.data as Int32Array)]).toEqual(['int32', [3], [1, -1, 256]]);
  });

  it('reads bool in format 2.0', () => {
    const a = decodeNpy(BOOL_V2);
    expect([a.dtype, a.shape, Array.from(a.data as Uint8Array)]).toEqual(['bool', [2, 2], [1, 0, 0, 1]]);
  });

  it('reads a float16 scalar in format 3.0 as its bits', () => {
    const a = decodeNpy(F16_V3);
    expect(a.dtype).toBe('float16');
    expect(a.shape).toEqual([]);
    expect(a.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(a.data as Uint16Array)).toEqual([0x3c00]);
  });

  it('reads int64 as BigInt64Array', () => {
    const a = decodeNpy(I64);
    expect(a.data).toBeInstanceOf(BigInt64Array);
    expect(Array.from(a.data as BigInt64Array)).toEqual([-1n, 2n ** 40n]);
  });

  it('reads data that is not aligned inside the given buffer', () => {
    const shifted = cat(Uint8Array.of(0xee), F32).subarray(1);
    expect(values(decodeNpy(shifted))).toEqual([1.5, -2]);
  });

  it('accepts one-byte dtypes with any byte-order mark and Python 2 long shapes', () => {
    expect(values(decodeNpy(npy1(`{'descr': '<i1', 'fortran_order': False, 'shape': (2L,), }`, hex('ff7f'))))).toEqual([
      -1, 127,
    ]);
    expect(decodeNpy(npy1(`{"shape": (1,), "descr": "|u1", "fortran_order": False}`, hex('ff'))).dtype).toBe('uint8');
  });
});

describe('decodeNpy refuses what it cannot read faithfully', () => {
  const f4 = hex('0000c03f000000c0');
  it.each([
    ['fortran order', npy1(`{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }`, f4), /fortran_order is True/],
    [
      'big-endian',
      npy1(`{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }`, f4),
      /'>f4' is big-endian; expected little-endian '<f4'/,
    ],
    ['native order', npy1(`{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }`, f4), /native byte order/],
    ['object dtype', npy1(`{'descr': '|O', 'fortran_order': False, 'shape': (2,), }`, f4), /object array/],
    [
      'structured dtype',
      npy1(`{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }`, f4),
      /structured dtype/,
    ],
    ['complex dtype', npy1(`{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }`, f4), /'<c8' is not supported/],
    ['truncated data', F32.subarray(0, F32.length - 1), /truncated: shape \(2,\) of '<f4' needs 8 data bytes, found 7/],
    [
      'shape larger than data',
      npy1(`{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }`, f4),
      /needs 12 data bytes, found 8/,
    ],
    [
      'shape smaller than data',
      npy1(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }`, f4),
      /4 bytes follow the 4 data bytes/,
    ],
    [
      'header length past the end',
      cat(hex('934e554d5059 0100 ff7f'), F32.subarray(10)),
      /header length field says 32767 bytes/,
    ],
    ['bad magic', cat(ascii('\x93NUMPX'), F32.subarray(6)), /magic/],
    ['unknown version', cat(hex('934e554d5059 0400'), F32.subarray(8)), /format version 4\.0/],
    ['missing key', npy1(`{'descr': '<f4', 'shape': (2,), }`, f4), /header keys are descr,shape/],
    [
      'extra key',
      npy1(`{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}`, f4),
      /expected exactly descr/,
    ],
    ['negative dimension', npy1(`{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }`, f4), /dimension -2/],
    ['not a dict', npy1(`('<f4', False, (2,))`, f4), /not a dict/],
    ['garbage header', npy1(`{'descr': '<f4', 'fortran_order': Fals`, f4), /not a Python dict literal/],
    [
      'bool byte 2',
      npy1(`{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }`, hex('0102')),
      /bool element 1 is byte 2/,
    ],
  ])('%s', (_name, bytes, message) => expectNpyError(bytes, message));
});

describe('decodeNpy on headers found by pnpm fuzz', () => {
  it("refuses a header nested deeper than 32 levels (it overflowed the parser's stack at 100,000)", () => {
    const deep = npy1(
      `{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(100_000)}${')'.repeat(100_000)}, }`,
      new Uint8Array(),
    );
    const e = thrown(() => decodeNpy(deep, 'deep.npy'));
    expect(e.code).toBe('E_NPY_FORMAT');
    expect(e.message).toBe(
      `deep.npy: header "{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(149)}… is not a Python dict literal: nested deeper than 32 levels`,
    );
    // 32 levels are still parsed (and then refused for what they are: not a tuple of integers).
    const nested = npy1(
      `{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(31)}${')'.repeat(31)}, }`,
      new Uint8Array(),
    );
    expect(thrown(() => decodeNpy(nested, 'n.npy')).message).toMatch(/^n\.npy: shape is \[\[\[/);
  });
});

describe('encodeNpy', () => {
  it('writes the same bytes as NumPy', () => {
    expect(encodeNpy({ dtype: 'float32', shape: [2], data: new Float32Array([1.5, -2]) })).toEqual(F32);
    expect(encodeNpy({ dtype: 'int64', shape: [2], data: new BigInt64Array([-1n, 2n ** 40n]) })).toEqual(I64);
  });

  it('writes format 2.0 and 3.0 on request', () => {
    const a: NpyArray = { dtype: 'bool', shape: [2, 2], data: Uint8Array.of(1, 0, 0, 1) };
    const v2 = encodeNpy(a, { version: 2 });
    expect(Array.from(v2.subarray(6, 12))).toEqual([2, 0, 0x74, 0, 0, 0]);
    expect(decodeNpy(v2)).toEqual(a);
    expect(decodeNpy(encodeNpy(a, { version: 3 }))).toEqual(a);
  });

  it('switches to format 2.0 when the header does not fit 1.0', () => {
    const shape = new Array<number>(30_000).fill(1);
    const bytes = encodeNpy({ dtype: 'uint8', shape, data: Uint8Array.of(7) });
    expect(bytes[6]).toBe(2);
    expect((bytes.length - 1) % 64).toBe(0);
    const back = decodeNpy(bytes);
    expect(back.shape).toHaveLength(30_000);
    expect(values(back)).toEqual([7]);
  });

  it('round-trips every dtype, including empty and zero-dimensional arrays', () => {
    const arrays: NpyArray[] = [
      { dtype: 'float16', shape: [3], data: Uint16Array.of(0x3c00, 0x7c00, 0xfe00) },
      { dtype: 'float32', shape: [2, 0, 3], data: new Float32Array(0) },
      { dtype: 'float64', shape: [], data: Float64Array.of(Math.PI) },
      { dtype: 'int8', shape: [2], data: Int8Array.of(-128, 127) },
      { dtype: 'uint8', shape: [1, 2], data: Uint8Array.of(0, 255) },
      { dtype: 'int32', shape: [2], data: Int32Array.of(-(2 ** 31), 2 ** 31 - 1) },
      { dtype: 'int64', shape: [1], data: BigInt64Array.of(-(2n ** 63n)) },
      { dtype: 'bool', shape: [3], data: Uint8Array.of(1, 1, 0) },
    ];
    for (const a of arrays) {
      const bytes = encodeNpy(a);
      expect((bytes.length - a.data.byteLength) % 64, a.dtype).toBe(0);
      expect(decodeNpy(bytes), a.dtype).toEqual(a);
    }
  });

  it('refuses data that does not match dtype or shape', () => {
    const attempts: [NpyArray, RegExp][] = [
      [
        { dtype: 'float32', shape: [2], data: new Float64Array(2) },
        /dtype float32 needs Float32Array data, got Float64Array/,
      ],
      [{ dtype: 'int32', shape: [2, 2], data: new Int32Array(3) }, /shape \(2, 2\) has 4 elements but the data has 3/],
      [{ dtype: 'bool', shape: [1], data: Uint8Array.of(2) }, /bool element 0 is 2/],
      [{ dtype: 'uint8', shape: [1.5], data: new Uint8Array(1) }, /dimension 1\.5/],
    ];
    for (const [array, message] of attempts) {
      expect(() => encodeNpy(array, { source: 'x.npy' })).toThrow(message);
      const err = thrown(() => encodeNpy(array));
      expect(err.code).toBe('E_NPY_FORMAT');
      expect(err.message).toMatch(message);
    }
  });
});

// --- compatibility with files NumPy itself writes (only where a Python with numpy is installed) ---------

function findNumpyPython(): string | null {
  const candidates = [process.env.NUMPY_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' });
    if (r.status === 0) return python;
  }
  return null;
}

const numpyPython = findNumpyPython();
if (numpyPython === null) {
  console.info(
    'npy.test: no Python with numpy found (tried NUMPY_PYTHON, /usr/bin/python3, python3); skipping the numpy cross-checks',
  );
}

describe.skipIf(numpyPython === null)('against numpy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'npy-numpy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const python = (script: string) => {
    const r = spawnSync(numpyPython as string, ['-c', script, dir], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };

  // Arrays numpy writes; values are described in JSON so both sides agree on what they hold.
  const WRITE = `
import json, os, sys
import numpy as np
d = sys.argv[1]
arrays = {
  "f4_2x3": np.arange(6, dtype="<f4").reshape(2, 3) / 7,
  "f8_scalar": np.array(-0.0),
  "f2_vals": np.array([1.0, -2.5, 65504, np.inf, 1e-7], dtype="<f2"),
  "i1": np.array([-128, 0, 127], dtype="i1"),
  "u1_empty": np.zeros((0, 4), dtype="u1"),
  "i4_3d": np.arange(-12, 12, dtype="<i4").reshape(2, 3, 4),
  "i8_ext": np.array([-2**63, 2**63 - 1, 0], dtype="<i8"),
  "b1": np.array([[True, False, True]]),
  "f4_big_first_axis": np.zeros((123456789012, 0), dtype="<f4"),
}
meta = {}
for name, a in arrays.items():
  np.save(os.path.join(d, name + ".npy"), a)
  vals = a.view(np.uint16) if a.dtype == np.float16 else a
  meta[name] = {"dtype": a.dtype.name, "shape": list(a.shape), "values": [str(v) if a.dtype == np.int64 else v for v in vals.ravel().tolist()]}
with open(os.path.join(d, "v2.npy"), "wb") as f: np.lib.format.write_array(f, np.arange(3, dtype="<f8"), version=(2, 0))
with open(os.path.join(d, "v3.npy"), "wb") as f: np.lib.format.write_array(f, np.arange(3, dtype="<i4"), version=(3, 0))
np.save(os.path.join(d, "x_fortran.npy"), np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
np.save(os.path.join(d, "x_big_endian.npy"), np.arange(3, dtype=">i4"))
np.save(os.path.join(d, "x_object.npy"), np.array([{"a": 1}], dtype=object), allow_pickle=True)
print(json.dumps(meta))
`;

  it('reads what numpy writes and writes the same bytes back', () => {
    const meta = JSON.parse(python(WRITE)) as Record<string, { dtype: string; shape: number[]; values: unknown[] }>;
    const dtypeName: Record<string, NpyDType> = {
      float16: 'float16',
      float32: 'float32',
      float64: 'float64',
      int8: 'int8',
      uint8: 'uint8',
      int32: 'int32',
      int64: 'int64',
      bool: 'bool',
    };
    for (const [name, want] of Object.entries(meta)) {
      const bytes = readFileSync(join(dir, `${name}.npy`));
      const a = decodeNpy(bytes, name);
      expect(a.dtype, name).toBe(dtypeName[want.dtype]);
      expect(a.shape, name).toEqual(want.shape);
      const values = Array.from(a.data as ArrayLike<number | bigint>, (v) =>
        typeof v === 'bigint' ? String(v) : a.dtype === 'bool' ? v === 1 : v,
      );
      if (a.dtype === 'float32') {
        expect(values, name).toEqual(want.values.map((v) => Math.fround(v as number)));
      } else {
        expect(values, name).toEqual(want.values);
      }
      expect(Buffer.from(encodeNpy(a)).equals(bytes), `${name}: encodeNpy differs from numpy.save`).toBe(true);
    }
    expect(values(decodeNpy(readFileSync(join(dir, 'v2.npy'))))).toEqual([0, 1, 2]);
    expect(values(decodeNpy(readFileSync(join(dir, 'v3.npy'))))).toEqual([0, 1, 2]);
    expect(
      Buffer.from(encodeNpy(decodeNpy(readFileSync(join(dir, 'v2.npy'))), { version: 2 })).equals(
        readFileSync(join(dir, 'v2.npy')),
      ),
    ).toBe(true);
    expect(() => decodeNpy(readFileSync(join(dir, 'x_fortran.npy')))).toThrow(/fortran_order is True/);
    expect(() => decodeNpy(readFileSync(join(dir, 'x_big_endian.npy')))).toThrow(/big-endian/);
    expect(() => decodeNpy(readFileSync(join(dir, 'x_object.npy')))).toThrow(/object array/);
  });

  it('writes files numpy reads back unchanged', () => {
    const arrays: Record<string, NpyArray> = {
      t_f2: { dtype: 'float16', shape: [2], data: Uint16Array.of(0x3c00, 0xc000) },
      t_f4: { dtype: 'float32', shape: [1, 2], data: Float32Array.of(0.1, -3) },
      t_i8: { dtype: 'int64', shape: [2], data: BigInt64Array.of(-5n, 2n ** 62n) },
      t_b1: { dtype: 'bool', shape: [], data: Uint8Array.of(1) },
    };
    for (const [name, a] of Object.entries(arrays)) writeFileSync(join(dir, `${name}.npy`), encodeNpy(a));
    const out = python(`
import json, os, sys
import numpy as np
d = sys.argv[1]
res = {}
for f in sorted(os.listdir(d)):
  if f.startswith("t_"):
    a = np.load(os.path.join(d, f))
    res[f] = [a.dtype.str, list(a.shape), [str(v) for v in a.ravel().tolist()]]
print(json.dumps(res))
`);
    expect(JSON.parse(out)).toEqual({
      't_b1.npy': ['|b1', [], ['True']],
      't_f2.npy': ['<f2', [2], ['1.0', '-2.0']],
      't_f4.npy': ['<f4', [1, 2], [String(Math.fround(0.1)), '-3.0']],
      't_i8.npy': ['<i8', [2], ['-5', String(2n ** 62n)]],
    });
    expect(readdirSync(dir).filter((f) => f.startsWith('t_'))).toHaveLength(4);
  });
});
