import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNpy, encodeNpy, type NamedTensors, type NpyArray, type Tensor } from '@bert-parity/core';
import { buildFixtures, sampleInputs } from '@bert-parity/fixtures';
import { AndroidAdapter, PROTOCOL, parseResult, RUNNER_COMPONENT } from '@bert-parity/runtime-android';
import { bertFeeds } from '@bert-parity/runtime-base';
import { fixtureArtifact } from '@bert-parity/runtime-base/testing';
import { LiteRtAdapter } from '@bert-parity/runtime-litert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKotlinRunnerSimulator,
  createSimulator,
  EMULATOR_PROPS,
  findAdb,
  type KotlinRunnerSimulator,
  kotlinRunnerMissing,
  startRealAdbDevice,
} from '../src/index.ts';
import { coded } from './helpers.ts';

/**
 * The APK's own code (android/app: ParityInstrumentation, ModelRunner, Npy, Protocol), compiled with the
 * pinned kotlinc against host doubles of the Android and TFLite APIs (android/host) and started by the
 * simulator's `am instrument`. TFLite's numerics come from LiteRT.js behind the Interpreter double, so
 * its outputs must equal LiteRT.js on the host bit for bit: any difference is the runner's doing.
 */
const missing = kotlinRunnerMissing();
if (missing.length > 0) {
  console.warn(`kotlin-runner tests skipped: missing ${missing.join('; ')}`);
}

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const fixtures = await buildFixtures();
const { config } = fixtures;
const batch = sampleInputs(config, 3, 40, 5);

describe.skipIf(missing.length > 0)('the Kotlin runner (android/app) on the JVM, behind the simulated device', () => {
  let sim: KotlinRunnerSimulator;
  beforeAll(async () => {
    sim = await createKotlinRunnerSimulator();
  }, 300_000);
  afterAll(() => sim?.dispose());

  it('compiles with the pinned kotlinc against the doubles, without warnings', () => {
    expect(sim.build.warnings).toEqual([]);
    expect(readdirSync(join(sim.build.classes.runner, 'dev/bertparity/runner')).sort()).toEqual(
      expect.arrayContaining(['ModelRunner.class', 'Npy.class', 'ParityInstrumentation.class', 'Request.class']),
    );
  });

  it('describes the model as the APK does: signature ports, TFLite runtime name, device facts from Build', async () => {
    const session = await new AndroidAdapter({ env: sim.env }).open(fixtureArtifact(fixtures, 'tflite', 'float32'));
    try {
      expect(session.environment).toMatchObject({
        runtime: 'litert-android',
        version: expect.stringMatching(/^\d+\.\d+\.\d+ \(host double\)$/),
        deviceRuntime: 'tensorflow-lite (android)',
        backend: 'xnnpack',
        signature: 'serving_default',
        device: { serial: 'emulator-5554', model: 'sdk_gphone64_x86_64', abi: 'x86_64', sdk: 34 },
      });
      // TFLite's SignatureDef keeps its ports in a std::map, so the Interpreter lists them by name.
      expect(session.inputs.map((s) => [s.name, s.dtype, s.shape])).toEqual([
        ['attention_mask', 'int32', [null, 128]],
        ['input_ids', 'int32', [null, 128]],
        ['token_type_ids', 'int32', [null, 128]],
      ]);
      expect(session.outputs.map((s) => [s.name, s.dtype, s.shape])).toEqual([
        ['last_hidden_state', 'float32', [null, 128, config.hiddenSize]],
        ['logits', 'float32', [null, config.numLabels]],
        ['pooler_output', 'float32', [null, config.hiddenSize]],
      ]);
    } finally {
      await session.close();
    }
  }, 60_000);

  it.each(['float32', 'float16', 'int8'] as const)(
    '%s: a 3-row batch split into rows on the device gives outputs bit-identical to LiteRT.js on the host',
    async (precision) => {
      const artifact = fixtureArtifact(fixtures, 'tflite', precision);
      const feeds = bertFeeds(batch);
      const device = await new AndroidAdapter({ env: sim.env, repeats: 2 }).open(artifact);
      const host = await new LiteRtAdapter().open(artifact);
      let got: NamedTensors;
      let want: NamedTensors;
      try {
        got = await device.run(feeds);
        expect(device.lastDeviceLatencyMs).toHaveLength(2);
        want = await host.run(feeds);
      } finally {
        await device.close();
        await host.close();
      }
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      for (const [name, w] of Object.entries(want)) {
        const g = got[name];
        if (g === undefined) throw new Error(`output ${name} missing`);
        expect(g.shape, name).toEqual(w.shape);
        expect(bytes(g.data).equals(bytes(w.data)), name).toBe(true);
      }
    },
    120_000,
  );

  // The whole host-side stack for real: Debian's adb client and server, the ADB protocol to a simulated adbd,
  // whose am instrument runs the APK's code. Only the Android framework and TFLite's native library are doubles.
  it.skipIf(findAdb() === undefined)(
    'through the real adb and a simulated adbd: float32 outputs bit-identical to LiteRT.js on the host',
    async () => {
      const adb = findAdb() as string;
      const dev = await startRealAdbDevice(EMULATOR_PROPS, { adb, runnerCommand: sim.build.command });
      const artifact = fixtureArtifact(fixtures, 'tflite', 'float32');
      const feeds = bertFeeds(batch);
      try {
        const device = await new AndroidAdapter({ env: dev.env }).open(artifact);
        const host = await new LiteRtAdapter().open(artifact);
        try {
          expect(device.environment).toMatchObject({
            deviceRuntime: 'tensorflow-lite (android)',
            device: { serial: dev.adbd.serial, model: 'sdk_gphone64_x86_64', sdk: 34 },
          });
          const got = await device.run(feeds);
          const want = await host.run(feeds);
          for (const [name, w] of Object.entries(want)) {
            expect(bytes((got[name] as Tensor).data).equals(bytes(w.data)), name).toBe(true);
          }
        } finally {
          await device.close();
          await host.close();
        }
      } finally {
        await dev.dispose();
      }
    },
    60_000,
  );

  it('a model without a SignatureDef binds by tensor position', async () => {
    const artifact = fixtureArtifact(fixtures, 'tflite', 'float32', 'no-signature');
    const feeds = bertFeeds(batch);
    const mapping = {
      inputMapping: { input_ids: 0, attention_mask: 1, token_type_ids: 2 },
      outputMapping: { last_hidden_state: 0, pooler_output: 1, logits: 2 },
    };
    const device = await new AndroidAdapter({ env: sim.env }).open(artifact, mapping);
    const host = await new LiteRtAdapter().open(artifact, mapping);
    try {
      expect(device.environment).toMatchObject({ signature: '<positional>' });
      const got = await device.run(feeds);
      const want = await host.run(feeds);
      for (const [name, w] of Object.entries(want)) {
        expect(Array.from(got[name]?.data as Float32Array), name).toEqual(Array.from(w.data as Float32Array));
      }
    } finally {
      await device.close();
      await host.close();
    }
  }, 60_000);

  it('a model with an unresolved custom op fails at open, as the Interpreter constructor allocates: E_RUNTIME_LOAD', async () => {
    const e = await coded(
      new AndroidAdapter({ env: sim.env }).open(fixtureArtifact(fixtures, 'tflite', 'float32', 'custom-op')),
    );
    expect(e.code).toBe('E_RUNTIME_LOAD');
    expect(e.message).toMatch(
      /^the runner on emulator-5554 \(sdk_gphone64_x86_64, xnnpack\): E_RUNTIME_LOAD: cannot load model\.tflite: .*Encountered unresolved custom op: FastBertNormalize/,
    );
  }, 60_000);

  it('the GPU delegate on a device without GPU support: the runner says E_RUNTIME_UNAVAILABLE', async () => {
    const e = await coded(
      new AndroidAdapter({ env: sim.env }).open(fixtureArtifact(fixtures, 'tflite', 'float32'), { delegate: 'gpu' }),
    );
    expect(e.code).toBe('E_RUNTIME_UNAVAILABLE');
    expect(e.message).toBe(
      'the runner on emulator-5554 (sdk_gphone64_x86_64, gpu): E_RUNTIME_UNAVAILABLE: the GPU delegate does not support this device (sdk_gphone64_x86_64)',
    );
  }, 60_000);

  it('NNAPI on an Android 8.0 device (API 26): the runner says E_RUNTIME_UNAVAILABLE', async () => {
    const old = createSimulator({
      runnerCommand: sim.build.command,
      devices: [
        {
          serial: 'emulator-5556',
          props: { ...EMULATOR_PROPS, 'ro.build.version.sdk': '26', 'ro.build.version.release': '8.0.0' },
        },
      ],
    });
    try {
      const e = await coded(
        new AndroidAdapter({ env: old.env }).open(fixtureArtifact(fixtures, 'tflite', 'float32'), {
          delegate: 'nnapi',
        }),
      );
      expect(e.code).toBe('E_RUNTIME_UNAVAILABLE');
      expect(e.message).toMatch(/: E_RUNTIME_UNAVAILABLE: NNAPI needs API level 27; this device has 26$/);
    } finally {
      old.dispose();
    }
  }, 60_000);

  /** Runs the runner directly on a hand-made run folder, as `am instrument` would; returns am's output. */
  function instrument(request: Record<string, unknown>, inputs: Record<string, NpyArray> = {}) {
    const device = join(sim.root, 'emulator-5554');
    const runDir = `/data/local/tmp/bert-parity/direct-${Math.random().toString(36).slice(2)}`;
    mkdirSync(join(device, runDir), { recursive: true });
    for (const [file, array] of Object.entries(inputs)) writeFileSync(join(device, runDir, file), encodeNpy(array));
    writeFileSync(join(device, runDir, 'request.json'), JSON.stringify(request));
    const [exe = 'java', ...args] = sim.build.command;
    const am = spawnSync(
      exe,
      [...args, join(device, runDir, 'request.json'), device, JSON.stringify(EMULATOR_PROPS), RUNNER_COMPONENT],
      { encoding: 'utf8' },
    );
    return { am: am.stdout, dir: join(device, runDir) };
  }

  const model = '/data/local/tmp/bert-parity/direct-model.tflite';
  const baseRequest = {
    protocol: PROTOCOL,
    runId: 'direct',
    mode: 'run',
    model,
    signature: 'serving_default',
    delegate: 'xnnpack',
    threads: 1,
    repeats: 1,
    rows: 2,
    inputs: [
      { file: 'ids.npy', port: 'input_ids' },
      { file: 'mask.npy', port: 'attention_mask' },
      { file: 'types.npy', port: 'token_type_ids' },
    ],
  };
  const rows = (n: number, fill: number): NpyArray => ({
    dtype: 'int32',
    shape: [n, 128],
    data: new Int32Array(n * 128).fill(fill),
  });

  /** Runs baseRequest on `n` rows; am must report a finished run, whose parsed result.json is returned. */
  function runRows(n: number) {
    const device = join(sim.root, 'emulator-5554');
    writeFileSync(join(device, model), readFileSync(fixtureArtifact(fixtures, 'tflite', 'float32').path));
    const { am, dir } = instrument(baseRequest, {
      'ids.npy': rows(n, 5),
      'mask.npy': rows(n, 1),
      'types.npy': rows(n, 0),
    });
    expect(am).toBe('INSTRUMENTATION_RESULT: status=done\nINSTRUMENTATION_CODE: -1\n');
    const result = parseResult(readFileSync(join(dir, 'result.json'), 'utf8'), baseRequest as never, 'result.json');
    return { dir, result };
  }

  it('writes outputs in the .npy layout numpy writes, byte for byte', () => {
    const { dir, result } = runRows(2);
    expect(result.status).toBe('ok');
    expect(result.outputs).toEqual({
      last_hidden_state: 'output_0.npy',
      logits: 'output_1.npy',
      pooler_output: 'output_2.npy',
    });
    for (const file of Object.values(result.outputs)) {
      const bytes = readFileSync(join(dir, file));
      const array = decodeNpy(bytes, file);
      expect(array.shape[0]).toBe(2);
      // encodeNpy writes what numpy.save writes (checked against numpy in core's tests).
      expect(Buffer.from(encodeNpy(array)).equals(bytes), file).toBe(true);
    }
  });

  it.each([
    ['an unknown key', { ...baseRequest, extra: 1 }, 'request.json: unknown key extra'],
    [
      'another protocol version',
      { ...baseRequest, protocol: 'bert-parity/device@2' },
      'request.json: protocol bert-parity/device@2; expected bert-parity/device@1',
    ],
    [
      'an input file outside the run folder',
      { ...baseRequest, inputs: [{ file: '../x.npy', port: 'input_ids' }] },
      'request.json: inputs[0].file ../x.npy',
    ],
  ])('a request with %s is refused before anything runs (status=failed, no result)', (_, request, message) => {
    const { am, dir } = instrument(request);
    expect(am).toBe(
      `INSTRUMENTATION_RESULT: error=dev.bertparity.runner.RunnerError: ${message}\nINSTRUMENTATION_RESULT: status=failed\nINSTRUMENTATION_CODE: -1\n`,
    );
    expect(readdirSync(dir)).not.toContain('result.json');
  });

  it('inputs with fewer rows than request.rows: result.json carries E_RUNTIME_FEED', () => {
    const { result } = runRows(1);
    expect(result.status).toBe('error');
    expect(result.errors).toEqual([
      { code: 'E_RUNTIME_FEED', message: 'an input has 1 rows; expected 2 (request.rows)' },
    ]);
  });
});
