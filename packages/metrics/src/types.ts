/** What the metrics compute and judge; the parity report carries these per output. */
/** Drift of one output against its reference (Polygraphy-style elementwise rule plus summary metrics). */
export interface DriftStats {
  /** Elements compared (padding positions excluded for hidden states). */
  elements: number;
  maxAbs: number;
  meanAbs: number;
  /** ‖a − r‖ / ‖r‖ over the compared elements: the "logit difference" users quote. */
  relL2: number;
  cosine: number;
  /** 10·log10(‖r‖² / ‖a − r‖²); Infinity when equal. */
  sqnrDb: number;
  /** Share of rows whose argmax over the last axis agrees (classifier outputs). */
  top1Agreement?: number;
  /**
   * Elements that exceed both atol and rtol (NaN always; ±Inf unless both sides are the same infinity
   * and infinities compare equal, Polygraphy's infinities_compare_equal, off by default).
   */
  mismatches: number;
  /** NaN or ±Inf elements in the compared output. */
  nonFinite: number;
  /** Elements where the output or its reference is NaN; any makes the output fail. Optional: added later. */
  nan?: number;
  /** The smallest atol (with rtol 0) and rtol (with atol 0) that would have passed every element. */
  minPassingAtol: number;
  minPassingRtol: number;
}

/** Declared bounds for one output × precision; every bound given must hold. */
export interface OutputBound {
  relL2?: number;
  maxAbs?: number;
  cosineMin?: number;
  top1AgreementMin?: number;
  /** Elementwise rule: an element fails only if |a−r| > atol AND |a−r| > rtol·|r|. */
  atol?: number;
  rtol?: number;
  /** Task accuracy may drop by at most this much (absolute, 0..1) when inputs carry labels. */
  accuracyDropMax?: number;
}

export interface OutputResult {
  output: string;
  stats: DriftStats;
  bound: OutputBound;
  pass: boolean;
  /** Each violated bound, with the numbers: "relL2 3.1e-2 > 2.0e-2". */
  failures: string[];
  /** Histogram of |a − r| on log10 bins, for the HTML report. */
  histogram?: { log10Edges: number[]; counts: number[] };
}
