import { ParityError } from '@bert-parity/core';
import { type NumericTensor, toFloat64 } from './decode.ts';
import {
  absError,
  checkTolerance,
  DEFAULT_ATOL,
  DEFAULT_RTOL,
  neverPasses,
  relError,
  type Tolerance,
} from './elementwise.ts';
import { type ErrorHistogram, HistogramBuilder, type HistogramOptions } from './histogram.ts';
import { checkComparable } from './shape.ts';
import { top1Agreement } from './top1.ts';
import type { DriftStats } from './types.ts';

export interface MeasureOptions {
  /** Output name for error messages. */
  name?: string;
  /** Tolerances of the elementwise rule (default: Polygraphy's 1e-5 / 1e-5). */
  tolerance?: Tolerance;
  /** Polygraphy's infinities_compare_equal: the same infinity on both sides counts as equal. Default false. */
  infinitiesEqual?: boolean;
  /** 1 = compare this element (see paddingKeep); default all. */
  keep?: Uint8Array;
  /** Measure top-1 agreement over the last axis (classifier outputs). */
  top1?: boolean;
  histogram?: boolean | HistogramOptions;
}

export interface Measurement {
  stats: DriftStats;
  histogram?: ErrorHistogram;
}

/**
 * Every drift metric of one output against its reference, in one pass over float64 copies.
 *
 * Defined results at the edges:
 * - all-zero reference: relL2 is 0 when the output is all zero too, else Infinity (‖a − r‖ / 0);
 *   sqnrDb is Infinity when equal, −Infinity otherwise;
 * - cosine is 1 when output and reference are equal element for element (zero vectors included),
 *   0 when exactly one of them is all zero;
 * - NaN on either side makes maxAbs, meanAbs, relL2, cosine and sqnrDb NaN and is counted in `nan`;
 * - equal infinities under `infinitiesEqual` count as error 0 and are left out of the norms; any other
 *   infinity makes relL2 Infinity, sqnrDb −Infinity and cosine NaN;
 * - minPassingAtol/Rtol are Infinity when some element can never pass (NaN, unmatched infinity).
 */
export function measure(actual: NumericTensor, reference: NumericTensor, options: MeasureOptions = {}): Measurement {
  const name = options.name ?? 'output';
  const n = checkComparable(actual, reference, name);
  const tol = checkTolerance(options.tolerance ?? { atol: DEFAULT_ATOL, rtol: DEFAULT_RTOL }, name);
  const infEq = options.infinitiesEqual ?? false;
  const keep = options.keep;
  if (keep !== undefined && keep.length !== n) {
    throw new ParityError('E_METRIC_SHAPE', `${name}: keep mask has ${keep.length} entries; the output has ${n}`);
  }
  const a = toFloat64(actual, `${name} (output)`);
  const r = toFloat64(reference, `${name} (reference)`);
  const hist = options.histogram ? new HistogramBuilder(options.histogram === true ? {} : options.histogram) : null;

  let elements = 0;
  let maxAbs = 0;
  let sumAbs = 0;
  let diff2 = 0;
  let ref2 = 0;
  let act2 = 0;
  let dot = 0;
  let mismatches = 0;
  let nonFinite = 0;
  let nan = 0;
  let never = false;
  let unmatchedInf = false;
  let maxRel = 0;
  let allEqual = true;
  for (let i = 0; i < n; i++) {
    if (keep !== undefined && keep[i] === 0) continue;
    elements++;
    const x = a[i] as number;
    const y = r[i] as number;
    if (!Number.isFinite(x)) nonFinite++;
    if (Number.isNaN(x) || Number.isNaN(y)) nan++;
    const abs = absError(x, y, infEq);
    hist?.add(abs);
    if (Number.isNaN(abs)) maxAbs = Number.NaN;
    else if (abs > maxAbs) maxAbs = abs; // false once maxAbs is NaN, so NaN sticks
    sumAbs += abs;
    if (abs !== 0) allEqual = false;
    if (neverPasses(x, y, infEq)) {
      never = true;
      mismatches++;
      if (Number.isNaN(abs)) diff2 = Number.NaN;
      else unmatchedInf = true;
      continue;
    }
    if (!Number.isFinite(x)) continue; // an equal pair of infinities: error 0, outside the norms
    const rel = relError(abs, y);
    if (abs > tol.atol && rel > tol.rtol) mismatches++;
    if (rel > maxRel) maxRel = rel;
    diff2 += abs * abs;
    ref2 += y * y;
    act2 += x * x;
    dot += x * y;
  }
  if (elements === 0) {
    throw new ParityError('E_METRIC_EMPTY', `${name}: the keep mask selects no elements (all padding?)`);
  }

  const hasNaN = nan > 0 || Number.isNaN(diff2);
  let relL2: number;
  let cosine: number;
  let sqnrDb: number;
  if (hasNaN) {
    relL2 = cosine = sqnrDb = Number.NaN;
  } else if (unmatchedInf) {
    // An infinite error: the norms are infinite and the angle undefined.
    relL2 = Number.POSITIVE_INFINITY;
    cosine = Number.NaN;
    sqnrDb = Number.NEGATIVE_INFINITY;
  } else {
    relL2 = ratio(Math.sqrt(diff2), Math.sqrt(ref2));
    if (allEqual) cosine = 1;
    else if (act2 === 0 || ref2 === 0) cosine = 0;
    else cosine = Math.min(1, Math.max(-1, dot / (Math.sqrt(act2) * Math.sqrt(ref2))));
    sqnrDb = allEqual ? Number.POSITIVE_INFINITY : 10 * Math.log10(ref2 / diff2);
  }

  const stats: DriftStats = {
    elements,
    maxAbs,
    meanAbs: sumAbs / elements,
    relL2,
    cosine,
    sqnrDb,
    mismatches,
    nonFinite,
    nan,
    minPassingAtol: never ? Number.POSITIVE_INFINITY : maxAbs,
    minPassingRtol: never ? Number.POSITIVE_INFINITY : maxRel,
  };
  if (options.top1) {
    const cols = actual.shape[actual.shape.length - 1] ?? 1;
    const keepRow = keep === undefined ? undefined : (row: number) => keep[row * cols] === 1;
    const agreement = top1Agreement(a, r, cols, keepRow);
    if (agreement !== undefined) stats.top1Agreement = agreement;
  }
  const out: Measurement = { stats };
  if (hist !== null) out.histogram = hist.result();
  return out;
}

/** num / den with 0/0 = 0 (both zero: no error) and x/0 = Infinity. */
function ratio(num: number, den: number): number {
  if (den === 0) return num === 0 ? 0 : Number.POSITIVE_INFINITY;
  return num / den;
}
