import { buildFixtures, sampleInputs, TOO_NEW_GELU_VERSION, UNKNOWN_BUILTIN_CODE } from '@bert-parity/fixtures';
import { bertFeeds, castInteger } from '@bert-parity/runtime-base';
import { bertDrift, coded, fixtureArtifact, gcMemory, worstDrift } from '@bert-parity/runtime-base/testing';
import { describe, expect, it } from 'vitest';
import {
  currentLiteRtLoad,
  LiteRtAdapter,
  loadAndCompileFile,
  loadLiteRtForNode,
  RELEASE_HEAP_BYTES,
} from '../src/index.ts';

const fixtures = await buildFixtures();
const { config } = fixtures;
const adapter = new LiteRtAdapter();
const S = config.staticSeqLength;

describe('runtime-litert (LiteRT.js wasm in Node)', () => {
  it('binds serving_default by name and reports its environment', async () => {
    expect(await adapter.available()).toEqual({ ok: true });
    const s = await adapter.open(fixtureArtifact(fixtures, 'tflite', 'float32'));
    try {
      expect(s.environment).toMatchObject({
        runtime: 'litert.js',
        version: '2.5.3',
        backend: 'wasm',
        threads: 1,
        simd: true,
        signature: 'serving_default',
      });
      expect(s.inputs).toEqual([
        { name: 'input_ids', dtype: 'int32', shape: [1, S] },
        { name: 'attention_mask', dtype: 'int32', shape: [1, S] },
        { name: 'token_type_ids', dtype: 'int32', shape: [1, S] },
      ]);
      expect(s.outputs.map((o) => o.name)).toEqual(['last_hidden_state', 'pooler_output', 'logits']);
    } finally {
      await s.close();
    }
  });

  it.each([
    ['float32', 1e-5],
    ['float16', 3e-3],
    ['int8', 5e-2],
  ] as const)(
    '%s: fixed shape, padded [2, 40] feeds and int64 feeds agree within relL2 %d',
    async (precision, bound) => {
      const s = await adapter.open(fixtureArtifact(fixtures, 'tflite', precision));
      try {
        const full = sampleInputs(config, 1, S, 31);
        // int64 feeds (what ONNX pipelines build) are narrowed to the model's int32.
        const wide = Object.fromEntries(
          Object.entries(bertFeeds(full)).map(([k, t]) => [k, castInteger(t, 'int64', k)]),
        );
        const d1 = bertDrift(await s.run(wide), fixtures, full);
        expect(worstDrift(d1)).toBeLessThan(bound);
        if (precision !== 'float32') expect(d1.logits).toBeGreaterThan(1e-4);
        // Shorter sequences are padded to 128 (id 0, mask 0) and cropped back; batch 2 runs row by row.
        const short = sampleInputs(config, 2, 40, 32);
        const out = await s.run(bertFeeds(short));
        expect(out.last_hidden_state?.shape).toEqual([2, 40, config.hiddenSize]);
        expect(out.logits?.shape).toEqual([2, config.numLabels]);
        expect(worstDrift(bertDrift(out, fixtures, short))).toBeLessThan(bound);
      } finally {
        await s.close();
      }
    },
  );

  it('a sequence longer than the fixed 128 is rejected, naming the input and dimension', async () => {
    const s = await adapter.open(fixtureArtifact(fixtures, 'tflite', 'float32'));
    try {
      const feeds = bertFeeds({
        batch: 1,
        seqLength: S + 1,
        inputIds: new Int32Array(S + 1),
        attentionMask: new Int32Array(S + 1),
        tokenTypeIds: new Int32Array(S + 1),
      });
      const e = await coded(s.run(feeds));
      expect(e.code).toBe('E_RUNTIME_FEED');
      expect(e.message).toBe(
        `input input_ids: dimension 1 is ${S + 1} (shape [1, ${S + 1}]); the model expects input_ids int32[1, ${S}], attention_mask int32[1, ${S}], token_type_ids int32[1, ${S}]`,
      );
    } finally {
      await s.close();
    }
  });

  it('no-signature: without a mapping E_RUNTIME_MAPPING lists the inputs; with one it runs positionally', async () => {
    const art = fixtureArtifact(fixtures, 'tflite', 'float32', 'no-signature');
    const e = await coded(adapter.open(art));
    expect(e.code).toBe('E_RUNTIME_MAPPING');
    expect(e.message).toBe(
      `the model has no signature, so its inputs bind by position and SessionOptions.inputMapping must map every one; unmapped: #0 serving_default_input_ids:0, #1 serving_default_attention_mask:0, #2 serving_default_token_type_ids:0. The model's inputs are: #0 serving_default_input_ids:0 int32[1, ${S}]; #1 serving_default_attention_mask:0 int32[1, ${S}]; #2 serving_default_token_type_ids:0 int32[1, ${S}]. Example: inputMapping: { input_ids: 0, attention_mask: 1, token_type_ids: 2 }`,
    );
    const s = await adapter.open(art, {
      inputMapping: { input_ids: 0, attention_mask: 1, token_type_ids: 2 },
      outputMapping: { last_hidden_state: 0, pooler_output: 1, logits: 2 },
    });
    try {
      expect(s.environment.signature).toBe('<placeholder signature>');
      const inputs = sampleInputs(config, 1, 60, 33);
      expect(worstDrift(bertDrift(await s.run(bertFeeds(inputs)), fixtures, inputs))).toBeLessThan(1e-5);
    } finally {
      await s.close();
    }
  });

  it('custom-op: the silent zeros become E_RUNTIME_OP naming the op', async () => {
    const s = await adapter.open(fixtureArtifact(fixtures, 'tflite', 'float32', 'custom-op'));
    try {
      const e = await coded(s.run(bertFeeds(sampleInputs(config, 1, S, 34))));
      expect(e.code).toBe('E_RUNTIME_OP');
      expect(e.details?.log).toEqual([
        'ERROR: Encountered unresolved custom op: FastBertNormalize.',
        'See instructions: https://www.tensorflow.org/lite/guide/ops_custom ',
        'ERROR: Node number 0 (FastBertNormalize) failed to prepare.',
        'ERROR: [litert_compiled_model.cc:164] Failed to allocate tensors',
      ]);
    } finally {
      await s.close();
    }
  });

  it.each([
    [
      'op-version-too-new',
      `ERROR: Didn't find op for builtin opcode 'GELU' version '${TOO_NEW_GELU_VERSION}'. An older version of this builtin might be supported. Are you using an old TFLite binary with a newer model?`,
    ],
    [
      'unknown-builtin',
      `ERROR: Op builtin_code out of range: ${UNKNOWN_BUILTIN_CODE}. Are you using old TFLite binary with newer model?`,
    ],
  ] as const)('%s: compiling fails with E_RUNTIME_OP carrying the log line', async (variant, line) => {
    const e = await coded(adapter.open(fixtureArtifact(fixtures, 'tflite', 'float32', variant)));
    expect(e.code).toBe('E_RUNTIME_OP');
    expect(e.details?.log).toContain(line);
    expect(e.message).toContain(line);
  });

  it('ids past the vocabulary: E_RUNTIME_TOKEN_RANGE before running; without a vocabulary size the gather log is caught', async () => {
    const inputs = sampleInputs(config, 1, 20, 35);
    const ids = Int32Array.from(inputs.inputIds);
    ids[3] = config.vocabSize + 10;
    const feeds = bertFeeds({ ...inputs, inputIds: ids });
    const art = fixtureArtifact(fixtures, 'tflite', 'float32');
    const s = await adapter.open(art);
    try {
      const e = await coded(s.run(feeds));
      expect(e.code).toBe('E_RUNTIME_TOKEN_RANGE');
      expect(e.message).toBe(
        `input input_ids[0, 3] = ${config.vocabSize + 10} is outside the embedding table; expected 0 <= id < ${config.vocabSize} (the model's vocabulary size)`,
      );
    } finally {
      await s.close();
    }
    const blind = await adapter.open({ ...art, metadata: {} });
    try {
      const e = await coded(blind.run(feeds));
      expect(e.code).toBe('E_RUNTIME_OP');
      expect(String(e.details?.log)).toMatch(/gather index out of bounds/i);
      // The session stays usable after a failed run.
      expect(worstDrift(bertDrift(await blind.run(bertFeeds(inputs)), fixtures, inputs))).toBeLessThan(1e-5);
    } finally {
      await blind.close();
    }
  });

  it('the wasm heap only grows, so closing the last session of a grown heap unloads the module; the next open loads it again', async () => {
    // The fixtures never grow the heap past its initial size, so the threshold (64 MB) is 0 here.
    expect(RELEASE_HEAP_BYTES).toBe(64 * 1024 * 1024);
    expect(await adapter.wasmHeapBytes()).toBeLessThan(RELEASE_HEAP_BYTES);
    const releasing = new LiteRtAdapter({ releaseHeapBytes: 0 });
    const art = fixtureArtifact(fixtures, 'tflite', 'float32');
    const feeds = bertFeeds(sampleInputs(config, 1, S, 37));
    const a = await releasing.open(art);
    const b = await releasing.open(art);
    const expected = await a.run(feeds);
    await a.close();
    expect(currentLiteRtLoad()).toBeDefined(); // b is still open
    expect(await b.run(feeds)).toEqual(expected);
    await b.close();
    expect(currentLiteRtLoad()).toBeUndefined();
    // Loaded again: the same numbers, and its errors still reach the log (E_RUNTIME_OP, not silent zeros).
    const c = await releasing.open(art);
    try {
      expect(await c.run(feeds)).toEqual(expected);
    } finally {
      await c.close();
    }
    const e = await coded(releasing.open(fixtureArtifact(fixtures, 'tflite', 'float32', 'unknown-builtin')));
    expect(e.code).toBe('E_RUNTIME_OP');
    expect(currentLiteRtLoad()).toBeUndefined(); // a failed open is not left holding the module either
    // The default keeps a heap this small loaded.
    const d = await adapter.open(art);
    await d.close();
    expect(currentLiteRtLoad()).toBeDefined();
  });

  it("the model's bytes are released once LiteRT.js has copied them, before the compile grows the heap", async () => {
    const art = fixtureArtifact(fixtures, 'tflite', 'float32');
    const handle = await loadLiteRtForNode();
    const wasm = handle.litert.getGlobalLiteRt().liteRtWasm;
    const loadModel = wasm.loadModel;
    const { model, released } = await loadAndCompileFile(handle, art.path);
    try {
      // false would mean this LiteRT.js no longer calls loadModel between its copy and the compile: the peak
      // of a large model then holds the file twice (README, "Real size").
      expect(released).toBe(true);
      expect(Object.keys(model.signatures)).toEqual(['serving_default']);
    } finally {
      model.delete();
    }
    // The wrapper is gone after the call, and a file that cannot be read is a coded load error.
    expect(wasm.loadModel).toBe(loadModel);
    const e = await coded(adapter.open({ ...art, path: `${art.path}.missing` }));
    expect(e.code).toBe('E_RUNTIME_LOAD');
    expect(e.message).toContain('ENOENT');
  });

  it('1,000 runs of one session grow the wasm heap and the JS heap by less than 10 MB each', async () => {
    const s = await adapter.open(fixtureArtifact(fixtures, 'tflite', 'float32'));
    const feeds = bertFeeds(sampleInputs(config, 1, S, 36));
    try {
      for (let i = 0; i < 20; i++) await s.run(feeds);
      const wasm0 = await adapter.wasmHeapBytes();
      const js0 = gcMemory();
      for (let i = 0; i < 1000; i++) await s.run(feeds);
      const wasmGrown = (await adapter.wasmHeapBytes()) - wasm0;
      const jsGrown = gcMemory() - js0;
      console.info(
        `litert: 1000 runs, wasm heap ${(wasmGrown / 1e6).toFixed(2)} MB (of ${(wasm0 / 1e6).toFixed(1)} MB), JS ${(jsGrown / 1e6).toFixed(2)} MB`,
      );
      expect(wasm0).toBeGreaterThan(0);
      expect(wasmGrown).toBeLessThan(10e6);
      expect(jsGrown).toBeLessThan(10e6);
    } finally {
      await s.close();
    }
  });
});
