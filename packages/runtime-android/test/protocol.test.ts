import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '@bert-parity/core';
import { describe, expect, it } from 'vitest';
import {
  type DeviceRequest,
  deviceErrorToParity,
  deviceFacts,
  instrumentationFailure,
  makeRequest,
  parseDevices,
  parseGetprop,
  parseRequest,
  parseResult,
  selectDevice,
} from '../src/index.ts';

const request: DeviceRequest = makeRequest({
  runId: 'bp-1-1',
  mode: 'run',
  model: '/data/local/tmp/bert-parity/bp-1/model.tflite',
  signature: 'serving_default',
  delegate: 'xnnpack',
  threads: 1,
  repeats: 2,
  rows: 1,
  inputs: [{ file: 'input_0.npy', port: 'input_ids' }],
});

const spec = (name: string) => ({ name, dtype: 'float32', shape: [1, 4] });
function okResult(): Record<string, unknown> {
  return {
    protocol: 'bert-parity/device@1',
    runId: 'bp-1-1',
    status: 'ok',
    runtime: { name: 'tflite', version: '2.16.1' },
    delegate: 'xnnpack',
    threads: 1,
    device: { manufacturer: 'Google', model: 'Pixel 7', abi: 'arm64-v8a', sdk: 34, release: '14' },
    model: {
      signature: 'serving_default',
      inputs: [{ ...spec('input_ids'), dtype: 'int32' }],
      outputs: [spec('logits')],
    },
    outputs: { logits: 'output_0.npy' },
    latencyMs: [1.5, 1.25],
    errors: [],
  };
}
const text = (o: unknown) => JSON.stringify(o);

function protocolError(o: unknown): string {
  try {
    parseResult(typeof o === 'string' ? o : text(o), request);
  } catch (e) {
    expect((e as { code: string }).code).toBe('E_DEVICE_PROTOCOL');
    return (e as Error).message;
  }
  throw new Error('expected E_DEVICE_PROTOCOL');
}

describe('device protocol v1', () => {
  it('accepts a complete ok result and keeps every field', () => {
    const r = parseResult(text(okResult()), request);
    expect(r.outputs).toEqual({ logits: 'output_0.npy' });
    expect(r.latencyMs).toEqual([1.5, 1.25]);
    expect(r.device.model).toBe('Pixel 7');
  });

  it.each([
    ['cut short', '{"protocol": ', /is not JSON/],
    ['an unknown key', { ...okResult(), extra: 1 }, /result\.extra is 1; expected no such key/],
    ['a missing key', (({ errors: _, ...o }) => o)(okResult()), /result\.errors is undefined; expected a value/],
    ['another protocol version', { ...okResult(), protocol: 'bert-parity/device@2' }, /protocol versions/],
    ['another run id', { ...okResult(), runId: 'bp-9' }, /result\.runId is "bp-9"; expected "bp-1-1"/],
    [
      'an output file outside the run folder',
      { ...okResult(), outputs: { logits: '../x.npy' } },
      /result\.outputs\.logits is "\.\.\/x\.npy"/,
    ],
    [
      'latency of the wrong type',
      { ...okResult(), latencyMs: 'fast' },
      /result\.latencyMs is "fast"; expected an array/,
    ],
    ['fewer timings than repeats', { ...okResult(), latencyMs: [1] }, /expected 2 timings/],
    ['an output port missing', { ...okResult(), outputs: {} }, /one file per output port: logits/],
    ['status error without errors', { ...okResult(), status: 'error' }, /at least one error/],
    ['an unknown delegate', { ...okResult(), delegate: 'tpu' }, /expected one of xnnpack, cpu, gpu, nnapi/],
    [
      'a negative dimension',
      {
        ...okResult(),
        model: { ...(okResult().model as object), outputs: [{ name: 'x', dtype: 'float32', shape: [-1] }] },
      },
      /shape\[0\] is -1/,
    ],
  ])('rejects %s with E_DEVICE_PROTOCOL naming the field', (_, value, message) => {
    expect(protocolError(value)).toMatch(message);
  });

  it('checks requests both ways: file names stay in the run folder, rows >= 1', () => {
    expect(() => makeRequest({ ...request, inputs: [{ file: '/etc/passwd', port: 0 }] })).toThrow(
      /request\.inputs\[0\]\.file/,
    );
    expect(() => makeRequest({ ...request, rows: 0 })).toThrow(/request\.rows is 0; expected an integer >= 1/);
    expect(parseRequest(text(request))).toEqual(request);
    expect(() => parseRequest(text({ ...request, mode: 'train' }))).toThrow(/request\.mode is "train"/);
  });

  it('keeps a runner error code that is ours, wraps any other as E_DEVICE_RUNNER', () => {
    const failed = (code: string) =>
      parseResult(
        text({ ...okResult(), status: 'error', outputs: {}, latencyMs: [], errors: [{ code, message: 'boom' }] }),
        request,
      );
    const load = deviceErrorToParity(failed('E_RUNTIME_LOAD'), 'Pixel 7');
    expect(load.code).toBe('E_RUNTIME_LOAD');
    expect(load.message).toBe('Pixel 7: E_RUNTIME_LOAD: boom');
    const other = deviceErrorToParity(failed('E_GPU_DRIVER'), 'Pixel 7');
    expect(other.code).toBe('E_DEVICE_RUNNER');
    expect(other.message).toBe('Pixel 7: E_GPU_DRIVER: boom');
  });
});

describe('adb output parsing', () => {
  it('reads adb devices -l with states and descriptors', () => {
    const listed = parseDevices(
      '* daemon started successfully\nList of devices attached\nemulator-5554          device product:sdk_gphone64_x86_64 model:sdk_gphone64_x86_64 transport_id:1\nR58M123\tunauthorized usb:1-1 transport_id:2\n\n',
    );
    expect(listed).toEqual([
      {
        serial: 'emulator-5554',
        state: 'device',
        descriptors: { product: 'sdk_gphone64_x86_64', model: 'sdk_gphone64_x86_64', transport_id: '1' },
      },
      { serial: 'R58M123', state: 'unauthorized', descriptors: { usb: '1-1', transport_id: '2' } },
    ]);
  });

  it('selects the only usable device, the requested serial, or fails with a code', () => {
    const d = (serial: string, state = 'device') => ({ serial, state, descriptors: {} });
    expect(selectDevice([d('a'), d('b', 'offline')], undefined).serial).toBe('a');
    expect(selectDevice([d('a'), d('b')], 'b').serial).toBe('b');
    expect(() => selectDevice([], undefined)).toThrow(
      expect.objectContaining({
        code: 'E_DEVICE_NONE',
        message: 'adb devices lists no device; expected one attached phone (USB debugging on) or a running emulator',
      }),
    );
    expect(() => selectDevice([d('a'), d('b')], undefined)).toThrow(
      expect.objectContaining({
        code: 'E_DEVICE_SELECT',
        message:
          '2 devices are attached (a (device), b (device)); expected one, or ADB_SERIAL set to the serial to use',
      }),
    );
    expect(() => selectDevice([d('a')], 'z')).toThrow(
      expect.objectContaining({
        code: 'E_DEVICE_SELECT',
        message: 'device serial z (ADB_SERIAL or the serial option) is not attached; attached: a (device)',
      }),
    );
    expect(() => selectDevice([d('a', 'unauthorized')], undefined)).toThrow(
      /device a is "unauthorized"; expected "device" \(accept the "Allow USB debugging" prompt/,
    );
  });

  it('reads getprop into device facts', () => {
    const props = parseGetprop(
      '[ro.product.model]: [Pixel 7]\n[ro.product.cpu.abi]: [arm64-v8a]\n[ro.build.version.sdk]: [34]\n[ro.empty]: []\n',
    );
    expect(props).toEqual({
      'ro.product.model': 'Pixel 7',
      'ro.product.cpu.abi': 'arm64-v8a',
      'ro.build.version.sdk': '34',
      'ro.empty': '',
    });
    expect(deviceFacts('x', props)).toMatchObject({
      serial: 'x',
      model: 'Pixel 7',
      abi: 'arm64-v8a',
      sdk: 34,
      emulator: false,
    });
  });

  it('tells a missing runner and a crash from am instrument output', () => {
    expect(
      instrumentationFailure(
        'INSTRUMENTATION_STATUS: Error=Unable to find instrumentation info for: ComponentInfo{x/.Y}',
      ),
    ).toBe(
      'the runner is not installed; build and install it: cd android && ./gradlew installDebug (see docs/device-protocol.md)',
    );
    expect(
      instrumentationFailure(
        'INSTRUMENTATION_RESULT: shortMsg=Process crashed.\nINSTRUMENTATION_RESULT: longMsg=java.lang.OutOfMemoryError\nINSTRUMENTATION_CODE: 0',
      ),
    ).toBe('the runner crashed: java.lang.OutOfMemoryError');
    expect(instrumentationFailure('')).toBe('am instrument ended without an INSTRUMENTATION_CODE line; output: (none)');
    expect(instrumentationFailure('INSTRUMENTATION_RESULT: status=done\nINSTRUMENTATION_CODE: -1')).toBeUndefined();
  });
});

describe('error codes the on-device runner can write', () => {
  const sources = fileURLToPath(new URL('../../../android/app/src/main/kotlin', import.meta.url));
  const kotlin = readdirSync(sources, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.kt'))
    .map((f) => readFileSync(join(sources, f), 'utf8'))
    .join('\n');
  const used = [...new Set([...kotlin.matchAll(/(?:RunnerError|fail)\("(E_[A-Z_]+)"/g)].map((m) => m[1]))].sort();
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/device-protocol.md', import.meta.url)), 'utf8');
  const sentence = /Error codes the runner uses:([\s\S]*?)The host keeps/.exec(doc)?.[1] ?? '';
  const documented = [...sentence.matchAll(/`(E_[A-Z_]+)`/g)].map((m) => m[1]).sort();

  it('are exactly the ones docs/device-protocol.md lists', () => {
    expect(used).toEqual([
      'E_DEVICE_PROTOCOL',
      'E_IO',
      'E_NPY_FORMAT',
      'E_RUNTIME_FEED',
      'E_RUNTIME_LOAD',
      'E_RUNTIME_MAPPING',
      'E_RUNTIME_RUN',
      'E_RUNTIME_UNAVAILABLE',
    ]);
    expect(documented).toEqual(used);
  });

  it('are all codes the host knows, so none is wrapped as E_DEVICE_RUNNER', () => {
    expect(used.filter((code) => !Object.hasOwn(ERROR_CODES, code as string))).toEqual([]);
  });
});
