import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, type NpyArray } from '@bert-parity/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli as run } from './helpers/cli.ts';

afterEach(() => vi.restoreAllMocks());

const f32 = (values: number[], shape: number[] = [values.length]): NpyArray => ({
  dtype: 'float32',
  shape,
  data: new Float32Array(values),
});

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'bp-compare-'));
}

function npy(folder: string, name: string, array: NpyArray): string {
  const path = join(folder, name);
  writeFileSync(path, encodeNpy(array));
  return path;
}

const LOGITS = [0.5, -1.25, 2, 0.75, 0.25, -0.5];

describe('bert-parity compare: files', () => {
  it('exits 0 and prints a PASS table for identical outputs', async () => {
    const d = dir();
    const a = npy(d, 'a.npy', f32(LOGITS, [2, 3]));
    const b = npy(d, 'b.npy', f32(LOGITS, [2, 3]));
    const r = await run('compare', a, b);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[2]).toBe('check: elemwise, atol 1.0e-5, rtol 1.0e-5');
    expect(lines[4]).toMatch(
      /^output +shape +maxAbs +meanAbs +relL2 +cosine +SQNR dB +top-1 +mismatches +min atol +min rtol +verdict$/,
    );
    expect(lines[5]).toMatch(/^a +\[2, 3\] +0 +0 +0 +1\.000000 +Infinity +100\.0% +0\/6 +0 +0 +PASS$/);
    expect(lines.at(-1)).toBe('PASS  1 of 1 outputs match');
  });

  it('exits 1 and names the numbers when elements exceed both tolerances', async () => {
    const d = dir();
    const a = npy(d, 'logits.npy', f32([1, 2, 3.5, 4]));
    const b = npy(d, 'ref.npy', f32([1, 2, 3, 4]));
    const r = await run('compare', a, b, '--atol', '0.1', '--rtol', '0.1');
    expect(r.code).toBe(1);
    expect(r.out).toContain('  logits: 1 of 4 elements exceed atol 1.0e-1 and rtol 1.0e-1');
    expect(r.out.split('\n').at(-1)).toBe('FAIL  1 of 1 outputs mismatch: logits');
    // rtol 0.2 covers 0.5/3 = 0.167: exceeding atol alone is not a mismatch.
    expect((await run('compare', a, b, '--atol', '0.1', '--rtol', '0.2')).code).toBe(0);
  });

  it('--stat mean/median/max/quantile check that statistic of the error arrays', async () => {
    const d = dir();
    // abs errors [0, 0, 0, 1]: max 1, mean 0.25, median 0, 0.99-quantile 0.97
    const a = npy(d, 'a.npy', f32([1, 1, 1, 2]));
    const b = npy(d, 'b.npy', f32([1, 1, 1, 1]));
    expect((await run('compare', a, b, '--atol', '0.3', '--rtol', '0')).code).toBe(1);
    expect((await run('compare', a, b, '--atol', '0.3', '--rtol', '0', '--stat', 'mean')).code).toBe(0);
    expect((await run('compare', a, b, '--atol', '0.2', '--rtol', '0', '--stat', 'mean')).code).toBe(1);
    expect((await run('compare', a, b, '--atol', '0', '--rtol', '0', '--stat', 'median')).code).toBe(0);
    expect((await run('compare', a, b, '--atol', '0.99', '--rtol', '0', '--stat', 'max')).code).toBe(1);
    expect(
      (await run('compare', a, b, '--atol', '0.5', '--rtol', '0', '--stat', 'quantile', '--quantile', '0.5')).code,
    ).toBe(0);
    const q = await run('compare', a, b, '--atol', '0.5', '--rtol', '0', '--stat', 'quantile');
    expect(q.code).toBe(1);
    expect(q.out).toContain(
      'a: quantile 0.99 abs error 9.70e-1 > atol 5.0e-1 and quantile 0.99 rel error 9.70e-1 > rtol 0',
    );
  });

  it('a shape mismatch is a mismatch (exit 1) that names both shapes, as Polygraphy fails it', async () => {
    const d = dir();
    const a = npy(d, 'a.npy', f32(LOGITS, [2, 3]));
    const b = npy(d, 'b.npy', f32(LOGITS, [3, 2]));
    const r = await run('compare', a, b);
    expect(r.code).toBe(1);
    expect(r.out).toContain('  a: shape [2, 3] in A differs from [3, 2] in B; not compared');
  });

  it('NaN fails whatever the tolerance', async () => {
    const d = dir();
    const a = npy(d, 'a.npy', f32([1, Number.NaN]));
    const b = npy(d, 'b.npy', f32([1, 2]));
    for (const stat of ['elemwise', 'max', 'mean', 'median', 'quantile']) {
      const r = await run('compare', a, b, '--atol', '1e30', '--rtol', '1e30', '--stat', stat);
      expect(r.code).toBe(1);
      expect(r.out).toContain('  a: NaN in 1 of 2 elements');
    }
  });

  it('equal infinities fail unless --infinities-equal', async () => {
    const d = dir();
    const a = npy(d, 'a.npy', f32([1, Number.POSITIVE_INFINITY]));
    const b = npy(d, 'b.npy', f32([1, Number.POSITIVE_INFINITY]));
    expect((await run('compare', a, b)).code).toBe(1);
    expect((await run('compare', a, b, '--infinities-equal')).code).toBe(0);
  });

  it('compares a float16 output with a float32 reference exactly', async () => {
    const d = dir();
    const a = npy(d, 'a.npy', { dtype: 'float16', shape: [2], data: new Uint16Array([0x3c00, 0x3800]) }); // 1, 0.5
    const b = npy(d, 'b.npy', f32([1, 0.5]));
    const r = await run('compare', a, b, '--atol', '0', '--rtol', '0', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.outputs[0]).toMatchObject({ dtypeA: 'float16', dtypeB: 'float32', pass: true });
    expect(j.outputs[0].stats.maxAbs).toBe(0);
  });

  it('--json prints the schema-versioned result with non-finite numbers as strings', async () => {
    const d = dir();
    const a = npy(d, 'a.npy', f32([0, 1], [1, 2]));
    const b = npy(d, 'b.npy', f32([0, 0], [1, 2]));
    const r = await run('compare', a, b, '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ schema: 'bert-parity/compare@1', stat: 'elemwise', atol: 1e-5, rtol: 1e-5, pass: false });
    expect(j.outputs[0].stats).toMatchObject({ relL2: 'Infinity', sqnrDb: '-Infinity', cosine: 0, mismatches: 1 });
  });
});

describe('bert-parity compare: folders', () => {
  it('matches outputs by file name and reports one only on one side as a mismatch', async () => {
    const a = dir();
    const b = dir();
    npy(a, 'logits.npy', f32(LOGITS, [2, 3]));
    npy(b, 'logits.npy', f32(LOGITS, [2, 3]));
    npy(a, 'pooler_output.npy', f32([0.1, 0.2]));
    npy(b, 'pooler_output.npy', f32([0.1, 0.2]));
    expect((await run('compare', a, b)).code).toBe(0);
    npy(b, 'last_hidden_state.npy', f32([1]));
    const r = await run('compare', a, b);
    expect(r.code).toBe(1);
    expect(r.out).toContain('  last_hidden_state: missing in A: no last_hidden_state.npy there');
    expect(r.out.split('\n').at(-1)).toBe('FAIL  1 of 3 outputs mismatch: last_hidden_state');
  });
});

describe('bert-parity compare: usage and IO errors exit 2', () => {
  it('unreadable .npy', async () => {
    const d = dir();
    const a = join(d, 'a.npy');
    writeFileSync(a, 'not numpy');
    const b = npy(d, 'b.npy', f32([1]));
    const r = await run('compare', a, b);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`bert-parity: E_NPY_FORMAT: ${a}: does not start with the .npy magic \\x93NUMPY`);
  });

  it('missing file', async () => {
    const d = dir();
    const nope = join(d, 'nope.npy');
    const r = await run('compare', nope, npy(d, 'b.npy', f32([1])));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`bert-parity: E_IO: cannot read ${nope}: ENOENT: no such file or directory, stat '${nope}'`);
  });

  it('a file against a folder, or folders without .npy files', async () => {
    const d = dir();
    const f = npy(d, 'b.npy', f32([1]));
    const empty = join(d, 'empty');
    mkdirSync(empty);
    const r = await run('compare', f, empty);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `bert-parity: E_USAGE: compare takes two .npy files or two folders; got a file (${f}) and a dir (${empty})`,
    );
    const neither = await run('compare', empty, empty);
    expect(neither.code).toBe(2);
    expect(neither.err).toBe(
      `bert-parity: E_USAGE: neither ${empty} nor ${empty} holds .npy files; expected one file per output`,
    );
  });

  it('bad option values', async () => {
    const d = dir();
    const a = npy(d, 'a.npy', f32([1]));
    expect((await run('compare', a, a, '--atol', 'x')).err).toBe('bert-parity: E_USAGE: --atol "x" is not a number');
    expect((await run('compare', a, a, '--rtol', '-1')).err).toBe(
      'bert-parity: E_USAGE: --rtol -1; expected a number >= 0',
    );
    expect((await run('compare', a, a, '--quantile', '0.5')).err).toBe(
      'bert-parity: E_USAGE: --quantile needs --stat quantile (got --stat elemwise)',
    );
    const p99 = await run('compare', a, a, '--stat', 'p99');
    expect(p99.code).toBe(2);
    expect(p99.err.split('\n')[0]).toBe(
      "error: option '--stat <stat>' argument 'p99' is invalid. Allowed choices are elemwise, max, mean, median, quantile.",
    );
  });

  it('empty arrays are a coded error', async () => {
    const d = dir();
    const a = npy(d, 'a.npy', f32([], [0, 3]));
    const r = await run('compare', a, a);
    expect(r.code).toBe(2);
    expect(r.err).toBe('bert-parity: E_METRIC_EMPTY: a: shape [0, 3] has no elements; there is nothing to compare');
  });
});
