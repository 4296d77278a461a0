/** What the supervisor tells a fuzzing process, and what it reports back (over the IPC channel). */
export interface ChildJob {
  target: string;
  /** The module whose TARGETS holds it (the project's targets.ts; tests pass targets of their own). */
  module: string;
  /** Campaign seed: with an index, it determines the input. */
  seed: number;
  /** Inputs [start, end). */
  start: number;
  end: number;
  /** Fuzzing time left for this reader (setup excluded). */
  seconds: number;
  /** Indices not to run again (hangs found earlier in this campaign). */
  skip: number[];
  /** Where findings go (one folder per reader). */
  out: string;
  /** Where the watchdog writes what it killed the process for; `<marker>.trace` holds the index in trace mode. */
  marker: string;
  hangMs: number;
  memoryMb: number;
  /** The folder the process makes its scratch folders in. */
  scratch: string;
  /** Trace mode: write each input's index before reading it, and stop after this many inputs. */
  traceLimit?: number;
  /** Write input `index` to `dir` (with info.json) and exit, instead of fuzzing. */
  dump?: { index: number; dir: string; info: object };
}

/** Progress of one process over [start, next): everything but timings is exact. */
export interface Snapshot {
  next: number;
  inputs: number;
  /** Inputs read without an error. */
  ok: number;
  /** Coded errors by code. */
  codes: Record<string, number>;
  /** Crashes by signature: how many, and the first input's index and folder. */
  crashes: Record<string, { count: number; index: number; dir: string }>;
  fuzzMs: number;
  slowestMs: number;
  baselineRssMb: number;
  /** Peak resident memory of the process (getrusage maxrss). */
  peakRssMb: number;
  seeds: number;
  setupMs: number;
}

export type ChildMessage =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'done'; snapshot: Snapshot }
  | { type: 'dumped' }
  | { type: 'failed'; error: string };

/** What the watchdog writes before killing the process. */
export interface Marker {
  kind: 'hang' | 'memory';
  index: number;
  /** Wall time and CPU time of the input when it was killed. */
  ms: number;
  cpuMs: number;
  rssMb: number;
}
