/** |a − r| counted on log10 bins: counts[i] holds errors in [10^edges[i], 10^edges[i+1]). */
export interface ErrorHistogram {
  log10Edges: number[];
  counts: number[];
}

export interface HistogramOptions {
  /** log10 of the lowest edge; smaller errors, exact zeros included, fall into the first bin. */
  minLog10?: number;
  /** log10 of the highest edge; larger errors fall into the last bin. */
  maxLog10?: number;
}

/**
 * A fixed range (1e-12 … 1e2, one bin per decade) by default, so histograms of different cells line up
 * in the HTML report. Non-finite errors are left out: DriftStats counts them.
 */
export class HistogramBuilder {
  readonly edges: number[];
  readonly counts: number[];

  constructor(options: HistogramOptions = {}) {
    const lo = options.minLog10 ?? -12;
    const hi = options.maxLog10 ?? 2;
    this.edges = [];
    for (let e = lo; e <= hi; e++) this.edges.push(e);
    this.counts = new Array(Math.max(1, this.edges.length - 1)).fill(0);
  }

  add(absError: number): void {
    if (!Number.isFinite(absError)) return;
    const last = this.counts.length - 1;
    const lo = this.edges[0] as number;
    const bin = absError > 0 ? Math.floor(Math.log10(absError)) - lo : 0;
    const at = Math.min(last, Math.max(0, bin));
    this.counts[at] = (this.counts[at] as number) + 1;
  }

  result(): ErrorHistogram {
    return { log10Edges: [...this.edges], counts: [...this.counts] };
  }
}
