import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChildJob, ChildMessage, Marker, Snapshot } from './protocol.ts';
import { scratch } from './seeds.ts';
import { type FuzzTarget, TARGETS } from './targets.ts';

export interface CampaignOptions {
  /** Inputs per reader (Infinity: until `seconds`). */
  runs: number;
  /** Fuzzing seconds per reader, setup excluded (Infinity: until `runs`). */
  seconds: number;
  seed: number;
  /** Findings go to `<out>/<reader>/`. */
  out: string;
  hangMs: number;
  memoryMb: number;
  /** Readers fuzzed at the same time. */
  jobs: number;
  targets: readonly FuzzTarget[];
  /** The module exporting TARGETS that the processes load the targets from (default: the project's). */
  module?: string;
  /** Called as each reader finishes. */
  onReader?: (result: ReaderResult) => void;
}

export interface Finding {
  kind: 'exception' | 'hang' | 'memory' | 'process';
  /** exception: error type, message (numbers masked) and first frame; otherwise what killed the process. */
  signature: string;
  count: number;
  /** The first input that did it, and where it was saved (undefined when it could not be pinned down). */
  index?: number;
  input?: string;
}

export interface ReaderResult {
  name: string;
  reads: string;
  seeds: number;
  inputs: number;
  ok: number;
  codes: Record<string, number>;
  crashes: Finding[];
  hangs: Finding[];
  fuzzSeconds: number;
  inputsPerSecond: number;
  slowestMs: number;
  baselineRssMb: number;
  peakRssMb: number;
  /** Processes started: 1 + restarts after a hang, an out-of-memory or a dead process. */
  processes: number;
  /** Setup of the first process (building seeds), seconds. */
  setupSeconds: number;
}

const CHILD = join(import.meta.dirname, 'child.ts');
const TARGETS_MODULE = pathToFileURL(join(import.meta.dirname, 'targets.ts')).href;
const TSX = import.meta.resolve('tsx');
/** How many inputs a trace-mode process re-runs to find the one that killed its predecessor. */
const TRACE_WINDOW = 5000;

interface Exit {
  snapshot: Snapshot | undefined;
  done: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  failed: string | undefined;
  stderr: string;
}

function spawnChild(job: ChildJob): Promise<Exit> {
  return new Promise((resolveExit) => {
    const child = fork(CHILD, [JSON.stringify(job)], {
      execArgv: ['--import', TSX, `--max-old-space-size=${Math.max(4096, job.memoryMb * 2)}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Children make their scratch folders inside the supervisor's, which the CLI removes at the end.
      env: { ...process.env, BERT_PARITY_FUZZ_TMP: job.scratch },
    });
    const exit: Exit = { snapshot: undefined, done: false, code: null, signal: null, failed: undefined, stderr: '' };
    child.stderr?.on('data', (chunk: Buffer) => {
      exit.stderr = (exit.stderr + chunk.toString()).slice(-4000);
    });
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'snapshot' || m.type === 'done') exit.snapshot = m.snapshot;
      if (m.type === 'done' || m.type === 'dumped') exit.done = true;
      if (m.type === 'failed') exit.failed = m.error;
    });
    child.on('exit', (code, signal) => {
      exit.code = code;
      exit.signal = signal;
      resolveExit(exit);
    });
  });
}

/** Fuzzes one reader: processes one after another, each resuming where the last one's snapshot ended. */
export async function fuzzReader(target: FuzzTarget, options: CampaignOptions): Promise<ReaderResult> {
  const work = join(await scratch(), `supervisor-${target.name}`);
  mkdirSync(work, { recursive: true });
  const marker = join(work, 'marker.json');
  const findings = join(options.out, target.name);
  const result: ReaderResult = {
    name: target.name,
    reads: target.reads,
    seeds: 0,
    inputs: 0,
    ok: 0,
    codes: {},
    crashes: [],
    hangs: [],
    fuzzSeconds: 0,
    inputsPerSecond: 0,
    slowestMs: 0,
    baselineRssMb: 0,
    peakRssMb: 0,
    processes: 0,
    setupSeconds: 0,
  };
  const skip: number[] = [];
  const kills = new Map<number, number>();
  const crashes = new Map<string, Finding>();
  let next = 0;
  let traceLimit: number | undefined;
  let fuzzMs = 0;
  let seen = false; // a snapshot has come in (the first process may be killed before its first one)

  const base = {
    target: target.name,
    module: options.module ?? TARGETS_MODULE,
    seed: options.seed,
    out: options.out,
    marker,
    hangMs: options.hangMs,
    memoryMb: options.memoryMb,
    scratch: work,
  };
  const dump = async (index: number, kind: string, info: object): Promise<string> => {
    const dir = join(findings, `${kind}-${options.seed}-${index}`);
    mkdirSync(dir, { recursive: true });
    await spawnChild({ ...base, start: 0, end: 0, seconds: 0, skip: [], dump: { index, dir, info } });
    return dir;
  };

  for (;;) {
    const secondsLeft = options.seconds - fuzzMs / 1000;
    if (next >= options.runs || secondsLeft <= 0) break;
    rmSync(marker, { force: true });
    rmSync(`${marker.replace(/\.json$/, '')}.trace`, { force: true });
    // JSON has no Infinity: "no limit" crosses the IPC boundary as a very large number.
    const job: ChildJob = {
      ...base,
      start: next,
      end: Math.min(options.runs, Number.MAX_SAFE_INTEGER),
      seconds: Math.min(secondsLeft, 1e9),
      skip: [...skip],
    };
    if (traceLimit !== undefined) job.traceLimit = traceLimit;
    const exit = await spawnChild(job);
    result.processes++;
    const s = exit.snapshot;
    if (s !== undefined) {
      if (!seen) {
        seen = true;
        result.seeds = s.seeds;
        result.setupSeconds = s.setupMs / 1000;
        result.baselineRssMb = s.baselineRssMb;
      }
      result.inputs += s.inputs;
      result.ok += s.ok;
      for (const [code, n] of Object.entries(s.codes)) result.codes[code] = (result.codes[code] ?? 0) + n;
      for (const [signature, c] of Object.entries(s.crashes)) {
        const known = crashes.get(signature);
        if (known === undefined)
          crashes.set(signature, { kind: 'exception', signature, count: c.count, index: c.index, input: c.dir });
        else known.count += c.count;
      }
      fuzzMs += s.fuzzMs;
      result.slowestMs = Math.max(result.slowestMs, s.slowestMs);
      result.peakRssMb = Math.max(result.peakRssMb, s.peakRssMb);
      next = s.next;
    }
    if (exit.failed !== undefined)
      throw new Error(`fuzzing ${target.name} failed before its first input: ${exit.failed}`);
    const wasTracing = traceLimit !== undefined;
    traceLimit = undefined;
    if (exit.done) {
      if (wasTracing) continue; // the death was not reproduced: carry on normally
      break;
    }
    if (existsSync(marker)) {
      const m = JSON.parse(readFileSync(marker, 'utf8')) as Marker;
      result.peakRssMb = Math.max(result.peakRssMb, m.rssMb);
      const killed = (kills.get(m.index) ?? 0) + 1;
      kills.set(m.index, killed);
      // Confirmed by a second, fresh process starting at this input: the first may have been stalled by the
      // machine (hang), or have grown over thousands of earlier inputs (V8 collects lazily; measured: three
      // inputs of the 1,400,000-input campaign tripped 2,048 MB that way and replay in 115-125 MB).
      if (killed >= 2) {
        const info = { target: target.name, seed: options.seed, ...m };
        const input = await dump(m.index, m.kind, info);
        const finding: Finding =
          m.kind === 'hang'
            ? {
                kind: 'hang',
                signature: `over ${options.hangMs} ms (killed after ${m.cpuMs} ms of CPU, ${m.ms} ms wall)`,
                count: 1,
                index: m.index,
                input,
              }
            : {
                kind: 'memory',
                signature: `resident memory over ${options.memoryMb} MB (${m.rssMb} MB)`,
                count: 1,
                index: m.index,
                input,
              };
        (m.kind === 'hang' ? result.hangs : result.crashes).push(finding);
        result.inputs++;
        skip.push(m.index);
      }
      continue;
    }
    // Died without a word (native crash, V8 out of memory): find the input by re-running in trace mode.
    const trace = `${marker.replace(/\.json$/, '')}.trace`;
    if (wasTracing && existsSync(trace)) {
      const index = Number(readFileSync(trace, 'utf8'));
      const signature = `process died (${exit.signal ?? `exit code ${exit.code}`}): ${exit.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      const input = await dump(index, 'process', { target: target.name, seed: options.seed, index, signature });
      result.crashes.push({ kind: 'process', signature, count: 1, index, input });
      result.inputs++;
      skip.push(index);
    } else {
      traceLimit = TRACE_WINDOW;
    }
  }
  result.crashes.unshift(...crashes.values());
  result.fuzzSeconds = fuzzMs / 1000;
  result.inputsPerSecond = fuzzMs > 0 ? result.inputs / (fuzzMs / 1000) : 0;
  return result;
}

/** Fuzzes the chosen readers, `jobs` at a time, in TARGETS order. */
export async function runCampaign(options: CampaignOptions): Promise<ReaderResult[]> {
  const results: ReaderResult[] = new Array(options.targets.length);
  let nextTarget = 0;
  const worker = async () => {
    while (nextTarget < options.targets.length) {
      const i = nextTarget++;
      const r = await fuzzReader(options.targets[i] as FuzzTarget, options);
      results[i] = r;
      options.onReader?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, worker));
  return results;
}

export { TARGETS };
