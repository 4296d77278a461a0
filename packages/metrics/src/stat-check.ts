import { ParityError } from '@bert-parity/core';
import type { NumericTensor } from './decode.ts';
import { toFloat64 } from './decode.ts';
import { absError, relError, type Tolerance } from './elementwise.ts';
import { checkComparable } from './shape.ts';

/**
 * Polygraphy's check_error_stat: "elemwise" fails when any element exceeds both tolerances; "max",
 * "mean", "median" and "quantile" take that statistic of the absolute-error array and of the
 * relative-error array and fail only if the absolute one exceeds atol (or is NaN) AND the relative one
 * exceeds rtol (or is NaN).
 */
export const ERROR_STATS = ['elemwise', 'max', 'mean', 'median', 'quantile'] as const;
export type ErrorStat = (typeof ERROR_STATS)[number];

/** Polygraphy's default error quantile. */
export const DEFAULT_QUANTILE = 0.99;

export interface ErrorArrays {
  abs: Float64Array;
  rel: Float64Array;
}

export function errorArrays(
  actual: NumericTensor,
  reference: NumericTensor,
  options: { name?: string; infinitiesEqual?: boolean } = {},
): ErrorArrays {
  const name = options.name ?? 'output';
  const n = checkComparable(actual, reference, name);
  const a = toFloat64(actual, `${name} (output)`);
  const r = toFloat64(reference, `${name} (reference)`);
  const abs = new Float64Array(n);
  const rel = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    abs[i] = absError(a[i] as number, r[i] as number, options.infinitiesEqual ?? false);
    rel[i] = relError(abs[i] as number, r[i] as number);
  }
  return { abs, rel };
}

/**
 * The q-th quantile with linear interpolation between closest ranks (NumPy's default method), so that
 * median = quantile 0.5. Any NaN makes the result NaN, as in NumPy.
 */
export function quantile(values: Float64Array, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new ParityError('E_METRIC_INPUT', `quantile ${q}; expected a number in [0, 1]`);
  if (values.length === 0) throw new ParityError('E_METRIC_EMPTY', 'quantile of no values');
  if (values.some(Number.isNaN)) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  if (lo === hi || a === b) return a;
  return a + (b - a) * (pos - lo);
}

export function statOf(values: Float64Array, stat: Exclude<ErrorStat, 'elemwise'>, q = DEFAULT_QUANTILE): number {
  switch (stat) {
    case 'max': {
      let m = 0;
      for (const v of values) {
        if (Number.isNaN(v)) return Number.NaN;
        if (v > m) m = v;
      }
      return m;
    }
    case 'mean': {
      let s = 0;
      for (const v of values) s += v;
      return s / values.length;
    }
    case 'median':
      return quantile(values, 0.5);
    case 'quantile':
      return quantile(values, q);
  }
}

export interface StatVerdict {
  pass: boolean;
  abs: number;
  rel: number;
}

/** Checks one statistic of the error arrays against the tolerances (Polygraphy's non-elemwise modes). */
export function checkStat(
  errors: ErrorArrays,
  stat: Exclude<ErrorStat, 'elemwise'>,
  tol: Tolerance,
  q = DEFAULT_QUANTILE,
): StatVerdict {
  const abs = statOf(errors.abs, stat, q);
  const rel = statOf(errors.rel, stat, q);
  const fails = (v: number, t: number) => Number.isNaN(v) || v > t;
  return { pass: !(fails(abs, tol.atol) && fails(rel, tol.rtol)), abs, rel };
}
