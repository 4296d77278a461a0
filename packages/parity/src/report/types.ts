import type { ModelFormat, ModelPrecision, RuntimeEnvironment } from '@bert-parity/core';
import type { OutputResult } from '@bert-parity/metrics';

export type { DriftStats, OutputBound, OutputResult } from '@bert-parity/metrics';

/**
 * The parity report: what `bert-parity check` writes as JSON and every other report format (terminal
 * table, JUnit, Markdown, HTML) is rendered from. Shards of one run are merged by concatenating cells.
 */
export const REPORT_SCHEMA = 'bert-parity/report@1';

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
  /** What this cell was compared with (float64-fixture follows the variant's fixture folder). */
  reference?: string;
  status: CellStatus;
  error?: { code: string; message: string };
  outputs: OutputResult[];
  /**
   * Median latency per run over repeated runs of the same batch. clock "device": measured on the device by
   * its runner (adb and file transfer excluded); "page": measured in the browser page around the runtime
   * call (tensor transfer excluded); "host": wall time of session.run (absent in older reports).
   */
  latency?: { medianMs: number; p90Ms: number; runs: number; batch: number; clock?: 'host' | 'device' | 'page' };
  /** When the inputs carry labels: task accuracy of this cell and of the reference. */
  accuracy?: { value: number; reference: number; delta: number };
  /** Wall time of the cell, and the part spent inside the runtime (loading it, opening the session, runs). */
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
  /** Agreement cells: disagreeing cases the config lists as known (they do not fail the cell). */
  knownDifferences?: number;
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
  /** `--shard i/n` (1-based) of the run that wrote this report. */
  shard?: { index: number; total: number };
  /** `--runtime` (only) and `--skip-runtime` (skip) of the run that wrote this report. */
  runtimeFilter?: { only?: string[]; skip?: string[] };
  cells: Cell[];
  summary: { pass: number; fail: number; error: number; skipped: number };
  /**
   * Wall time of the run; time inside the runtimes (summed over cells); and the share of the run's time
   * inside the runtimes, where time that platforms ran side by side counts once per platform.
   */
  timing: { wallMs: number; runtimeMs: number; runtimeShare: number };
}
