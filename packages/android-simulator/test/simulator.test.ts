import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NamedTensors } from '@bert-parity/core';
import { buildFixtures, sampleInputs } from '@bert-parity/fixtures';
import { AndroidAdapter, type AndroidSession } from '@bert-parity/runtime-android';
import { bertFeeds } from '@bert-parity/runtime-base';
import { bertDrift, fixtureArtifact, worstDrift } from '@bert-parity/runtime-base/testing';
import { LiteRtAdapter } from '@bert-parity/runtime-litert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/index.ts';
import { coded, processGone } from './helpers.ts';

const fixtures = await buildFixtures();
const { config } = fixtures;
const float32 = fixtureArtifact(fixtures, 'tflite', 'float32');
const one = sampleInputs(config, 1, 24, 7);
const feeds = bertFeeds(one);

/**
 * One simulated emulator and one session for the whole file: each failure is injected into the next
 * call only, and the same session must work again afterwards (a failed cell leaves nothing behind).
 */
let sim: Simulator;
let session: AndroidSession;
const runDir = () => join(sim.root, 'emulator-5554/data/local/tmp/bert-parity');

beforeAll(async () => {
  sim = createSimulator();
  // transferMs is short so the hanging-pull test is quick; a pull of these files takes ~0.1 s.
  session = await new AndroidAdapter({ env: sim.env, repeats: 2, retries: 2, timeouts: { transferMs: 1500 } }).open(
    float32,
  );
});
afterAll(async () => {
  await session?.close();
  sim?.dispose();
});

async function stillWorks(): Promise<void> {
  sim.inject({});
  const out = await session.run(feeds);
  expect(worstDrift(bertDrift(out, fixtures, one))).toBeLessThan(1e-5);
}

describe('AndroidAdapter over the simulator (fake adb + LiteRT.js runner)', () => {
  it('describes the model at open: device ports, runtime, delegate and device facts', () => {
    expect(session.environment).toMatchObject({
      runtime: 'litert-android',
      version: '2.5.3',
      backend: 'xnnpack',
      threads: 1,
      deviceRuntime: 'litert.js (simulator)',
      signature: 'serving_default',
      protocol: 'bert-parity/device@1',
      device: { serial: 'emulator-5554', model: 'sdk_gphone64_x86_64', abi: 'x86_64', sdk: 34, emulator: true },
    });
    // The runner splits batches on the device, so the fixed batch of 1 is open; 128 stays fixed.
    expect(session.inputs.map((s) => [s.name, s.dtype, s.shape])).toEqual([
      ['input_ids', 'int32', [null, 128]],
      ['attention_mask', 'int32', [null, 128]],
      ['token_type_ids', 'int32', [null, 128]],
    ]);
    expect(session.outputs.map((s) => s.name)).toEqual(['last_hidden_state', 'pooler_output', 'logits']);
  });

  it('runs padded batches in one round trip and matches the float64 reference like LiteRT.js on the host', async () => {
    const before = sim.counts().instrument ?? 0;
    const batch = sampleInputs(config, 3, 40, 11);
    const out = await session.run(bertFeeds(batch));
    expect(out.last_hidden_state?.shape).toEqual([3, 40, config.hiddenSize]);
    expect(out.logits?.shape).toEqual([3, config.numLabels]);
    expect(worstDrift(bertDrift(out, fixtures, batch))).toBeLessThan(1e-5);
    expect((sim.counts().instrument ?? 0) - before).toBe(1);
    expect(session.lastDeviceLatencyMs).toHaveLength(2);
    // Each call clears the previous call's folder (here: describe); the session folder goes at close.
    const [folder, ...others] = readdirSync(runDir());
    expect(others).toEqual([]);
    expect(readdirSync(join(runDir(), folder as string)).sort()).toEqual(['1', 'model.tflite']);
  });

  it('a device that disconnects after the inputs are pushed: E_DEVICE_DISCONNECTED, then the session recovers', async () => {
    sim.inject({ disconnectAfter: { command: 'push', count: 1 } });
    const e = await coded(session.run(feeds));
    expect(e.code).toBe('E_DEVICE_DISCONNECTED');
    expect(e.message).toMatch(
      /^the device went away during ".* -s emulator-5554 shell am instrument .*": adb: device 'emulator-5554' not found$/,
    );
    await stillWorks();
  });

  it('a pull that hangs is killed after the transfer timeout: E_DEVICE_TIMEOUT', async () => {
    sim.inject({ hang: 'pull' });
    const e = await coded(session.run(feeds));
    expect(e.code).toBe('E_DEVICE_TIMEOUT');
    expect(e.message).toMatch(
      /pull \/data\/local\/tmp\/bert-parity\/bp-[^/]+\/\d+ .* did not finish within 1500 ms and was killed$/,
    );
  });

  it('an output file the runner did not write: E_DEVICE_PROTOCOL naming the output', async () => {
    sim.inject({ missingOutput: 'logits' });
    const e = await coded(session.run(feeds));
    expect(e.code).toBe('E_DEVICE_PROTOCOL');
    expect(e.message).toMatch(
      /^output logits file \/data\/local\/tmp\/bert-parity\/bp-[^/]+\/\d+\/output_2\.npy is missing on device emulator-5554; expected the runner to have written it$/,
    );
  });

  it.each([
    ['not-json', /^result\.json of run bp-.* is not JSON/],
    ['bad-schema', /^result\.json of run bp-.*: result\.latencyMs is "fast"; expected an array$/],
  ] as const)('a malformed result.json (%s): E_DEVICE_PROTOCOL', async (malformedResult, message) => {
    sim.inject({ malformedResult });
    const e = await coded(session.run(feeds));
    expect(e.code).toBe('E_DEVICE_PROTOCOL');
    expect(e.message).toMatch(message);
  });

  it('adb failing with stderr: E_DEVICE_COMMAND carrying it; transient transport errors are retried', async () => {
    sim.inject({
      fail: {
        command: 'push',
        exit: 1,
        stderr: "adb: error: failed to copy 'input_0.npy': remote No space left on device",
      },
    });
    const e = await coded(session.run(feeds));
    expect(e.code).toBe('E_DEVICE_COMMAND');
    expect(e.message).toMatch(
      /push .* failed with exit code 1: adb: error: failed to copy 'input_0\.npy': remote No space left on device$/,
    );
    // "error: closed" twice, then fine: two retries are allowed, so the run succeeds.
    sim.inject({ fail: { command: 'mkdir', stderr: 'error: closed', times: 2 } });
    const out: NamedTensors = await session.run(feeds);
    expect(worstDrift(bertDrift(out, fixtures, one))).toBeLessThan(1e-5);
    // Three in a row exceed the bound.
    sim.inject({ fail: { command: 'mkdir', stderr: 'error: closed', times: 3 } });
    const e3 = await coded(session.run(feeds));
    expect(e3.code).toBe('E_DEVICE_COMMAND');
    expect(e3.message).toMatch(/failed with exit code 1: error: closed$/);
  });

  it.each([
    ['a process death', 'process', 'Process crashed.'],
    [
      'an uncaught exception',
      { exception: 'java.lang.OutOfMemoryError', message: 'Failed to allocate a 536870928 byte allocation' },
      'java.lang.OutOfMemoryError: Failed to allocate a 536870928 byte allocation',
    ],
  ] as const)(
    'a runner crash (%s) in am instrument: E_DEVICE_RUNNER with what am reported',
    async (_, runnerCrash, said) => {
      sim.inject({ runnerCrash });
      const e = await coded(session.run(feeds));
      expect(e.code).toBe('E_DEVICE_RUNNER');
      expect(e.message).toBe(
        `runner dev.bertparity.runner/.ParityInstrumentation on emulator-5554: the runner crashed: ${said}`,
      );
      expect(e.details).toMatchObject({
        serial: 'emulator-5554',
        output: expect.stringMatching(/INSTRUMENTATION_CODE: 0\n$/),
      });
      // The host stops at am's answer: nothing is pulled from a run that has no result.
      expect(sim.counts()).toMatchObject({ instrument: 1 });
      expect(sim.counts()).not.toHaveProperty('pull');
      await stillWorks();
    },
  );

  it('a GPU delegate the device rejects: E_RUNTIME_UNAVAILABLE at open, naming the delegate; nothing is left behind', async () => {
    sim.inject({});
    const before = readdirSync(runDir());
    const e = await coded(new AndroidAdapter({ env: sim.env }).open(float32, { delegate: 'gpu' }));
    expect(e.code).toBe('E_RUNTIME_UNAVAILABLE');
    expect(e.message).toBe(
      'the runner on emulator-5554 (sdk_gphone64_x86_64, gpu): E_RUNTIME_UNAVAILABLE: delegate gpu is not available in the simulator (LiteRT.js wasm only); expected xnnpack or cpu',
    );
    expect(e.details).toMatchObject({ delegate: 'gpu' });
    expect(readdirSync(runDir())).toEqual(before);
  });

  it('an error the device runtime reports keeps its code: an unresolved custom op is E_RUNTIME_OP', async () => {
    sim.inject({});
    const adapter = new AndroidAdapter({ env: sim.env });
    const custom = await adapter.open(fixtureArtifact(fixtures, 'tflite', 'float32', 'custom-op'));
    try {
      const e = await coded(custom.run(feeds));
      expect(e.code).toBe('E_RUNTIME_OP');
      expect(e.message).toMatch(
        /^the runner on emulator-5554 \(sdk_gphone64_x86_64, xnnpack\): E_RUNTIME_OP: .*FastBertNormalize/,
      );
    } finally {
      await custom.close();
    }
  });

  it('in a matrix, the errored android cell does not stop the host cells', async () => {
    const host = new LiteRtAdapter();
    const cells = [
      { id: 'tflite-float32@litert/android', open: () => new AndroidAdapter({ env: sim.env }).open(float32) },
      { id: 'tflite-float32@litert/host', open: () => host.open(float32) },
    ];
    sim.inject({ disconnectAfter: { command: 'push', count: 2 } }); // model and describe pushed, then gone
    const results: Record<string, string> = {};
    for (const cell of cells) {
      try {
        const s = await cell.open();
        try {
          results[cell.id] = worstDrift(bertDrift(await s.run(feeds), fixtures, one)) < 1e-5 ? 'pass' : 'fail';
        } finally {
          await s.close();
        }
      } catch (e) {
        results[cell.id] = `error ${(e as { code?: string }).code}`;
      }
    }
    expect(results).toEqual({
      'tflite-float32@litert/android': 'error E_DEVICE_DISCONNECTED',
      'tflite-float32@litert/host': 'pass',
    });
    sim.inject({});
  });

  // Last: a timed-out open leaves its run folder on the device (the adapter sends a stuck device nothing more).
  it('a runner that hangs in am instrument: adb is killed after runMs (E_DEVICE_TIMEOUT), the app is force-stopped, a fresh session works', async () => {
    sim.inject({ runnerHangs: true });
    const started = performance.now();
    const e = await coded(new AndroidAdapter({ env: sim.env, timeouts: { runMs: 1000 } }).open(float32));
    expect(e.code).toBe('E_DEVICE_TIMEOUT');
    expect(e.message).toMatch(
      /^adb command ".*fake-adb\.mjs -s emulator-5554 shell am instrument -w -e request '\/data\/local\/tmp\/bert-parity\/bp-[^/]+\/describe\/request\.json' dev\.bertparity\.runner\/\.ParityInstrumentation" did not finish within 1000 ms and was killed; the runner app was force-stopped on the device$/,
    );
    expect(e.details?.forceStopped).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
    // Killing the process group ended the fake adb; the runner, outside it as on a device, ended only
    // because the adapter force-stopped the app.
    expect(sim.counts()['force-stop']).toBe(1);
    for (const file of ['hung.pid', 'runner.pid']) {
      const pid = Number(readFileSync(join(sim.root, file), 'utf8'));
      expect(await processGone(pid), `${file}: pid ${pid} still running`).toBe(true);
    }
    sim.inject({});
    const fresh = await new AndroidAdapter({ env: sim.env }).open(float32);
    try {
      expect(worstDrift(bertDrift(await fresh.run(feeds), fixtures, one))).toBeLessThan(1e-5);
    } finally {
      await fresh.close();
    }
  });
});
