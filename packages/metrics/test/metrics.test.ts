import { isParityError } from '@bert-parity/core';
import { thrown } from '@bert-parity/core/testing';
import { describe, expect, it } from 'vitest';
import {
  accuracyChange,
  argmaxRows,
  checkStat,
  compareOutput,
  errorArrays,
  float64Tensor,
  HistogramBuilder,
  halfToNumber,
  judge,
  measure,
  paddingKeep,
  quantile,
  REL_EPSILON,
  statOf,
  taskAccuracy,
  toleranceFor,
} from '../src/index.ts';
import type { DriftStats } from '../src/types.ts';

const t = float64Tensor;

describe('measure: hand-computed numbers', () => {
  // a = [1, 2, 3, 4], r = [1, 2, 3, 5]: one element off by 1.
  const m = measure(t([1, 2, 3, 4]), t([1, 2, 3, 5]), { tolerance: { atol: 0.5, rtol: 0.1 } }).stats;

  it('absolute errors', () => {
    expect(m.elements).toBe(4);
    expect(m.maxAbs).toBe(1);
    expect(m.meanAbs).toBe(0.25);
  });

  it('relL2, cosine and SQNR', () => {
    expect(m.relL2).toBeCloseTo(1 / Math.sqrt(39), 15); // ‖(0,0,0,-1)‖ / ‖(1,2,3,5)‖
    expect(m.cosine).toBeCloseTo(34 / Math.sqrt(30 * 39), 15); // a·r / (‖a‖‖r‖)
    expect(m.sqnrDb).toBeCloseTo(10 * Math.log10(39), 12);
  });

  it('mismatches and the smallest passing tolerances', () => {
    // |4-5| = 1 > 0.5 and 1/5 = 0.2 > 0.1: one mismatch.
    expect(m.mismatches).toBe(1);
    expect(m.minPassingAtol).toBe(1);
    expect(m.minPassingRtol).toBe(0.2);
    // rtol 0.25 covers 0.2: the element exceeds atol but not rtol, so it passes (both must be exceeded).
    expect(measure(t([1, 2, 3, 4]), t([1, 2, 3, 5]), { tolerance: { atol: 0.5, rtol: 0.25 } }).stats.mismatches).toBe(
      0,
    );
    expect(m.nonFinite).toBe(0);
    expect(m.nan).toBe(0);
  });

  it('relative error is taken against the reference (second argument), as in Polygraphy', () => {
    const e = errorArrays(t([2]), t([4]));
    expect(e.rel[0]).toBe(0.5); // |2-4| / 4
    expect(errorArrays(t([4]), t([2])).rel[0]).toBe(1); // |4-2| / 2
  });

  it('a zero reference element is divided by machine epsilon, as Polygraphy does', () => {
    expect(errorArrays(t([1e-3]), t([0])).rel[0]).toBe(1e-3 / REL_EPSILON);
  });
});

describe('measure: edge cases with defined results', () => {
  it('all-zero reference: relL2 0 when the output is zero too, Infinity otherwise', () => {
    const same = measure(t([0, 0, 0]), t([0, 0, 0])).stats;
    expect(same).toMatchObject({ relL2: 0, cosine: 1, sqnrDb: Number.POSITIVE_INFINITY, maxAbs: 0, mismatches: 0 });
    const off = measure(t([0, 1e-3, 0]), t([0, 0, 0])).stats;
    expect(off.relL2).toBe(Number.POSITIVE_INFINITY);
    expect(off.cosine).toBe(0);
    expect(off.sqnrDb).toBe(Number.NEGATIVE_INFINITY);
    expect(off.minPassingRtol).toBe(1e-3 / REL_EPSILON);
  });

  it('empty tensors are a coded error', () => {
    const e = thrown(() => measure(t([], [0, 3]), t([], [0, 3]), { name: 'logits' }));
    expect(e.code).toBe('E_METRIC_EMPTY');
    expect(e.message).toBe('logits: shape [0, 3] has no elements; there is nothing to compare');
  });

  it('a shape mismatch is a coded error naming both shapes', () => {
    const e = thrown(() => measure(t([1, 2, 3, 4, 5, 6], [2, 3]), t([1, 2, 3, 4, 5, 6], [3, 2]), { name: 'logits' }));
    expect(e.code).toBe('E_METRIC_SHAPE');
    expect(e.message).toBe('logits: output shape [2, 3] differs from reference shape [3, 2]');
  });

  it('data that does not fill its shape is a coded error', () => {
    const e = thrown(() => measure(t([1, 2, 3], [2, 2]), t([1, 2, 3, 4], [2, 2]), { name: 'x' }));
    expect(e.message).toBe('x (output): shape [2, 2] has 4 elements but its data has 3');
  });

  it('a negative or NaN tolerance is a coded error', () => {
    const e = thrown(() => measure(t([1]), t([1]), { tolerance: { atol: -1, rtol: 0 } }));
    expect(e.code).toBe('E_METRIC_INPUT');
    expect(e.message).toBe('output: atol is -1; expected a number >= 0');
  });

  it('NaN in the output: counted, propagates into the summary metrics, and never passes', () => {
    const s = measure(t([Number.NaN, 1, 2]), t([1, 1, 2])).stats;
    expect(s).toMatchObject({ nan: 1, nonFinite: 1, mismatches: 1 });
    expect(s.maxAbs).toBeNaN();
    expect(s.relL2).toBeNaN();
    expect(s.cosine).toBeNaN();
    expect(s.minPassingAtol).toBe(Number.POSITIVE_INFINITY);
    expect(judge(s, {})).toEqual({ pass: false, failures: ['NaN in 1 of 3 elements'] });
  });

  it('NaN in the reference fails the element too', () => {
    const s = measure(t([1, 1]), t([1, Number.NaN])).stats;
    expect(s).toMatchObject({ nan: 1, nonFinite: 0, mismatches: 1 });
  });

  it('equal infinities fail by default (Inf - Inf is NaN in Polygraphy) and pass with infinitiesEqual', () => {
    const inf = Number.POSITIVE_INFINITY;
    const strict = measure(t([inf, 1]), t([inf, 1])).stats;
    expect(strict.mismatches).toBe(1);
    expect(strict.maxAbs).toBeNaN();
    const loose = measure(t([inf, 1]), t([inf, 1]), { infinitiesEqual: true }).stats;
    expect(loose).toMatchObject({ mismatches: 0, maxAbs: 0, relL2: 0, cosine: 1, nonFinite: 1, nan: 0 });
    expect(loose.sqnrDb).toBe(inf);
  });

  it('opposite infinities or an infinity against a number never pass, even with infinitiesEqual', () => {
    const inf = Number.POSITIVE_INFINITY;
    for (const [a, r] of [
      [inf, -inf],
      [inf, 3],
      [3, -inf],
    ] as const) {
      const s = measure(t([a, 1]), t([r, 1]), { infinitiesEqual: true, tolerance: { atol: inf, rtol: inf } }).stats;
      expect(s.mismatches).toBe(1);
      expect(s.relL2).toBe(inf);
      expect(s.cosine).toBeNaN();
      expect(s.minPassingAtol).toBe(inf);
    }
  });

  it('reads float16 bit patterns, int8 and int64 data exactly', () => {
    const half = { dtype: 'float16' as const, shape: [3], data: new Uint16Array([0x3c00, 0xc000, 0x3555]) };
    const s = measure(half, t([1, -2, 0.333251953125])).stats;
    expect(s.maxAbs).toBe(0);
    const i8 = { dtype: 'int8' as const, shape: [2], data: new Int8Array([-3, 4]) };
    const i64 = { dtype: 'int64' as const, shape: [2], data: new BigInt64Array([-3n, 5n]) };
    expect(measure(i8, i64).stats).toMatchObject({ maxAbs: 1, meanAbs: 0.5 });
  });

  it('halfToNumber covers zero, subnormals, the largest half, infinities and NaN', () => {
    expect(halfToNumber(0x0000)).toBe(0);
    expect(Object.is(halfToNumber(0x8000), -0)).toBe(true);
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0x7bff)).toBe(65504);
    expect(halfToNumber(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToNumber(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(halfToNumber(0x7e00)).toBeNaN();
  });

  it('a float16 tensor must carry Uint16Array bits', () => {
    const bad = { dtype: 'float16' as const, shape: [1], data: new Float32Array([1]) };
    const e = thrown(() => measure(bad, t([1]), { name: 'h' }));
    expect(e.code).toBe('E_METRIC_INPUT');
    expect(e.message).toBe('h (output): dtype float16 needs its bit patterns in a Uint16Array, got Float32Array');
  });
});

describe('padding mask', () => {
  // [batch 2, seq 3, hidden 2]; the second sequence has one padding position.
  const shape = [2, 3, 2];
  const mask = [1, 1, 1, 1, 1, 0];

  it('keeps every hidden element of real tokens and drops padding positions', () => {
    expect([...paddingKeep(mask, shape)]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect([...paddingKeep(new BigInt64Array([1n, 0n]), [1, 2])]).toEqual([1, 0]);
  });

  it('padding positions do not count, however different they are', () => {
    const ref = t([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0], shape);
    const out = t([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 500, -500], shape);
    const s = measure(out, ref, { keep: paddingKeep(mask, shape) }).stats;
    expect(s).toMatchObject({ elements: 10, maxAbs: 0, relL2: 0, mismatches: 0 });
  });

  it('a mask of the wrong size or a rank-1 tensor is a coded error', () => {
    expect(thrown(() => paddingKeep([1, 1], shape, 'last_hidden_state')).message).toBe(
      'last_hidden_state: attention mask has 2 entries; shape [2, 3, 2] needs batch·seq = 6',
    );
    expect(thrown(() => paddingKeep([1], [4])).code).toBe('E_METRIC_SHAPE');
  });

  it('a mask that keeps nothing is a coded error', () => {
    const e = thrown(() => measure(t([1, 2], [1, 2]), t([1, 2], [1, 2]), { keep: paddingKeep([0, 0], [1, 2]) }));
    expect(e.code).toBe('E_METRIC_EMPTY');
  });
});

describe('top-1 agreement and task accuracy', () => {
  // 3 rows of 2 logits.
  const ref = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4];
  const out = [0.8, 0.2, 0.55, 0.45, 0.7, 0.3]; // row 1 flips

  it('argmax per row, first index on ties, -1 for a row holding NaN', () => {
    expect([...argmaxRows([1, 3, 3, 2, Number.NaN, 1], 3)]).toEqual([1, -1]);
    expect([...argmaxRows([5, 5], 2)]).toEqual([0]);
  });

  it('share of rows whose argmax agrees', () => {
    expect(measure(t(out, [3, 2]), t(ref, [3, 2]), { top1: true }).stats.top1Agreement).toBe(2 / 3);
    expect(measure(t(out, [3, 2]), t(ref, [3, 2])).stats.top1Agreement).toBeUndefined();
  });

  it('accuracy and its change from the reference', () => {
    const labels = [0, 1, 1];
    expect(taskAccuracy(ref, labels, 2)).toBe(2 / 3);
    expect(accuracyChange(out, ref, labels, 2)).toEqual({ value: 1 / 3, reference: 2 / 3, delta: 1 / 3 - 2 / 3 });
  });

  it('labels out of range or of the wrong count are coded errors', () => {
    expect(thrown(() => taskAccuracy(ref, [0, 2, 1], 2)).message).toBe(
      'logits: label 1 is 2; expected an integer in [0, 2)',
    );
    expect(thrown(() => taskAccuracy(ref, [0], 2)).message).toBe('logits: 1 labels for 3 rows; expected one per row');
  });
});

describe('judge', () => {
  const stats: DriftStats = {
    elements: 1000,
    maxAbs: 0.05,
    meanAbs: 0.001,
    relL2: 0.031,
    cosine: 0.9989999,
    sqnrDb: 30.2,
    top1Agreement: 0.97,
    mismatches: 12,
    nonFinite: 0,
    nan: 0,
    minPassingAtol: 0.05,
    minPassingRtol: 0.4,
  };

  it('passes when every declared bound holds', () => {
    expect(judge(stats, { relL2: 0.05, maxAbs: 0.1, cosineMin: 0.99, top1AgreementMin: 0.95 })).toEqual({
      pass: true,
      failures: [],
    });
    expect(judge(stats, {})).toEqual({ pass: true, failures: [] });
  });

  it('names every violated bound with its numbers', () => {
    const v = judge(
      stats,
      {
        relL2: 0.02,
        maxAbs: 0.01,
        cosineMin: 0.999,
        top1AgreementMin: 0.99,
        atol: 1e-3,
        rtol: 1e-2,
        accuracyDropMax: 0.01,
      },
      { accuracy: { value: 0.9, reference: 0.93, delta: 0.9 - 0.93 } },
    );
    expect(v.pass).toBe(false);
    expect(v.failures).toEqual([
      'relL2 3.1e-2 > 2.0e-2',
      'maxAbs 5.0e-2 > 1.0e-2',
      'cosine 0.9989999 < 0.999',
      'top-1 agreement 0.97 < 0.99',
      '12 of 1000 elements exceed atol 1.0e-3 and rtol 1.0e-2 (smallest passing: atol 5.0e-2 or rtol 4.0e-1)',
      'accuracy drop 3.00% > 1.00% (90.00% vs reference 93.00%)',
    ]);
  });

  it('prints enough digits to tell a value from a bound it barely exceeds', () => {
    expect(judge({ ...stats, relL2: 0.0204 }, { relL2: 0.02 }).failures).toEqual(['relL2 2.04e-2 > 2.0e-2']);
  });

  it('a NaN statistic fails its bound (NaN is never within bounds)', () => {
    expect(judge({ ...stats, cosine: Number.NaN }, { cosineMin: 0.9 }).failures).toEqual(['cosine NaN < 0.9']);
    expect(judge({ ...stats, relL2: Number.NaN }, { relL2: 1 }).failures).toEqual(['relL2 NaN > 1.0e+0']);
  });

  it('a bound on something not measured fails and says so', () => {
    const { top1Agreement: _, ...noTop1 } = stats;
    expect(judge(noTop1, { top1AgreementMin: 0.9 }).failures).toEqual(['top-1 agreement was not measured (bound 0.9)']);
    expect(judge(stats, { accuracyDropMax: 0.01 }).failures).toEqual([
      'accuracy was not measured (bound: drop <= 0.01)',
    ]);
  });

  it('NaN fails regardless of bounds, also for stats written before the nan field existed', () => {
    const { nan: _, ...old } = stats;
    expect(judge({ ...old, maxAbs: Number.NaN }, {}).failures).toEqual(['NaN in 1000 of 1000 elements']);
  });

  it('tolerances a bound implies: declared ones (a missing one is 0), else Polygraphy defaults', () => {
    expect(toleranceFor({})).toEqual({ atol: 1e-5, rtol: 1e-5 });
    expect(toleranceFor({ atol: 1e-3 })).toEqual({ atol: 1e-3, rtol: 0 });
    expect(toleranceFor({ rtol: 1e-2 })).toEqual({ atol: 0, rtol: 1e-2 });
  });
});

describe('compareOutput', () => {
  it('measures with the bound tolerances, judges, and keeps a histogram', () => {
    const r = compareOutput('logits', t([1, 2.5, 3], [1, 3]), t([1, 2, 3], [1, 3]), { atol: 0.1, top1AgreementMin: 1 });
    expect(r.output).toBe('logits');
    expect(r.pass).toBe(false);
    expect(r.stats.top1Agreement).toBe(1);
    expect(r.failures).toEqual([
      '1 of 3 elements exceed atol 1.0e-1 and rtol 0 (smallest passing: atol 5.0e-1 or rtol 2.5e-1)',
    ]);
    // |a - r| = [0, 0.5, 0]: two exact zeros in the first bin (1e-12), 0.5 in the 1e-1 decade (bin 11 of 14).
    expect(r.histogram?.log10Edges).toEqual(Array.from({ length: 15 }, (_, i) => i - 12));
    expect(r.histogram?.counts).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
  });
});

describe('error histogram', () => {
  it('counts |a - r| per decade; zeros and tiny errors in the first bin, huge ones in the last', () => {
    const h = new HistogramBuilder({ minLog10: -3, maxLog10: 0 });
    for (const e of [0, 1e-9, 2e-3, 5e-2, 0.5, 0.999, 7, Number.NaN, Number.POSITIVE_INFINITY]) h.add(e);
    expect(h.result()).toEqual({ log10Edges: [-3, -2, -1, 0], counts: [3, 1, 3] });
  });

  it('covers 1e-12 … 1e2 by default', () => {
    const h = new HistogramBuilder().result();
    expect(h.log10Edges).toHaveLength(15);
    expect(h.counts).toHaveLength(14);
  });
});

describe('statistics for --stat (Polygraphy check_error_stat)', () => {
  it('quantile interpolates linearly like NumPy; median is quantile 0.5', () => {
    const v = new Float64Array([4, 1, 3, 2]);
    expect(quantile(v, 0.99)).toBeCloseTo(3.97, 12); // numpy.quantile([1,2,3,4], 0.99)
    expect(quantile(v, 0.5)).toBe(2.5);
    expect(statOf(v, 'median')).toBe(2.5);
    expect(statOf(v, 'max')).toBe(4);
    expect(statOf(v, 'mean')).toBe(2.5);
    expect(quantile(new Float64Array([1, Number.NaN]), 0.5)).toBeNaN();
  });

  it('fails only when both the abs and the rel statistic exceed their tolerance', () => {
    const errors = errorArrays(t([1.1, 2, 3]), t([1, 2, 3])); // abs [0.1, 0, 0], rel [0.1, 0, 0]
    expect(checkStat(errors, 'max', { atol: 0.05, rtol: 0.05 }).pass).toBe(false);
    expect(checkStat(errors, 'max', { atol: 0.05, rtol: 0.2 }).pass).toBe(true);
    const mean = checkStat(errors, 'mean', { atol: 0.05, rtol: 0.05 });
    expect(mean.pass).toBe(true);
    expect(mean.abs).toBeCloseTo(0.1 / 3, 12);
    expect(checkStat(errors, 'median', { atol: 0, rtol: 0 }).pass).toBe(true);
  });

  it('a bad quantile is a coded error', () => {
    const e = thrown(() => quantile(new Float64Array([1]), 1.5));
    expect(isParityError(e, 'E_METRIC_INPUT')).toBe(true);
    expect(e.message).toBe('quantile 1.5; expected a number in [0, 1]');
  });
});
