/**
 * pnpm bench:runtimes [--json] [--runs N]
 * pnpm bench:runtimes --tfjs-batches [--bert-base] [--runs N] [--base-runs N] [--json]
 *
 * For every runtime × precision on the fixture models: the median latency of one batch through the
 * adapter (session.run: validation, integer widening, padding, output mapping) and through the runtime
 * called directly with ready-made runtime tensors, interleaved so both see the same machine state; the
 * adapter's overhead in percent of the direct call; and the drift of the outputs against the float64
 * reference. A benchmark, not a test: it never fails on timings.
 *
 * --tfjs-batches instead prints tfjs-wasm's latency per row at batch 1, 8 and 50 (tfjs-batches.ts), for
 * the tiny fixture and, with --bert-base, a bert-base-shaped model (slow: it generates ~110 M weights).
 */
import { readFileSync } from 'node:fs';
import type { ModelArtifact, NamedTensors, RuntimeSession } from '@bert-parity/core';
import { type BertInputs, buildFixtures, buildHfDir, sampleInputs } from '@bert-parity/fixtures';
import { bertFeeds } from '@bert-parity/runtime-base';
import { bertDrift, fixtureArtifact } from '@bert-parity/runtime-base/testing';
import { LiteRtAdapter, loadLiteRtForNode } from '@bert-parity/runtime-litert';
import { OnnxAdapter } from '@bert-parity/runtime-onnx';
import { fileIOHandler, loadTfjs, TfjsAdapter } from '@bert-parity/runtime-tfjs';
import { TransformersAdapter, type TransformersDtype } from '@bert-parity/runtime-transformers';
import { renderBatchTable, tfjsBatchLatency } from './tfjs-batches.ts';

interface Row {
  runtime: string;
  precision: string;
  batch: string;
  adapterMs: number;
  directMs: number;
  overheadPct: number;
  relL2: { last_hidden_state: number; pooler_output: number; logits: number };
  environment: Record<string, unknown>;
}

type Direct = { run(): Promise<unknown>; close(): Promise<void> };

const args = process.argv.slice(2);
const json = args.includes('--json');
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 40;
const baseRunsArg = args.indexOf('--base-runs');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function measure(session: RuntimeSession, feeds: NamedTensors, direct: Direct, runs: number) {
  for (let i = 0; i < 5; i++) {
    await session.run(feeds);
    await direct.run();
  }
  const a: number[] = [];
  const d: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await session.run(feeds);
    a.push(performance.now() - t);
    t = performance.now();
    await direct.run();
    d.push(performance.now() - t);
  }
  return { adapterMs: median(a), directMs: median(d) };
}

const int64 = (a: ArrayLike<number>) => BigInt64Array.from(Array.from(a), (v) => BigInt(v));

async function directOnnx(path: string, x: BertInputs): Promise<Direct> {
  const ort = await import('onnxruntime-node');
  const s = await ort.InferenceSession.create(readFileSync(path), {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const ids = int64(x.inputIds);
  const mask = int64(x.attentionMask);
  const types = int64(x.tokenTypeIds);
  const dims = [x.batch, x.seqLength];
  return {
    run: () =>
      s.run({
        input_ids: new ort.Tensor('int64', ids, dims),
        attention_mask: new ort.Tensor('int64', mask, dims),
        token_type_ids: new ort.Tensor('int64', types, dims),
      }),
    close: () => s.release(),
  };
}

async function directTfjs(path: string, x: BertInputs): Promise<Direct> {
  const { tf, converter } = await loadTfjs();
  const model = await converter.loadGraphModel(fileIOHandler(path));
  const ids = Int32Array.from(x.inputIds);
  const mask = Int32Array.from(x.attentionMask);
  const types = Int32Array.from(x.tokenTypeIds);
  const shape: [number, number] = [x.batch, x.seqLength];
  const names = ['last_hidden_state', 'pooler_output', 'logits'];
  return {
    async run() {
      const feeds = {
        input_ids: tf.tensor2d(ids, shape, 'int32'),
        attention_mask: tf.tensor2d(mask, shape, 'int32'),
        token_type_ids: tf.tensor2d(types, shape, 'int32'),
      };
      const outs = model.execute(feeds, names) as import('@tensorflow/tfjs-core').Tensor[];
      for (const o of outs) o.dataSync();
      tf.dispose([...outs, ...Object.values(feeds)]);
    },
    async close() {
      model.dispose();
    },
  };
}

/** Row by row at the model's fixed [1, 128], as the adapter must do for a batch. */
async function directLiteRt(path: string, x: BertInputs): Promise<Direct> {
  const { litert } = await loadLiteRtForNode();
  const model = await litert.loadAndCompile(readFileSync(path), { accelerator: 'wasm' });
  const runner = model.signatures.serving_default;
  if (runner === undefined) throw new Error(`${path} has no serving_default`);
  const rows = Array.from({ length: x.batch }, (_, b) => {
    const slice = (a: ArrayLike<number>) =>
      Int32Array.from(Array.from(a).slice(b * x.seqLength, (b + 1) * x.seqLength));
    return {
      input_ids: slice(x.inputIds),
      attention_mask: slice(x.attentionMask),
      token_type_ids: slice(x.tokenTypeIds),
    };
  });
  return {
    async run() {
      for (const row of rows) {
        const feeds = Object.fromEntries(
          Object.entries(row).map(([k, v]) => [k, new litert.Tensor(v, [1, x.seqLength])]),
        );
        const out = await runner.run(feeds);
        for (const t of Object.values(out)) {
          t.toTypedArray();
          t.delete();
        }
        for (const t of Object.values(feeds)) t.delete();
      }
    },
    async close() {
      model.delete();
    },
  };
}

async function directTransformers(folder: string, dtype: TransformersDtype, x: BertInputs): Promise<Direct> {
  const tj = await import('@huggingface/transformers');
  const { basename, dirname } = await import('node:path');
  tj.env.allowRemoteModels = false;
  tj.env.localModelPath = `${dirname(folder)}/`;
  const model = await tj.AutoModel.from_pretrained(basename(folder), { dtype, device: 'cpu', local_files_only: true });
  const dims = [x.batch, x.seqLength];
  const ids = int64(x.inputIds);
  const mask = int64(x.attentionMask);
  const types = int64(x.tokenTypeIds);
  return {
    run: () =>
      model({
        input_ids: new tj.Tensor('int64', ids, dims),
        attention_mask: new tj.Tensor('int64', mask, dims),
        token_type_ids: new tj.Tensor('int64', types, dims),
      }),
    close: async () => {
      await model.dispose();
    },
  };
}

async function main(): Promise<void> {
  const f = await buildFixtures();
  const x = sampleInputs(f.config, 2, f.config.staticSeqLength, 99);
  const feeds = bertFeeds(x);
  const rows: Row[] = [];
  const bench = async (
    runtime: string,
    precision: string,
    open: () => Promise<RuntimeSession>,
    direct: () => Promise<Direct>,
    runs = RUNS,
  ) => {
    const session = await open();
    const d = await direct();
    try {
      const out = await session.run(feeds);
      const { adapterMs, directMs } = await measure(session, feeds, d, runs);
      rows.push({
        runtime,
        precision,
        batch: `${x.batch}x${x.seqLength}`,
        adapterMs,
        directMs,
        overheadPct: ((adapterMs - directMs) / directMs) * 100,
        relL2: bertDrift(out, f, x),
        environment: { ...session.environment },
      });
    } finally {
      await session.close();
      await d.close();
    }
  };
  const art = (format: 'onnx' | 'tfjs-graph' | 'tflite', p: 'float32' | 'float16' | 'int8' | 'uint8'): ModelArtifact =>
    fixtureArtifact(f, format, p);

  const onnx = new OnnxAdapter();
  for (const p of ['float32', 'float16', 'int8'] as const) {
    const a = art('onnx', p);
    await bench(
      'onnxruntime-node',
      p,
      () => onnx.open(a, { threads: 1 }),
      () => directOnnx(a.path, x),
    );
  }
  const folder = buildHfDir(f);
  const tr = new TransformersAdapter();
  for (const [dtype, p] of [
    ['fp32', 'float32'],
    ['fp16', 'float16'],
    ['q8', 'int8'],
  ] as const) {
    const a: ModelArtifact = { ...art('onnx', p), format: 'hf-dir', path: folder };
    await bench(
      'transformers.js',
      p,
      () => tr.open(a, { dtype }),
      () => directTransformers(folder, dtype, x),
    );
  }
  for (const backend of ['wasm', 'cpu'] as const) {
    const tf = new TfjsAdapter(backend);
    for (const p of ['float32', 'float16', 'uint8'] as const) {
      const a = art('tfjs-graph', p);
      await bench(
        `tfjs-${backend}`,
        p,
        () => tf.open(a),
        () => directTfjs(a.path, x),
        backend === 'cpu' ? 10 : RUNS,
      );
    }
  }
  const lr = new LiteRtAdapter();
  for (const p of ['float32', 'float16', 'int8'] as const) {
    const a = art('tflite', p);
    await bench(
      'litert.js-wasm',
      p,
      () => lr.open(a),
      () => directLiteRt(a.path, x),
    );
  }

  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const fmt = (v: number) => v.toExponential(2);
  console.log(
    `batch ${x.batch} x ${x.seqLength}, median of ${RUNS} runs (tfjs-cpu: 10), adapter and direct interleaved\n`,
  );
  console.log(
    '| runtime | precision | adapter ms | direct ms | overhead | relL2 last_hidden_state | relL2 pooler | relL2 logits |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.runtime} | ${r.precision} | ${r.adapterMs.toFixed(2)} | ${r.directMs.toFixed(2)} | ${r.overheadPct.toFixed(1)}% | ${fmt(r.relL2.last_hidden_state)} | ${fmt(r.relL2.pooler_output)} | ${fmt(r.relL2.logits)} |`,
    );
  }
}

async function batches(): Promise<void> {
  const rows = await tfjsBatchLatency({
    runs: runsArg >= 0 ? RUNS : 10,
    bertBase: args.includes('--bert-base'),
    baseRuns: baseRunsArg >= 0 ? Number(args[baseRunsArg + 1]) : 1,
    log: (line) => console.error(line),
  });
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log('tfjs-wasm (XNNPACK, 1 thread), float32 TF.js model, median of the runs after one warm-up run\n');
  console.log(renderBatchTable(rows));
}

await (args.includes('--tfjs-batches') ? batches() : main());
