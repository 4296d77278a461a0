import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelArtifact } from '@bert-parity/core';
import { buildFixtures, sampleInputs } from '@bert-parity/fixtures';
import { loadModelSync } from '@bert-parity/models';
import { bertFeeds } from '@bert-parity/runtime-base';
import { bertDrift, coded, fixtureArtifact, worstDrift } from '@bert-parity/runtime-base/testing';
import { LiteRtAdapter } from '@bert-parity/runtime-litert';
import { afterAll, describe, expect, it } from 'vitest';
import { BrowserRunner } from '../src/index.ts';
import {
  chromiumMissing,
  chromiumProcesses,
  FAULT_RUNTIMES,
  faultModels,
  OUTBOUND_URL,
  SMALL_HEAP_ARGS,
} from '../testing/index.ts';

const missing = chromiumMissing();
if (missing !== '') console.warn(`browser runtime tests skipped: ${missing}`);

const fixtures = await buildFixtures();
const { config } = fixtures;
const inputs = sampleInputs(config, 2, 128, 11);
const feeds = bertFeeds(inputs);
const bytesOf = (d: ArrayBufferView | undefined) =>
  d === undefined ? Buffer.alloc(0) : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
const onnx32 = () => fixtureArtifact(fixtures, 'onnx', 'float32');

describe.skipIf(missing !== '')('the browser runtimes in headless Chromium', () => {
  const runner = new BrowserRunner();
  afterAll(() => runner.close());

  it('each runtime names the browser, the library that ran and its backend', async () => {
    const cases: [string, ModelArtifact, Record<string, unknown>][] = [
      ['onnx-web', onnx32(), { runtime: 'onnxruntime-web', version: '1.30.0', backend: 'wasm', simd: true }],
      [
        'tfjs-webgl',
        fixtureArtifact(fixtures, 'tfjs-graph', 'float32'),
        {
          runtime: '@tensorflow/tfjs-core',
          version: '4.22.0',
          backend: 'webgl',
          WEBGL_VERSION: 2,
          WEBGL_RENDER_FLOAT32_ENABLED: true,
          WEBGL_FORCE_F16_TEXTURES: false,
        },
      ],
      [
        'tfjs-wasm',
        fixtureArtifact(fixtures, 'tfjs-graph', 'float32'),
        { runtime: '@tensorflow/tfjs-core', backend: 'wasm', simd: true, xnnpack: true },
      ],
      [
        'litert',
        fixtureArtifact(fixtures, 'tflite', 'float32'),
        { runtime: '@litertjs/core', version: '2.5.3', backend: 'wasm', accelerator: 'wasm (XNNPACK)', threads: 1 },
      ],
    ];
    for (const [name, artifact, expected] of cases) {
      const s = await runner.adapter(name).open(artifact);
      try {
        expect(s.environment).toMatchObject({
          ...expected,
          platform: 'browser',
          browser: expect.stringMatching(/^Chromium \d+\.\d+\.\d+\.\d+$/),
          crossOriginIsolated: true,
          jsFlags: '--liftoff-only',
        });
        expect(worstDrift(bertDrift(await s.run(feeds), fixtures, inputs))).toBeLessThan(1e-5);
      } finally {
        await s.close();
      }
    }
  }, 300_000);

  it("V8's optimizing compiler gives the same bits as the Liftoff-only default (so the default loses no fidelity)", async () => {
    // --no-liftoff: every wasm function compiled by TurboFan, V8's optimizing compiler; the default never uses it.
    const optimizing = new BrowserRunner({ args: ['--js-flags=--no-liftoff'] });
    try {
      for (const [name, artifact] of [
        ['onnx-web', onnx32()],
        ['litert', fixtureArtifact(fixtures, 'tflite', 'float32')],
      ] as const) {
        const outputs = [];
        for (const r of [runner, optimizing]) {
          const s = await r.adapter(name).open(artifact);
          try {
            outputs.push({ flags: s.environment.jsFlags, out: await s.run(feeds) });
          } finally {
            await s.close();
          }
        }
        const [liftoff, turbofan] = outputs as [(typeof outputs)[0], (typeof outputs)[0]];
        expect([liftoff.flags, turbofan.flags]).toEqual(['--liftoff-only', '--no-liftoff']);
        expect(Object.keys(turbofan.out).sort()).toEqual(Object.keys(liftoff.out).sort());
        for (const [output, t] of Object.entries(liftoff.out)) {
          const other = turbofan.out[output];
          expect(other?.shape, `${name} ${output}`).toEqual(t.shape);
          expect(bytesOf(other?.data).equals(bytesOf(t.data)), `${name} ${output}`).toBe(true);
        }
      }
    } finally {
      await optimizing.close();
    }
  }, 300_000);

  it('tfjs-webgl says which renderer drew: ANGLE on SwiftShader where there is no GPU', async () => {
    const s = await runner.adapter('tfjs-webgl').open(fixtureArtifact(fixtures, 'tfjs-graph', 'float32'));
    await s.close();
    // Debian's Chromium on this machine; a GPU machine names its GPU here instead.
    expect(String(s.environment.renderer)).toMatch(/SwiftShader/);
  }, 120_000);

  it('a float16 WebGL path in a float32 check fails its bounds by far: ids over 2048 lose their value in half-float textures', async () => {
    const art = fixtureArtifact(fixtures, 'tfjs-graph', 'float32');
    // WEBGL_FORCE_F16_TEXTURES: what TF.js does on GPUs without float32 render targets (many phones).
    const s = await runner.adapter('tfjs-webgl').open(art, { flags: { WEBGL_FORCE_F16_TEXTURES: true } });
    try {
      expect(s.environment).toMatchObject({ WEBGL_FORCE_F16_TEXTURES: true, WEBGL_RENDER_FLOAT32_ENABLED: false });
      // The fixture's vocabulary has 29,357 ids; float16 holds integers exactly only up to 2048, so most
      // tokens gather another embedding row. Measured: relL2 0.94 / 0.87 / 0.78.
      const all = bertDrift(await s.run(feeds), fixtures, inputs);
      expect(all.last_hidden_state).toBeGreaterThan(0.5);
      expect(all.logits).toBeGreaterThan(0.5);
      // With every id below 2048 only the float16 arithmetic remains, still ~100x over the float32 bound
      // (1e-5): measured 1.3e-3 / 1.5e-3 / 2.5e-3.
      const small = { ...inputs, inputIds: Int32Array.from(inputs.inputIds, (v) => v % 2048) };
      const f16 = bertDrift(await s.run(bertFeeds(small)), fixtures, small);
      for (const d of Object.values(f16)) {
        expect(d).toBeGreaterThan(5e-4);
        expect(d).toBeLessThan(1e-2);
      }
    } finally {
      await s.close();
    }
    // WEBGL_RENDER_FLOAT32_ENABLED false is the same path by another door.
    const off = await runner.adapter('tfjs-webgl').open(art, { flags: { WEBGL_RENDER_FLOAT32_ENABLED: false } });
    try {
      expect(worstDrift(bertDrift(await off.run(feeds), fixtures, inputs))).toBeGreaterThan(0.5);
    } finally {
      await off.close();
    }
  }, 300_000);

  it('LiteRT.js in the page: an unresolved custom op writes to console.error only, and the run fails with E_RUNTIME_OP, as on the host', async () => {
    const model = fixtureArtifact(fixtures, 'tflite', 'float32', 'custom-op');
    const custom = bertFeeds(sampleInputs(config, 1, 128, 34));
    const onHost = await new LiteRtAdapter().open(model);
    const hostError = await coded(onHost.run(custom)).finally(() => onHost.close());
    const s = await runner.adapter('litert').open(model);
    try {
      const e = await coded(s.run(custom));
      expect(e.code).toBe('E_RUNTIME_OP');
      expect(e.details?.log).toEqual(hostError.details?.log);
      expect(e.details?.log).toContain('ERROR: Encountered unresolved custom op: FastBertNormalize.');
    } finally {
      await s.close();
    }
  }, 120_000);

  it('the feeds are checked on the Node side as on the host (BaseSession): a token id past the table never reaches the page', async () => {
    const s = await runner.adapter('onnx-web').open(onnx32());
    try {
      const ids = Int32Array.from(inputs.inputIds);
      ids[5] = config.vocabSize;
      const e = await coded(s.run(bertFeeds({ ...inputs, inputIds: ids })));
      expect(e.code).toBe('E_RUNTIME_TOKEN_RANGE');
      expect(e.message).toBe(
        `input input_ids[0, 5] = ${config.vocabSize} is outside the embedding table; expected 0 <= id < ${config.vocabSize} (the model's vocabulary size)`,
      );
      const wrong = await coded(s.run({ input_ids: feeds.input_ids as never }));
      expect(wrong.code).toBe('E_RUNTIME_FEED');
    } finally {
      await s.close();
    }
  }, 120_000);

  it('warm() loads a page ahead for the runtime and settings asked; the first session takes it, the next reuses it, other settings get a fresh one', async () => {
    const ahead = new BrowserRunner();
    try {
      await ahead.warm([
        { runtime: 'litert', options: {} },
        { runtime: 'litert', options: {} },
      ]);
      const tflite = fixtureArtifact(fixtures, 'tflite', 'float32');
      const pageOf = async (options: { threads?: number }) => {
        const s = await ahead.adapter('litert').open(tflite, options);
        try {
          expect(worstDrift(bertDrift(await s.run(feeds), fixtures, inputs))).toBeLessThan(1e-5);
          return s.environment.page;
        } finally {
          await s.close();
        }
      };
      expect(await pageOf({})).toBe('loaded ahead');
      expect(await pageOf({})).toBe('reused');
      expect(await pageOf({ threads: 2 })).toBe('fresh');
    } finally {
      await ahead.close();
    }
  }, 120_000);

  it('a format the runtime does not run is E_RUNTIME_FORMAT before any page opens', async () => {
    const e = await coded(runner.adapter('litert').open(onnx32()));
    expect(e.code).toBe('E_RUNTIME_FORMAT');
    expect(e.message).toBe(`litert cannot run ${onnx32().path}: its format is onnx; expected one of tflite`);
    expect((await coded(runner.adapter('tfjs-cpu').open(onnx32()))).message).toBe(
      'the browser platform has no runtime tfjs-cpu; expected one of onnx-web, onnx-webgpu, tfjs-webgl, tfjs-wasm, transformers, litert',
    );
  });
});

describe.skipIf(missing !== '')('WebGPU (onnx-webgpu)', () => {
  it("runs on the adapter headless Chromium offers (SwiftShader's fallback here) within the float32 bound", async () => {
    const runner = new BrowserRunner();
    try {
      const s = await runner.adapter('onnx-webgpu').open(onnx32());
      try {
        expect(s.environment).toMatchObject({ runtime: 'onnxruntime-web', backend: 'webgpu' });
        // On this machine: "google swiftshader", a fallback adapter; a GPU machine names its GPU.
        expect(typeof s.environment.webgpuAdapter).toBe('string');
        expect(typeof s.environment.fallbackAdapter).toBe('boolean');
        expect(worstDrift(bertDrift(await s.run(feeds), fixtures, inputs))).toBeLessThan(1e-5);
      } finally {
        await s.close();
      }
    } finally {
      await runner.close();
    }
  }, 300_000);

  it('without an adapter (no GPU, software rendering off) the runtime is E_RUNTIME_UNAVAILABLE saying so; so is WebGL', async () => {
    const runner = new BrowserRunner({ args: ['--disable-gpu', '--disable-software-rasterizer'] });
    try {
      const e = await coded(runner.adapter('onnx-webgpu').open(onnx32()));
      expect(e.code).toBe('E_RUNTIME_UNAVAILABLE');
      expect(e.message).toBe(
        'onnx-webgpu in the browser: navigator.gpu.requestAdapter() returned null: the browser offers no WebGPU adapter here (no GPU, and no software fallback)',
      );
      const gl = await coded(runner.adapter('tfjs-webgl').open(fixtureArtifact(fixtures, 'tfjs-graph', 'float32')));
      expect(gl.code).toBe('E_RUNTIME_UNAVAILABLE');
      expect(gl.message).toMatch(/^tfjs-webgl in the browser: tfjs backend webgl /);
    } finally {
      await runner.close();
    }
  }, 180_000);
});

describe.skipIf(missing !== '')('browser failures are coded, and the next session gets a fresh page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bp-faults-'));
  const [ok, hang, crash, fetching] = faultModels(onnx32().path, dir, ['ok-1', 'hang-1', 'crash-1', 'fetch-1']);
  const runner = new BrowserRunner({ runtimeModules: [FAULT_RUNTIMES], args: SMALL_HEAP_ARGS, timeoutMs: 20_000 });
  afterAll(() => runner.close());
  const art = (file: string | undefined) => loadModelSync(file as string);
  const stillRuns = async () => {
    const s = await runner.adapter('onnx-web').open(art(ok));
    try {
      expect(worstDrift(bertDrift(await s.run(feeds), fixtures, inputs))).toBeLessThan(1e-5);
    } finally {
      await s.close();
    }
  };

  it('a hang: E_BROWSER_TIMEOUT after the time limit, the page is closed', async () => {
    const s = await runner.adapter('onnx-web').open(art(hang));
    const t0 = performance.now();
    const e = await coded(s.run(feeds));
    expect(e.code).toBe('E_BROWSER_TIMEOUT');
    expect(e.message).toBe(
      'onnx-web in the browser: run did not finish within 20000 ms; the page was closed (BERT_PARITY_BROWSER_TIMEOUT_MS sets the limit)',
    );
    expect(performance.now() - t0).toBeLessThan(40_000);
    // The session is dead: the same error again, at once.
    expect((await coded(s.run(feeds))).code).toBe('E_BROWSER_TIMEOUT');
    await s.close();
    await stillRuns();
  }, 180_000);

  it('a page crash (the renderer runs out of memory): E_BROWSER_CRASH', async () => {
    const s = await runner.adapter('onnx-web').open(art(crash));
    const e = await coded(s.run(feeds));
    expect(e.code).toBe('E_BROWSER_CRASH');
    expect(e.message).toMatch(/^onnx-web in the browser: the page crashed \(its renderer process died\)/);
    await s.close();
    await stillRuns();
  }, 180_000);

  it('an outbound request: E_RUNTIME_NETWORK naming the URL, refused by the loopback server', async () => {
    const e = await coded(runner.adapter('onnx-web').open(art(fetching)));
    expect(e.code).toBe('E_RUNTIME_NETWORK');
    expect(e.message).toBe(
      `onnx-web in the browser: the page tried to reach ${OUTBOUND_URL}; the browser platform serves everything from its loopback server and blocks every other request`,
    );
    expect(e.details?.urls).toEqual([OUTBOUND_URL]);
    await stillRuns();
  }, 180_000);

  it('the browser itself dies between sessions: the next session starts it again', async () => {
    await stillRuns();
    const leaders = new Set(chromiumProcesses().map((p) => p.pgid));
    expect(leaders.size).toBe(1);
    for (const pgid of leaders) process.kill(pgid, 'SIGKILL');
    await stillRuns();
    expect(new Set(chromiumProcesses().map((p) => p.pgid))).not.toEqual(leaders);
  }, 180_000);

  it("a runtime that fails to load in the page: E_RUNTIME_UNAVAILABLE with the browser's reason (warmed ahead or not)", async () => {
    // A page warm() could not load is dropped; the session that would have used it meets the failure itself.
    await runner.warm([
      { runtime: 'broken', options: {} },
      { runtime: 'no-such-runtime', options: {} },
    ]);
    const e = await coded(runner.adapter('broken').open(onnx32()));
    expect(e.code).toBe('E_RUNTIME_UNAVAILABLE');
    expect(e.message).toMatch(
      /^broken in the browser: the runtime failed to load in the page: TypeError: Failed to fetch dynamically imported module: http:\/\/127\.0\.0\.1:\d+\/harness\/broken\.js/,
    );
    await stillRuns();
  }, 180_000);
});

describe('no browser', () => {
  it('E_PLATFORM_UNAVAILABLE saying how to install one, for every session; nothing is left running', async () => {
    const runner = new BrowserRunner({ executablePath: '/nonexistent/chromium' });
    const e = await coded(runner.adapter('onnx-web').open(onnx32()));
    expect(e.code).toBe('E_PLATFORM_UNAVAILABLE');
    expect(e.message).toBe(
      'platform browser needs Chromium, and /nonexistent/chromium does not exist; install one with `apt-get install chromium` (Debian/Ubuntu), or set BERT_PARITY_CHROMIUM to a Chromium-based browser such as /usr/bin/google-chrome',
    );
    expect((await coded(runner.adapter('litert').open(fixtureArtifact(fixtures, 'tflite', 'float32')))).code).toBe(
      'E_PLATFORM_UNAVAILABLE',
    );
    expect(await runner.adapter('onnx-web').available()).toEqual({ ok: false, reason: e.toString() });
    await runner.close();
  });
});
