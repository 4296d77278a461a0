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
import { checkComparable, shapeText } from './shape.ts';
import { top1Count } from './top1.ts';
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
 * Every drift metric of one output against its reference, in one pass over float64 copies (a
 * DriftAccumulator given the whole tensors once).
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
  const { keep, ...rest } = options;
  const acc = new DriftAccumulator(rest);
  acc.add(actual, reference, keep);
  return acc.result();
}

/**
 * `measure` over an output that arrives in parts (batches of rows, in order): add each part with its
 * reference rows, then take the result. The sums run over the elements in the same order as one pass over
 * the whole tensor, so the result is bit for bit what `measure` gives on the concatenation; only the
 * running sums and counters are kept, not the parts. Parts must agree on every axis but the first.
 */
export class DriftAccumulator {
  private readonly name: string;
  private readonly tol: Tolerance;
  private readonly infEq: boolean;
  private readonly top1: boolean;
  private readonly hist: HistogramBuilder | null;
  /** Shape of a part without its first axis, fixed by the first part. */
  private inner: readonly number[] | undefined;
  private elements = 0;
  private maxAbs = 0;
  private sumAbs = 0;
  private diff2 = 0;
  private ref2 = 0;
  private act2 = 0;
  private dot = 0;
  private mismatches = 0;
  private nonFinite = 0;
  private nan = 0;
  private never = false;
  private unmatchedInf = false;
  private maxRel = 0;
  private allEqual = true;
  private top1Rows = 0;
  private top1Agree = 0;

  constructor(options: Omit<MeasureOptions, 'keep'> = {}) {
    this.name = options.name ?? 'output';
    this.tol = checkTolerance(options.tolerance ?? { atol: DEFAULT_ATOL, rtol: DEFAULT_RTOL }, this.name);
    this.infEq = options.infinitiesEqual ?? false;
    this.top1 = options.top1 ?? false;
    this.hist = options.histogram ? new HistogramBuilder(options.histogram === true ? {} : options.histogram) : null;
  }

  /** One part of the output and the same rows of the reference; `keep` (1 = compare) covers this part. */
  add(actual: NumericTensor, reference: NumericTensor, keep?: Uint8Array): void {
    const name = this.name;
    const n = checkComparable(actual, reference, name);
    const inner = actual.shape.slice(1);
    if (this.inner === undefined) this.inner = inner;
    else if (inner.length !== this.inner.length || inner.some((d, i) => d !== this.inner?.[i])) {
      throw new ParityError(
        'E_METRIC_SHAPE',
        `${name}: part of shape ${shapeText(actual.shape)} does not continue the earlier parts' [N, ${this.inner.join(', ')}]; expected the same shape after the first axis`,
      );
    }
    if (keep !== undefined && keep.length !== n) {
      throw new ParityError('E_METRIC_SHAPE', `${name}: keep mask has ${keep.length} entries; the output has ${n}`);
    }
    const a = toFloat64(actual, `${name} (output)`);
    const r = toFloat64(reference, `${name} (reference)`);
    const { tol, infEq, hist } = this;
    for (let i = 0; i < n; i++) {
      if (keep !== undefined && keep[i] === 0) continue;
      this.elements++;
      const x = a[i] as number;
      const y = r[i] as number;
      if (!Number.isFinite(x)) this.nonFinite++;
      if (Number.isNaN(x) || Number.isNaN(y)) this.nan++;
      const abs = absError(x, y, infEq);
      hist?.add(abs);
      if (Number.isNaN(abs)) this.maxAbs = Number.NaN;
      else if (abs > this.maxAbs) this.maxAbs = abs; // false once maxAbs is NaN, so NaN sticks
      this.sumAbs += abs;
      if (abs !== 0) this.allEqual = false;
      if (neverPasses(x, y, infEq)) {
        this.never = true;
        this.mismatches++;
        if (Number.isNaN(abs)) this.diff2 = Number.NaN;
        else this.unmatchedInf = true;
        continue;
      }
      if (!Number.isFinite(x)) continue; // an equal pair of infinities: error 0, outside the norms
      const rel = relError(abs, y);
      if (abs > tol.atol && rel > tol.rtol) this.mismatches++;
      if (rel > this.maxRel) this.maxRel = rel;
      this.diff2 += abs * abs;
      this.ref2 += y * y;
      this.act2 += x * x;
      this.dot += x * y;
    }
    if (this.top1) {
      const cols = actual.shape[actual.shape.length - 1] ?? 1;
      const counted = top1Count(a, r, cols, keep === undefined ? undefined : (row) => keep[row * cols] === 1);
      this.top1Rows += counted.rows;
      this.top1Agree += counted.agree;
    }
  }

  result(): Measurement {
    const { elements, diff2, ref2, act2, dot, allEqual, never } = this;
    if (elements === 0) {
      throw new ParityError('E_METRIC_EMPTY', `${this.name}: the keep mask selects no elements (all padding?)`);
    }
    const hasNaN = this.nan > 0 || Number.isNaN(diff2);
    let relL2: number;
    let cosine: number;
    let sqnrDb: number;
    if (hasNaN) {
      relL2 = cosine = sqnrDb = Number.NaN;
    } else if (this.unmatchedInf) {
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
      maxAbs: this.maxAbs,
      meanAbs: this.sumAbs / elements,
      relL2,
      cosine,
      sqnrDb,
      mismatches: this.mismatches,
      nonFinite: this.nonFinite,
      nan: this.nan,
      minPassingAtol: never ? Number.POSITIVE_INFINITY : this.maxAbs,
      minPassingRtol: never ? Number.POSITIVE_INFINITY : this.maxRel,
    };
    if (this.top1 && this.top1Rows > 0) stats.top1Agreement = this.top1Agree / this.top1Rows;
    const out: Measurement = { stats };
    if (this.hist !== null) out.histogram = this.hist.result();
    return out;
  }
}

/** num / den with 0/0 = 0 (both zero: no error) and x/0 = Infinity. */
function ratio(num: number, den: number): number {
  if (den === 0) return num === 0 ? 0 : Number.POSITIVE_INFINITY;
  return num / den;
}
