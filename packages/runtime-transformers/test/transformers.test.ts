import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModelArtifact, sha256Hex } from '@bert-parity/core';
import { buildFixtures, buildHfDir, sampleInputs } from '@bert-parity/fixtures';
import { readOnnxModelFile, writeOnnxFile } from '@bert-parity/models';
import { bertFeeds } from '@bert-parity/runtime-base';
import { bertDrift, coded, gcMemory, worstDrift } from '@bert-parity/runtime-base/testing';
import { BertTokenizer, Vocabulary } from '@bert-parity/tokenizer';
import { describe, expect, it } from 'vitest';
import { TransformersAdapter, withoutNetwork } from '../src/index.ts';

const fixtures = await buildFixtures();
const { config } = fixtures;
const folder = buildHfDir(fixtures);
const adapter = new TransformersAdapter();
const inputs = sampleInputs(config, 2, 24, 41);

function hfArtifact(precision: ModelArtifact['precision'] = 'float32'): ModelArtifact {
  return {
    format: 'hf-dir',
    path: folder,
    files: [],
    bytes: 0,
    sha256: '',
    signature: null,
    precision,
    precisionEvidence: [],
    ops: [],
    metadata: { vocabSize: config.vocabSize },
  };
}

describe('runtime-transformers (transformers.js, offline)', () => {
  it('the hf-dir fixture holds a BERT config, the tokenizer files and the three ONNX files', () => {
    const cfg = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg).toMatchObject({ model_type: 'bert', vocab_size: config.vocabSize, hidden_size: config.hiddenSize });
    expect(readFileSync(join(folder, 'vocab.txt'), 'utf8')).toBe(readFileSync(config.vocabPath, 'utf8'));
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
      expect(readFileSync(join(folder, f)).byteLength).toBeGreaterThan(0);
    }
    // The ONNX files are the ONNX fixtures themselves, byte for byte.
    for (const [f, fixture] of [
      ['onnx/model.onnx', 'onnx/float32.onnx'],
      ['onnx/model_fp16.onnx', 'onnx/float16.onnx'],
      ['onnx/model_quantized.onnx', 'onnx/int8.onnx'],
    ] as const) {
      expect([f, sha256Hex(readFileSync(join(folder, f)))]).toEqual([f, fixtures.sha256[fixture]]);
    }
  });

  it.each([
    ['fp32', 'model.onnx', 1e-5],
    ['fp16', 'model_fp16.onnx', 3e-3],
    ['q8', 'model_quantized.onnx', 5e-2],
  ] as const)('dtype %s loads onnx/%s and runs within relL2 %d', async (dtype, file, bound) => {
    const s = await adapter.open(hfArtifact(), { dtype });
    try {
      expect(s.environment).toMatchObject({ runtime: 'transformers.js', version: '4.3.1', dtype, file });
      const d = bertDrift(await s.run(bertFeeds(inputs)), fixtures, inputs);
      expect(worstDrift(d)).toBeLessThan(bound);
      if (dtype !== 'fp32') expect(d.logits).toBeGreaterThan(1e-4);
    } finally {
      await s.close();
    }
  });

  it('stays offline: remote models are off, and a fetch during a load or run is E_RUNTIME_NETWORK', async () => {
    const s = await adapter.open(hfArtifact());
    await s.close();
    const tj = await import('@huggingface/transformers');
    expect(tj.env.allowRemoteModels).toBe(false);
    expect(tj.env.allowLocalModels).toBe(true);
    const original = globalThis.fetch;
    const e = await coded(
      withoutNetwork(() => fetch('https://huggingface.co/bert-base-uncased/resolve/main/config.json')),
    );
    expect(e.code).toBe('E_RUNTIME_NETWORK');
    expect(e.message).toBe(
      'a fetch of https://huggingface.co/bert-base-uncased/resolve/main/config.json was attempted while running offline; expected local files only',
    );
    expect(globalThis.fetch).toBe(original);
  });

  it('a folder without the dtype file is E_RUNTIME_LOAD naming the file', async () => {
    const e = await coded(adapter.open({ ...hfArtifact(), path: join(folder, 'onnx') }, { dtype: 'fp16' }));
    expect(e.code).toBe('E_RUNTIME_LOAD');
    expect(e.message).toMatch(
      /^transformers\.js needs .*onnx\/config\.json and .*onnx\/onnx\/model_fp16\.onnx for dtype fp16/,
    );
  });

  // In Node, transformers.js hands onnxruntime the model's path, which then finds the data file itself.
  it('loads onnx/model.onnx with its weights in onnx/model.onnx_data (ONNX external data)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-external-'));
    cpSync(folder, dir, { recursive: true });
    const file = join(dir, 'onnx', 'model.onnx');
    writeOnnxFile(file, readOnnxModelFile(join(folder, 'onnx', 'model.onnx')).model, {
      externalData: { location: 'model.onnx_data' },
    });
    const s = await adapter.open({ ...hfArtifact(), path: dir });
    try {
      expect(worstDrift(bertDrift(await s.run(bertFeeds(inputs)), fixtures, inputs))).toBeLessThan(1e-5);
    } finally {
      await s.close();
    }
  });

  it('runText: the library tokenizer agrees with ours on these texts and the model output follows', async () => {
    const s = await adapter.open(hfArtifact());
    try {
      const texts = ['The quick brown fox jumps.', 'Hello, world!'];
      const run = await s.runText(texts, { maxSeqLength: 16 });
      const tok = new BertTokenizer(Vocabulary.fromFile(config.vocabPath), { lowercase: true });
      const width = run.inputIds[0]?.length ?? 0;
      for (const [i, text] of texts.entries()) {
        const ours = tok.encode(text, undefined, { maxSeqLength: width });
        expect(run.inputIds[i]).toEqual(ours.ids);
        expect(run.attentionMask[i]).toEqual(ours.attentionMask);
        expect(run.tokenTypeIds[i]).toEqual(ours.typeIds);
      }
      const asInputs = {
        batch: texts.length,
        seqLength: width,
        inputIds: run.inputIds.flat(),
        attentionMask: run.attentionMask.flat(),
        tokenTypeIds: run.tokenTypeIds.flat(),
      };
      expect(worstDrift(bertDrift(run.outputs, fixtures, asInputs))).toBeLessThan(1e-5);
    } finally {
      await s.close();
    }
  });

  it('1,000 runs of one session grow the heap by less than 10 MB', async () => {
    const s = await adapter.open(hfArtifact());
    const feeds = bertFeeds(sampleInputs(config, 1, 16, 42));
    try {
      // The resident size climbs during the first ~2,000 runs and then stays flat (measured: +29 MB over runs
      // 50-1,050, +11 MB over the next 1,000, then < 0.1 MB per 1,000; the JS heap stays flat throughout): an
      // allocator high-water mark, not a leak. So the bound is taken after a 1,000-run warm-up.
      for (let i = 0; i < 1000; i++) await s.run(feeds);
      const js0 = gcMemory();
      const rss0 = process.memoryUsage().rss;
      for (let i = 0; i < 1000; i++) await s.run(feeds);
      const jsGrown = gcMemory() - js0;
      const rssGrown = process.memoryUsage().rss - rss0;
      console.info(
        `transformers: 1000 runs, JS heap+external ${(jsGrown / 1e6).toFixed(2)} MB, rss ${(rssGrown / 1e6).toFixed(2)} MB`,
      );
      expect(jsGrown).toBeLessThan(10e6);
      expect(rssGrown).toBeLessThan(10e6);
    } finally {
      await s.close();
    }
  });
});
