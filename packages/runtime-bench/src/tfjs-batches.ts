/**
 * tfjs-wasm latency per row at several batch sizes (`pnpm bench:runtimes --tfjs-batches [--bert-base]`).
 *
 * Why it exists: tfjs-backend-wasm sends a matrix product to XNNPACK's fully-connected operator only when
 * both operands have a batch dimension of 1 (batch_mat_mul_impl.cc: `a_shape[0] == 1 && b_shape[0] == 1`,
 * no transposes); anything else runs a naive blocked triple loop. A dense layer written as BatchMatMulV2 of
 * [batch, seq, in] with [in, out] is on the fast path only at batch 1, so latency per row grew with the
 * batch (issue 16). The TF.js exporter now writes dense layers as 2-D MatMul; this measures the effect.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelArtifact } from '@bert-parity/core';
import {
  BERT_BASE,
  buildFixtures,
  exportTfjs,
  generateWeights,
  resolveConfig,
  sampleInputs,
} from '@bert-parity/fixtures';
import { loadModelSync } from '@bert-parity/models';
import { bertFeeds } from '@bert-parity/runtime-base';
import { bertDrift } from '@bert-parity/runtime-base/testing';
import { TfjsAdapter } from '@bert-parity/runtime-tfjs';

export const BATCHES = [1, 8, 50] as const;
const SEQ = 128;

export interface BatchRow {
  model: string;
  batch: number;
  runs: number;
  msPerBatch: number;
  msPerRow: number;
  rowsPerS: number;
  /** CPU time of this process per row (user + system): steadier than wall time on a shared machine. */
  cpuMsPerRow: number;
  /** relL2 of logits against the float64 reference (tiny model only: the reference is too slow at bert-base). */
  relL2Logits?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Latency of one tfjs-wasm session at each batch size in BATCHES (one warm-up run first). */
export async function measureModel(
  model: string,
  artifact: ModelArtifact,
  runs: number,
  drift?: Parameters<typeof bertDrift>[1],
): Promise<BatchRow[]> {
  const config = drift?.config ?? resolveConfig(BERT_BASE);
  const session = await new TfjsAdapter('wasm').open(artifact);
  const rows: BatchRow[] = [];
  try {
    // One warm-up run: the first call uploads the weights and creates the XNNPACK operators.
    await session.run(bertFeeds(sampleInputs(config, 1, SEQ, 5)));
    for (const batch of BATCHES) {
      const inputs = sampleInputs(config, batch, SEQ, 40 + batch);
      const feeds = bertFeeds(inputs);
      const times: number[] = [];
      const cpu: number[] = [];
      let out: Awaited<ReturnType<typeof session.run>> | undefined;
      for (let i = 0; i < runs; i++) {
        const before = process.cpuUsage();
        out = await session.run(feeds);
        const used = process.cpuUsage(before);
        times.push(session.timings.lastMs);
        cpu.push((used.user + used.system) / 1000);
      }
      const ms = median(times);
      const row: BatchRow = {
        model,
        batch,
        runs,
        msPerBatch: ms,
        msPerRow: ms / batch,
        rowsPerS: (1000 * batch) / ms,
        cpuMsPerRow: median(cpu) / batch,
      };
      if (out === undefined) throw new Error('runs must be at least 1');
      if (drift !== undefined) row.relL2Logits = bertDrift(out, drift, inputs).logits;
      rows.push(row);
    }
  } finally {
    await session.close();
  }
  return rows;
}

/**
 * Tiny fixture: `runs` runs per batch. bert-base (optional, slow to build: ~110 M weights): written to a
 * temporary folder as TF.js float32 only, `baseRuns` runs per batch.
 */
export async function tfjsBatchLatency(options: {
  runs: number;
  bertBase: boolean;
  baseRuns: number;
  log: (line: string) => void;
}): Promise<BatchRow[]> {
  const fixtures = await buildFixtures();
  const tinyFile = fixtures.files.find(
    (f) => f.format === 'tfjs-graph' && f.precision === 'float32' && f.variant === 'standard',
  );
  if (tinyFile === undefined) throw new Error('the fixtures have no TF.js float32 model');
  const rows = await measureModel('tiny (hidden 64, 2 layers)', loadModelSync(tinyFile.path), options.runs, fixtures);
  if (!options.bertBase) return rows;
  const dir = mkdtempSync(join(tmpdir(), 'bert-parity-bert-base-tfjs-'));
  try {
    const started = performance.now();
    const art = exportTfjs(generateWeights(resolveConfig(BERT_BASE)), 'float32');
    writeFileSync(join(dir, 'model.json'), art.modelJson);
    for (const s of art.shards) writeFileSync(join(dir, s.path), s.bytes);
    options.log(`bert-base TF.js float32 written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    rows.push(
      ...(await measureModel(
        'bert-base (hidden 768, 12 layers)',
        loadModelSync(join(dir, 'model.json')),
        options.baseRuns,
      )),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function renderBatchTable(rows: readonly BatchRow[]): string {
  const lines = [
    '| model | batch × 128 | runs | ms per batch | ms per row | rows/s | CPU ms per row | per row vs batch 1 (CPU) | relL2 logits |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const one = rows.find((x) => x.model === r.model && x.batch === 1);
    const ratio = one === undefined ? '' : `${(r.cpuMsPerRow / one.cpuMsPerRow).toFixed(2)}×`;
    lines.push(
      `| ${r.model} | ${r.batch} | ${r.runs} | ${r.msPerBatch.toFixed(1)} | ${r.msPerRow.toFixed(2)} | ${r.rowsPerS.toFixed(1)} | ${r.cpuMsPerRow.toFixed(1)} | ${ratio} | ${r.relL2Logits === undefined ? '' : r.relL2Logits.toExponential(2)} |`,
    );
  }
  return lines.join('\n');
}
