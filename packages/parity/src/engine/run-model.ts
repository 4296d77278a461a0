import type { ModelArtifact, RuntimeEnvironment, Tensor } from '@bert-parity/core';
import { concatRows } from '@bert-parity/runtime-base';
import type { RuntimeConfig } from '../config/schema.ts';
import { feedsFor, type InputSet } from './inputs.ts';
import type { Platform } from './platform.ts';
import { sessionOptions } from './runtimes.ts';
import type { Outputs } from './tensors.ts';
import { nextTurn } from './turn.ts';

export interface ModelRun {
  outputs: Outputs;
  environment: RuntimeEnvironment;
  /**
   * Time inside the runtime: loading it, opening the session (the runtime reads and compiles the model)
   * and every session.run, including the latency repeats. The rest of a cell is the harness's own work.
   */
  runtimeMs: number;
  latency?: { medianMs: number; p90Ms: number; runs: number; batch: number; clock: 'host' | 'device' | 'page' };
}

export interface ModelRunRequest {
  artifact: ModelArtifact;
  runtime: RuntimeConfig;
  platform: Platform;
  mapping: {
    inputMapping?: Record<string, string | number> | undefined;
    outputMapping?: Record<string, string | number> | undefined;
  };
  inputs: InputSet;
  /** Cases [0, count) run. */
  count: number;
  latencyRuns: number;
  /**
   * Receives each batch's outputs (cases [from, to)) as they come; the run then keeps none of them and
   * returns no outputs. Without it the outputs of every batch are returned, stacked.
   */
  onBatch?: (outputs: Readonly<Record<string, Tensor>>, from: number, to: number) => void;
}

function quantileOf(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/**
 * Opens a session and runs the cases in batches of runtime.batch (the session itself splits rows for
 * fixed-batch models and pads to a fixed sequence length), then repeats the first batch for latency.
 */
export async function runModel(req: ModelRunRequest): Promise<ModelRun> {
  const opening = performance.now();
  const session = await req.platform.open(req.runtime.name, req.artifact, sessionOptions(req.runtime, req.mapping));
  try {
    // Models without segments (DistilBERT-style: no token_type_ids input) get no token_type_ids feed.
    const takes = new Set(session.inputs.map((s) => s.name));
    const feedsOf = (from: number, to: number) => {
      const { token_type_ids: types, ...rest } = feedsFor(req.inputs, from, to);
      return takes.has('token_type_ids') && types !== undefined ? { ...rest, token_type_ids: types } : rest;
    };
    const parts = new Map<string, Tensor[]>();
    let runtimeMs = performance.now() - opening;
    const batch = req.runtime.batch;
    for (let from = 0; from < req.count; from += batch) {
      const to = Math.min(req.count, from + batch);
      const feeds = feedsOf(from, to);
      const t0 = performance.now();
      const out = await session.run(feeds);
      runtimeMs += performance.now() - t0;
      await nextTurn();
      if (req.onBatch !== undefined) {
        req.onBatch(out, from, to);
        continue;
      }
      for (const [name, t] of Object.entries(out)) {
        const list = parts.get(name) ?? [];
        list.push(t);
        parts.set(name, list);
      }
    }
    const outputs: Outputs = new Map();
    for (const [name, list] of parts) outputs.set(name, list.length === 1 ? (list[0] as Tensor) : concatRows(list));
    const run: ModelRun = { outputs, environment: session.environment, runtimeMs };
    if (req.latencyRuns > 0) {
      const rows = Math.min(batch, req.count);
      const feeds = feedsOf(0, rows);
      const times: number[] = [];
      let clock: 'host' | 'device' | 'page' = 'host';
      for (let i = 0; i < req.latencyRuns; i++) {
        const t0 = performance.now();
        await session.run(feeds);
        const wall = performance.now() - t0;
        run.runtimeMs += wall;
        await nextTurn();
        // A device's or a page's own clock, where the session has one: host wall time there is mostly adb,
        // or waiting for this thread while it runs the host's cells.
        const measured = session.measuredLatencyMs;
        if (measured !== undefined) clock = session.latencyClock ?? 'device';
        times.push(measured ?? wall);
      }
      times.sort((a, b) => a - b);
      run.latency = {
        medianMs: quantileOf(times, 0.5),
        p90Ms: quantileOf(times, 0.9),
        runs: times.length,
        batch: rows,
        clock,
      };
    }
    return run;
  } finally {
    await session.close();
  }
}
