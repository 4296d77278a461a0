import { ParityError } from '@bert-parity/core';

/**
 * The elementwise rule, as Polygraphy's comparator (`CompareFunc.simple`, check_error_stat "elemwise")
 * defines it, described in our own words:
 * - both sides are cast up to float64 and subtracted; absdiff = |a − r|;
 * - reldiff = absdiff / |r|, where a reference element that is exactly 0 is replaced by float64's machine
 *   epsilon (2.22e-16) first, so the relative error stays defined (and is huge when a differs from 0);
 * - an element mismatches only if it exceeds BOTH tolerances: (absdiff > atol or NaN) and
 *   (reldiff > rtol or NaN) — so a missing tolerance is 0 and the other one decides alone;
 * - +Inf − +Inf is NaN, so equal infinities fail unless `infinities_compare_equal` is set, which makes
 *   their absdiff 0;
 * - relative error is taken against the second argument, the reference.
 * One deliberate difference: Polygraphy would let an infinity against a finite number pass once atol is
 * itself Infinity; here a non-finite element passes only when both sides are the same infinity and
 * `infinitiesEqual` is set. NaN on either side never passes.
 */
export const REL_EPSILON = 2.220446049250313e-16;

/** Polygraphy's default tolerances (atol 1e-5, rtol 1e-5), used when a bound declares neither. */
export const DEFAULT_ATOL = 1e-5;
export const DEFAULT_RTOL = 1e-5;

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** |a − r|, NaN when undefined (NaN involved, or equal infinities without `infinitiesEqual`). */
export function absError(a: number, r: number, infinitiesEqual: boolean): number {
  if (a === r && !Number.isFinite(a)) return infinitiesEqual ? 0 : Number.NaN;
  return Math.abs(a - r);
}

/** absdiff / |r|, with a zero reference replaced by REL_EPSILON as Polygraphy does. */
export function relError(abs: number, r: number): number {
  return abs / (r === 0 ? REL_EPSILON : Math.abs(r));
}

/** True when a non-finite pair can never pass, whatever the tolerances. */
export function neverPasses(a: number, r: number, infinitiesEqual: boolean): boolean {
  if (Number.isNaN(a) || Number.isNaN(r)) return true;
  if (Number.isFinite(a) && Number.isFinite(r)) return false;
  return !(infinitiesEqual && a === r);
}

export function isMismatch(a: number, r: number, tol: Tolerance, infinitiesEqual: boolean): boolean {
  if (neverPasses(a, r, infinitiesEqual)) return true;
  const abs = absError(a, r, infinitiesEqual);
  return abs > tol.atol && relError(abs, r) > tol.rtol;
}

export function checkTolerance(tol: Tolerance, name: string): Tolerance {
  for (const key of ['atol', 'rtol'] as const) {
    const v = tol[key];
    if (!(v >= 0)) {
      throw new ParityError('E_METRIC_INPUT', `${name}: ${key} is ${v}; expected a number >= 0`);
    }
  }
  return tol;
}

/**
 * The tolerances a bound implies for the elementwise rule: the declared ones (a missing one is 0, so
 * the other decides alone); Polygraphy's defaults when the bound declares neither.
 */
export function toleranceFor(bound: { atol?: number; rtol?: number }): Tolerance {
  if (bound.atol === undefined && bound.rtol === undefined) return { atol: DEFAULT_ATOL, rtol: DEFAULT_RTOL };
  return { atol: bound.atol ?? 0, rtol: bound.rtol ?? 0 };
}
