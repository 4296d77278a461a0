import type { ModelFormat, ModelPrecision, RuntimeEnvironment } from '@bert-parity/core';

/**
 * The parity report: what `bert-parity check` writes as JSON and every other report format (terminal
 * table, JUnit, Markdown, HTML) is rendered from. Shards of one run are merged by concatenating cells.
 */
export const REPORT_SCHEMA = 'bert-parity/report@1';

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

export type CellStatus = 'pass' | 'fail' | 'error' | 'skipped';

export interface ModelCell {
  kind: 'model';
  /** Stable id, the matrix position: "<variant>@<runtime>/<platform>", e.g. "tflite-int8@litert/host". */
  id: string;
  variant: string;
  format: ModelFormat;
  precision: ModelPrecision;
  modelPath: string;
  modelBytes: number;
  modelSha256: string;
  runtime: string;
  platform: string;
  environment?: RuntimeEnvironment;
  status: CellStatus;
  error?: { code: string; message: string };
  outputs: OutputResult[];
  /** Median latency per run over repeated runs of the same batch. */
  latency?: { medianMs: number; p90Ms: number; runs: number; batch: number };
  /** When the inputs carry labels: task accuracy of this cell and of the reference. */
  accuracy?: { value: number; reference: number; delta: number };
  /** Wall time of the cell, and the part spent inside the runtime's run calls. */
  wallMs: number;
  runtimeMs: number;
  /** Change since a baseline report (--baseline), per output: relL2 now − relL2 then. */
  baselineDelta?: Record<string, { relL2: number; maxAbs: number }>;
}

export interface TokenizerCell {
  kind: 'tokenizer';
  id: string;
  impl: string;
  golden: string;
  status: CellStatus;
  error?: { code: string; message: string };
  cases: number;
  agree: number;
  /** At most 20. */
  mismatches: { id: string; field: string; firstDiff: number }[];
  wallMs: number;
}

export type Cell = ModelCell | TokenizerCell;

export interface ParityReport {
  schema: typeof REPORT_SCHEMA;
  createdAt: string;
  tool: { name: 'bert-parity'; version: string };
  config: { path: string | null; sha256: string };
  /** What the model cells were compared with. */
  reference: { kind: 'float64-fixture' | 'golden-outputs' | 'runtime'; description: string };
  inputs: { source: string; count: number; maxSeqLength: number; labelled: boolean };
  shard?: { index: number; total: number };
  cells: Cell[];
  summary: { pass: number; fail: number; error: number; skipped: number };
  timing: { wallMs: number; runtimeMs: number; runtimeShare: number };
}
