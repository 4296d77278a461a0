import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { isParityError } from '@bert-parity/core';
import { InputSource, InputWriter, saveInput } from './inputs.ts';
import type { ChildJob, ChildMessage, Snapshot } from './protocol.ts';
import { scratch } from './seeds.ts';
import type { FuzzTarget } from './targets.ts';

/**
 * One fuzzing process for one reader (started by the supervisor): reads inputs [start, end) until the
 * deadline, classifying each outcome. A watchdog thread watches the input in flight: one running longer
 * than `hangMs`, or the process growing past `memoryMb`, is written down (kind, index) and the process
 * killed, since a reader stuck in a synchronous loop can only be stopped from outside. The supervisor
 * then resumes from the last snapshot.
 */

/**
 * Runs in its own thread; a plain script so it needs no TypeScript loader. A hang is an input that takes
 * over `hangMs` of CPU time (the process's, so a machine shared with other work does not make one), or
 * ten times that in wall time (an input stuck waiting rather than computing).
 */
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');
const ctl = new Int32Array(workerData.sab, 0, 4);
const started = new Float64Array(workerData.sab, 16, 2);
const limit = workerData.memoryMb * 1024 * 1024;
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (;;) {
  Atomics.wait(ctl, 3, 0, 25);
  if (Atomics.load(ctl, 0) !== 1) continue;
  const index = Atomics.load(ctl, 1);
  const ms = Date.now() - started[0];
  const cpu = cpuMs() - started[1];
  const rss = process.memoryUsage.rss();
  const hang = cpu > workerData.hangMs || ms > 10 * workerData.hangMs;
  const kind = hang ? 'hang' : rss > limit ? 'memory' : undefined;
  if (kind === undefined) continue;
  writeFileSync(workerData.marker, JSON.stringify({ kind, index, ms, cpuMs: Math.round(cpu), rssMb: Math.round(rss / 1048576) }));
  process.kill(process.pid, 'SIGKILL');
}
`;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** A crash's identity: error type, message with numbers masked, and the first frame in our code. */
export function signatureOf(error: unknown): string {
  const e = error instanceof Error ? error : undefined;
  const message = (e?.message ?? String(error)).split('\n')[0]?.slice(0, 160).replace(/\d+/g, 'N');
  const frame = e?.stack
    ?.split('\n')
    // The first frame in the repository that is not the fuzz runner itself: where the reader failed.
    .find((l) => /\/(packages|tools)\//.test(l) && !/\/tools\/fuzz\/src\//.test(l))
    ?.trim()
    .replace(/^at /, '')
    .replace(/:\d+:\d+\)?$/, '')
    .replace(/^.*\/(packages|tools)\//, '$1/');
  return `${e?.name ?? typeof error}: ${message}${frame === undefined ? '' : ` @ ${frame}`}`;
}

async function main(job: ChildJob): Promise<void> {
  const { TARGETS } = (await import(job.module)) as { TARGETS: readonly FuzzTarget[] };
  const target = TARGETS.find((t) => t.name === job.target);
  if (target === undefined) throw new Error(`no fuzz target ${job.target}`);
  const setupStart = performance.now();
  const seeds = await target.seeds();
  const source = new InputSource(target, seeds, job.seed);
  const dir = join(await scratch(), `input-${job.target}`);
  const writer = new InputWriter(dir);

  if (job.dump !== undefined) {
    saveInput(job.dump.dir, source.at(job.dump.index), job.dump.info);
    send({ type: 'dumped' });
    return;
  }

  const sab = new SharedArrayBuffer(32);
  const ctl = new Int32Array(sab, 0, 4);
  const started = new Float64Array(sab, 16, 2); // wall clock, CPU time at the input's start
  const watchdog = new Worker(WATCHDOG, {
    eval: true,
    workerData: { sab, marker: job.marker, hangMs: job.hangMs, memoryMb: job.memoryMb },
  });
  watchdog.unref();

  const snap: Snapshot = {
    next: job.start,
    inputs: 0,
    ok: 0,
    codes: {},
    crashes: {},
    fuzzMs: 0,
    slowestMs: 0,
    baselineRssMb: Math.round(process.memoryUsage.rss() / 1048576),
    peakRssMb: 0,
    seeds: seeds.length,
    setupMs: performance.now() - setupStart,
  };
  const skip = new Set(job.skip);
  const fuzzStart = performance.now();
  const deadline = fuzzStart + job.seconds * 1000;
  let lastSent = fuzzStart;
  const update = () => {
    snap.fuzzMs = performance.now() - fuzzStart;
    snap.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  };
  let traced = 0;
  for (let i = job.start; i < job.end && performance.now() < deadline; i++) {
    if (job.traceLimit !== undefined && traced++ >= job.traceLimit) break;
    if (skip.has(i)) {
      snap.next = i + 1;
      continue;
    }
    const files = source.at(i);
    writer.write(files);
    if (job.traceLimit !== undefined) writeFileSync(job.marker.replace(/\.json$/, '.trace'), String(i));
    started[0] = Date.now();
    started[1] = cpuMs();
    Atomics.store(ctl, 1, i);
    Atomics.store(ctl, 0, 1);
    const t0 = performance.now();
    try {
      await target.run(dir, files);
      snap.ok++;
    } catch (error) {
      if (isParityError(error)) {
        snap.codes[error.code] = (snap.codes[error.code] ?? 0) + 1;
      } else {
        const signature = signatureOf(error);
        const known = snap.crashes[signature];
        if (known === undefined) {
          const findingDir = join(job.out, job.target, `crash-${job.seed}-${i}`);
          mkdirSync(findingDir, { recursive: true });
          const info = { target: job.target, seed: job.seed, index: i, signature, error: String(error) };
          saveInput(findingDir, files, { ...info, stack: error instanceof Error ? error.stack : undefined });
          snap.crashes[signature] = { count: 1, index: i, dir: findingDir };
        } else known.count++;
      }
    }
    Atomics.store(ctl, 0, 0);
    const ms = performance.now() - t0;
    if (ms > snap.slowestMs) snap.slowestMs = ms;
    snap.inputs++;
    snap.next = i + 1;
    if (performance.now() - lastSent > 200) {
      update();
      send({ type: 'snapshot', snapshot: snap });
      lastSent = performance.now();
    }
  }
  update();
  send({ type: 'done', snapshot: snap });
  await watchdog.terminate();
}

const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
main(job).then(
  () => process.disconnect?.(),
  (error: unknown) => {
    send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 3;
    process.disconnect?.();
  },
);
