import { buildFixtures, sampleInputs } from '@bert-parity/fixtures';
import { bertFeeds } from '@bert-parity/runtime-base';
import { bertDrift, coded, fixtureArtifact, gcMemory, worstDrift } from '@bert-parity/runtime-base/testing';
import { describe, expect, it } from 'vitest';
import { loadTfjs, TfjsAdapter } from '../src/index.ts';

const fixtures = await buildFixtures();
const { config } = fixtures;
// tfjs cpu is slow on big batches: few, short inputs.
const inputs = sampleInputs(config, 2, 24, 21);

describe('runtime-tfjs', () => {
  describe.each(['wasm', 'cpu'] as const)('%s backend', (backend) => {
    const adapter = new TfjsAdapter(backend);
    it.each([
      ['float32', 1e-5],
      ['float16', 3e-3],
      ['uint8', 5e-2],
    ] as const)('%s loads from disk and runs within relL2 %d', async (precision, bound) => {
      const s = await adapter.open(fixtureArtifact(fixtures, 'tfjs-graph', precision));
      try {
        expect(s.environment).toMatchObject({
          runtime: 'tfjs',
          version: '4.22.0',
          backend,
          threads: 1,
          simd: backend === 'wasm',
        });
        const out = await s.run(bertFeeds(inputs));
        expect(out.last_hidden_state?.shape).toEqual([2, 24, config.hiddenSize]);
        const d = bertDrift(out, fixtures, inputs);
        expect(worstDrift(d)).toBeLessThan(bound);
        if (precision !== 'float32') expect(d.logits).toBeGreaterThan(1e-4);
      } finally {
        await s.close();
      }
    });
  });

  it('binds by signature key and checks token ids against the vocabulary', async () => {
    const s = await new TfjsAdapter('wasm').open(fixtureArtifact(fixtures, 'tfjs-graph', 'float32'));
    try {
      expect(s.inputs.map((i) => `${i.name}:${i.dtype}`)).toEqual([
        'input_ids:int32',
        'attention_mask:int32',
        'token_type_ids:int32',
      ]);
      expect(s.outputs.map((o) => o.name)).toEqual(['last_hidden_state', 'pooler_output', 'logits']);
      const ids = Int32Array.from(inputs.inputIds);
      ids[30] = config.vocabSize;
      const e = await coded(s.run(bertFeeds({ ...inputs, inputIds: ids })));
      expect(e.code).toBe('E_RUNTIME_TOKEN_RANGE');
      expect(e.message).toMatch(new RegExp(`^input input_ids\\[1, 6\\] = ${config.vocabSize} is outside`));
    } finally {
      await s.close();
    }
  });

  it('one global backend: a session on another backend is refused while one is open', async () => {
    const art = fixtureArtifact(fixtures, 'tfjs-graph', 'float32');
    const a = await new TfjsAdapter('wasm').open(art);
    const b = await new TfjsAdapter('wasm').open(art);
    try {
      const e = await coded(new TfjsAdapter('cpu').open(art));
      expect(e.code).toBe('E_RUNTIME_BACKEND');
      expect(e.message).toBe(
        'tfjs has one global backend and 2 session(s) are open on wasm; close them before opening a session on cpu',
      );
    } finally {
      await a.close();
      await b.close();
    }
    const c = await new TfjsAdapter('wasm').open(art, { backend: 'cpu' });
    expect(c.environment.backend).toBe('cpu');
    await c.close();
  });

  it('node: the optional peer @tensorflow/tfjs-node is absent here, and available() says why', async () => {
    const node = new TfjsAdapter('node');
    const a = await node.available();
    expect(a.ok).toBe(false);
    expect(a.ok ? '' : a.reason).toMatch(
      /^E_RUNTIME_UNAVAILABLE: @tensorflow\/tfjs-node cannot be loaded: .*Cannot find (package|module) '@tensorflow\/tfjs-node'.* \(an optional peer: its install downloads libtensorflow/,
    );
    const e = await coded(node.open(fixtureArtifact(fixtures, 'tfjs-graph', 'float32')));
    expect(e.code).toBe('E_RUNTIME_UNAVAILABLE');
    // The failed open released its claim on the global backend.
    const s = await new TfjsAdapter('cpu').open(fixtureArtifact(fixtures, 'tfjs-graph', 'float32'));
    await s.close();
  });

  it('1,000 runs on wasm leave no tensors behind and grow the wasm and JS heaps by less than 10 MB', async () => {
    const s = await new TfjsAdapter('wasm').open(fixtureArtifact(fixtures, 'tfjs-graph', 'float32'));
    const { tf } = await loadTfjs();
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
    const feeds = bertFeeds(sampleInputs(config, 1, 16, 22));
    try {
      for (let i = 0; i < 20; i++) await s.run(feeds);
      const tensors = tf.memory().numTensors;
      const wasm0 = heap();
      const js0 = gcMemory();
      for (let i = 0; i < 1000; i++) await s.run(feeds);
      const wasmGrown = heap() - wasm0;
      const jsGrown = gcMemory() - js0;
      console.info(
        `tfjs-wasm: 1000 runs, wasm heap ${(wasmGrown / 1e6).toFixed(2)} MB (of ${(wasm0 / 1e6).toFixed(1)} MB), JS ${(jsGrown / 1e6).toFixed(2)} MB`,
      );
      expect(tf.memory().numTensors).toBe(tensors);
      expect(wasmGrown).toBeLessThan(10e6);
      expect(jsGrown).toBeLessThan(10e6);
    } finally {
      await s.close();
    }
    // close() disposed the weights.
    expect(tf.memory().numTensors).toBe(0);
  });
});
