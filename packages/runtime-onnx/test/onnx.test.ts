import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '@bert-parity/core';
import { buildFixtures, sampleInputs } from '@bert-parity/fixtures';
import { loadModelSync, readOnnxModelFile, writeOnnxFile } from '@bert-parity/models';
import { bertFeeds, encodingFeeds, tensor } from '@bert-parity/runtime-base';
import { bertDrift, coded, fixtureArtifact, gcMemory, worstDrift } from '@bert-parity/runtime-base/testing';
import { BertTokenizer, Vocabulary } from '@bert-parity/tokenizer';
import { describe, expect, it } from 'vitest';
import { OnnxAdapter } from '../src/index.ts';

const fixtures = await buildFixtures();
const { config } = fixtures;
const adapter = new OnnxAdapter();
const inputs = sampleInputs(config, 3, 40, 11);

describe('runtime-onnx', () => {
  it('is available and reports its environment', async () => {
    expect(await adapter.available()).toEqual({ ok: true });
    const s = await adapter.open(fixtureArtifact(fixtures, 'onnx', 'float32'), {
      threads: 1,
      graphOptimization: 'basic',
    });
    try {
      expect(s.environment).toMatchObject({
        runtime: 'onnxruntime-node',
        version: '1.30.0',
        backend: 'cpu',
        threads: 1,
        graphOptimization: 'basic',
        simd: true,
      });
      expect(s.inputs.map((i) => `${i.name}:${i.dtype}`)).toEqual([
        'input_ids:int64',
        'attention_mask:int64',
        'token_type_ids:int64',
      ]);
      expect(s.inputs[0]?.dimNames).toEqual(['batch', 'sequence']);
    } finally {
      await s.close();
    }
  });

  it.each([
    ['float32', 1e-5],
    ['float16', 3e-3],
    ['int8', 5e-2],
  ] as const)('%s: int32 feeds are widened to int64 and outputs stay within relL2 %d', async (precision, bound) => {
    const s = await adapter.open(fixtureArtifact(fixtures, 'onnx', precision));
    try {
      const out = await s.run(bertFeeds(inputs));
      expect(out.last_hidden_state?.shape).toEqual([3, 40, config.hiddenSize]);
      const d = bertDrift(out, fixtures, inputs);
      expect(worstDrift(d)).toBeLessThan(bound);
      if (precision !== 'float32') expect(d.logits).toBeGreaterThan(1e-4);
      expect(s.timings.runs).toBe(1);
      expect(s.timings.lastImplMs).toBeGreaterThan(0);
      expect(s.timings.lastMs).toBeGreaterThanOrEqual(s.timings.lastImplMs);
    } finally {
      await s.close();
    }
  });

  it('feeds that do not match the signature give E_RUNTIME_FEED listing the expected inputs', async () => {
    const s = await adapter.open(fixtureArtifact(fixtures, 'onnx', 'float32'));
    try {
      const feeds = bertFeeds(inputs);
      const { token_type_ids: _dropped, ...two } = feeds;
      const missing = await coded(s.run(two));
      expect(missing.code).toBe('E_RUNTIME_FEED');
      expect(missing.message).toBe(
        'feeds missing token_type_ids; the model expects input_ids int64[?, ?], attention_mask int64[?, ?], token_type_ids int64[?, ?]',
      );
      const extra = await coded(s.run({ ...feeds, position_ids: feeds.input_ids as Tensor }));
      expect(extra.message).toMatch(/^feeds unknown position_ids;/);
      const floatIds = await coded(s.run({ ...feeds, input_ids: tensor('float32', [3, 40], new Float32Array(120)) }));
      expect(floatIds.message).toMatch(/^input input_ids: dtype float32; the model expects input_ids int64/);
      const rank1 = await coded(s.run({ ...feeds, attention_mask: tensor('int32', [120], new Int32Array(120)) }));
      expect(rank1.message).toMatch(/^input attention_mask: rank 1 \(shape \[120\]\)/);
      const mismatch = await coded(s.run({ ...feeds, token_type_ids: tensor('int32', [3, 39], new Int32Array(117)) }));
      expect(mismatch.message).toMatch(/^input token_type_ids: shape \[3, 39\] disagrees with \[3, 40\]/);
      await s.close();
      expect(await coded(s.run(feeds))).toMatchObject({
        code: 'E_RUNTIME_CLOSED',
        message: 'onnxruntime-node session used after close()',
      });
    } finally {
      await s.close();
    }
  });

  it('small-embedding: ids past the table are E_RUNTIME_TOKEN_RANGE, before running or from the Gather error', async () => {
    const rows = config.smallEmbeddingRows;
    const feeds = bertFeeds({
      batch: 1,
      seqLength: 3,
      inputIds: [2, 5000, 3],
      attentionMask: [1, 1, 1],
      tokenTypeIds: [0, 0, 0],
    });
    const artifact = fixtureArtifact(fixtures, 'onnx', 'float32', 'small-embedding');
    const s = await adapter.open(artifact);
    try {
      const e = await coded(s.run(feeds));
      expect(e.code).toBe('E_RUNTIME_TOKEN_RANGE');
      expect(e.message).toBe(
        `input input_ids[0, 1] = 5000 is outside the embedding table; expected 0 <= id < ${rows} (the model's vocabulary size)`,
      );
      const ok = await s.run(
        bertFeeds({
          batch: 1,
          seqLength: 3,
          inputIds: [2, rows - 1, 3],
          attentionMask: [1, 1, 1],
          tokenTypeIds: [0, 0, 0],
        }),
      );
      expect(ok.logits?.shape).toEqual([1, config.numLabels]);
    } finally {
      await s.close();
    }
    // Without the artifact telling its rows, onnxruntime's own Gather failure is translated.
    const blind = await adapter.open({ ...artifact, metadata: {} });
    try {
      const e = await coded(blind.run(feeds));
      expect(e.code).toBe('E_RUNTIME_TOKEN_RANGE');
      expect(e.message).toBe(
        `onnxruntime Gather got index 5000; expected an id within [0, ${rows - 1}] (the embedding table has ${rows} rows)`,
      );
    } finally {
      await blind.close();
    }
  });

  it('a format it does not run is E_RUNTIME_FORMAT; an unreadable model is E_RUNTIME_LOAD', async () => {
    const art = fixtureArtifact(fixtures, 'tflite', 'float32');
    const e = await coded(adapter.open(art));
    expect(e.code).toBe('E_RUNTIME_FORMAT');
    expect(e.message).toBe(`onnxruntime-node cannot run ${art.path}: its format is tflite; expected one of onnx`);
    const bad = await coded(adapter.open({ ...art, format: 'onnx' }));
    expect(bad.code).toBe('E_RUNTIME_LOAD');
    expect(bad.message).toMatch(/^onnxruntime cannot load .*float32\.tflite: /);
  });

  it('opens a model whose weights are in an external data file beside it (model.onnx_data)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-external-'));
    const path = join(dir, 'model.onnx');
    const source = fixtureArtifact(fixtures, 'onnx', 'float32').path;
    writeOnnxFile(path, readOnnxModelFile(source).model, { externalData: { location: 'model.onnx_data' } });
    const artifact = loadModelSync(path);
    expect(artifact.files.map((f) => f.path)).toEqual([path, join(dir, 'model.onnx_data')]);
    const s = await adapter.open(artifact, { threads: 1 });
    try {
      expect(worstDrift(bertDrift(await s.run(bertFeeds(inputs)), fixtures, inputs))).toBeLessThan(1e-5);
    } finally {
      await s.close();
    }
  });

  it('1,000 runs of one session grow the heap by less than 10 MB', async () => {
    const s = await adapter.open(fixtureArtifact(fixtures, 'onnx', 'float32'), { threads: 1 });
    const feeds = bertFeeds(sampleInputs(config, 1, 16, 5));
    try {
      for (let i = 0; i < 50; i++) await s.run(feeds);
      const before = gcMemory();
      const rss0 = process.memoryUsage().rss;
      for (let i = 0; i < 1000; i++) await s.run(feeds);
      const grown = gcMemory() - before;
      const rssGrown = process.memoryUsage().rss - rss0;
      console.info(
        `onnx: 1000 runs, JS heap+external ${(grown / 1e6).toFixed(2)} MB, rss ${(rssGrown / 1e6).toFixed(2)} MB`,
      );
      expect(grown).toBeLessThan(10e6);
      expect(rssGrown).toBeLessThan(10e6);
    } finally {
      await s.close();
    }
  });

  const TOY = '/work/shared/models/ort-bert_toy_optimized.onnx';
  it.skipIf(!existsSync(TOY))(
    `a real PyTorch export (${TOY}; skipped with this message when absent) runs with tokenizer feeds`,
    async () => {
      const s = await adapter.open(
        {
          format: 'onnx',
          path: TOY,
          files: [],
          bytes: 0,
          sha256: '',
          signature: null,
          precision: 'float32',
          precisionEvidence: [],
          ops: [],
          metadata: {},
        },
        { inputMapping: { attention_mask: 'input_mask' }, vocabSize: 99 },
      );
      try {
        expect(s.inputs.map((i) => i.name)).toEqual(['input_ids', 'token_type_ids', 'attention_mask']);
        const tok = new BertTokenizer(Vocabulary.fromFile(config.vocabPath), { lowercase: true });
        const enc = [tok.encode('the quick brown fox', 'jumps over the lazy dog', { maxSeqLength: 24 })];
        // The toy model's vocabulary has 99 entries and the fixture vocabulary 29,357: this test clips every
        // id to 98 ([CLS]=101 and [SEP]=102 included) so the real graph runs on tokenizer-shaped feeds; it
        // checks shapes and finite values, not meaning.
        const clipped = enc.map((e) => ({ ...e, ids: e.ids.map((id) => Math.min(id, 98)) }));
        const out = await s.run(encodingFeeds(clipped));
        expect(out.prediction_scores?.shape).toEqual([1, 24, 99]);
        expect(out.seq_relationship_score?.shape).toEqual([1, 2]);
        expect(Array.from(out.seq_relationship_score?.data as Float32Array).every(Number.isFinite)).toBe(true);
        // Unclipped ids are refused before running, naming the position.
        const e = await coded(s.run(encodingFeeds(enc)));
        expect(e.code).toBe('E_RUNTIME_TOKEN_RANGE');
      } finally {
        await s.close();
      }
    },
  );
});
