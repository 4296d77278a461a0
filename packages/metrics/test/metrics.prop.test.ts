import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { float64Tensor, isMismatch, judge, measure, type Tolerance } from '../src/index.ts';

const t = float64Tensor;
const params = { numRuns: 300 };

/** Finite float32 values of moderate size: what model outputs hold. */
const value = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((x) => x + 0);
const vector = fc.array(value, { minLength: 1, maxLength: 64 });
const pair = fc
  .integer({ min: 1, max: 64 })
  .chain((n) =>
    fc.tuple(fc.array(value, { minLength: n, maxLength: n }), fc.array(value, { minLength: n, maxLength: n })),
  );
/** Small integers, so scaling by c stays far from rounding trouble. */
const intPair = fc
  .integer({ min: 1, max: 32 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: n, maxLength: n }),
    ),
  );
const tolerance = fc.record({
  atol: fc.double({ min: 0, max: 10, noNaN: true }),
  rtol: fc.double({ min: 0, max: 10, noNaN: true }),
});

/** The largest double below x (x > 0). */
function below(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

function countMismatches(a: number[], r: number[], tol: Tolerance): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (isMismatch(a[i] as number, r[i] as number, tol, false)) n++;
  return n;
}

describe('metrics properties', () => {
  it('identical tensors: no error, cosine 1, SQNR Infinity, no mismatch at any tolerance', () => {
    fc.assert(
      fc.property(vector, tolerance, (v, tol) => {
        // Arrange / Act
        const s = measure(t(v), t([...v]), { tolerance: tol }).stats;
        // Assert
        expect(s).toMatchObject({ maxAbs: 0, meanAbs: 0, relL2: 0, cosine: 1, mismatches: 0 });
        expect(s.sqnrDb).toBe(Number.POSITIVE_INFINITY);
        expect(s).toMatchObject({ minPassingAtol: 0, minPassingRtol: 0 });
      }),
      params,
    );
  });

  it('maxAbs, meanAbs and atol-only mismatches are symmetric in output and reference', () => {
    fc.assert(
      fc.property(pair, fc.double({ min: 0, max: 1e6, noNaN: true }), ([a, r], atol) => {
        const tol = { atol, rtol: 0 };
        const ar = measure(t(a), t(r), { tolerance: tol }).stats;
        const ra = measure(t(r), t(a), { tolerance: tol }).stats;
        expect(ar.maxAbs).toBe(ra.maxAbs);
        expect(ar.meanAbs).toBeCloseTo(ra.meanAbs, 6);
        expect(ar.mismatches).toBe(ra.mismatches);
      }),
      params,
    );
  });

  it('relL2 and cosine do not change when both sides are scaled by c > 0', () => {
    fc.assert(
      fc.property(intPair, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), ([a, r], c) => {
        fc.pre(r.some((x) => x !== 0) && a.some((x) => x !== 0));
        const base = measure(t(a), t(r)).stats;
        const scaled = measure(t(a.map((x) => x * c)), t(r.map((x) => x * c))).stats;
        expect(Math.abs(scaled.relL2 - base.relL2)).toBeLessThanOrEqual(1e-9 * Math.max(1, base.relL2));
        expect(Math.abs(scaled.cosine - base.cosine)).toBeLessThanOrEqual(1e-9);
      }),
      params,
    );
  });

  it('relL2 and cosine are bounded: relL2 >= 0, cosine in [-1, 1]', () => {
    fc.assert(
      fc.property(pair, ([a, r]) => {
        const s = measure(t(a), t(r)).stats;
        expect(s.relL2).toBeGreaterThanOrEqual(0);
        expect(s.cosine).toBeGreaterThanOrEqual(-1);
        expect(s.cosine).toBeLessThanOrEqual(1);
      }),
      params,
    );
  });

  it('a NaN anywhere in the output fails the check under any bound and is counted', () => {
    fc.assert(
      fc.property(
        pair,
        fc.nat(),
        fc.record(
          { relL2: fc.constant(1e300), maxAbs: fc.constant(1e300), atol: fc.constant(1e300) },
          { requiredKeys: [] },
        ),
        ([a, r], at, bound) => {
          const broken = [...a];
          broken[at % a.length] = Number.NaN;
          const s = measure(t(broken), t(r)).stats;
          expect(s.nan).toBe(1);
          expect(s.mismatches).toBeGreaterThanOrEqual(1);
          expect(s.maxAbs).toBeNaN();
          const v = judge(s, bound);
          expect(v.pass).toBe(false);
          expect(v.failures[0]).toBe(`NaN in 1 of ${a.length} elements`);
        },
      ),
      params,
    );
  });

  it('minPassingAtol passes every element (rtol 0) and anything smaller fails one, checked on the data', () => {
    fc.assert(
      fc.property(pair, ([a, r]) => {
        const s = measure(t(a), t(r)).stats;
        expect(countMismatches(a, r, { atol: s.minPassingAtol, rtol: 0 })).toBe(0);
        if (s.minPassingAtol > 0) {
          expect(countMismatches(a, r, { atol: below(s.minPassingAtol), rtol: 0 })).toBeGreaterThan(0);
        }
      }),
      params,
    );
  });

  it('minPassingRtol passes every element (atol 0) and anything smaller fails one, checked on the data', () => {
    fc.assert(
      fc.property(pair, ([a, r]) => {
        const s = measure(t(a), t(r)).stats;
        expect(countMismatches(a, r, { atol: 0, rtol: s.minPassingRtol })).toBe(0);
        if (s.minPassingRtol > 0) {
          expect(countMismatches(a, r, { atol: 0, rtol: below(s.minPassingRtol) })).toBeGreaterThan(0);
        }
      }),
      params,
    );
  });

  it('the mismatch count equals a direct transcription of the Polygraphy elementwise formula', () => {
    fc.assert(
      fc.property(pair, tolerance, ([a, r], tol) => {
        const eps = 2.220446049250313e-16;
        let expected = 0;
        for (let i = 0; i < a.length; i++) {
          const abs = Math.abs((a[i] as number) - (r[i] as number));
          const rel = abs / Math.abs(r[i] === 0 ? eps : (r[i] as number));
          if ((abs > tol.atol || Number.isNaN(abs)) && (rel > tol.rtol || Number.isNaN(rel))) expected++;
        }
        expect(measure(t(a), t(r), { tolerance: tol }).stats.mismatches).toBe(expected);
      }),
      params,
    );
  });

  it('a mismatch count of 0 means the bound with those tolerances passes', () => {
    fc.assert(
      fc.property(pair, tolerance, ([a, r], tol) => {
        const s = measure(t(a), t(r), { tolerance: tol }).stats;
        expect(judge(s, tol).pass).toBe(s.mismatches === 0);
      }),
      params,
    );
  });
});
