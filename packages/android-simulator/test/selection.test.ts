import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFixtures } from '@bert-parity/fixtures';
import { AndroidAdapter } from '@bert-parity/runtime-android';
import { fixtureArtifact } from '@bert-parity/runtime-base/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, EMULATOR_PROPS, FAKE_ADB, type Simulator } from '../src/index.ts';
import { coded } from './helpers.ts';

const fixtures = await buildFixtures();
const float32 = fixtureArtifact(fixtures, 'tflite', 'float32');
let sim: Simulator | undefined;
afterEach(() => sim?.dispose());

function adapterOn(s: Simulator, options: ConstructorParameters<typeof AndroidAdapter>[0] = {}): AndroidAdapter {
  sim = s;
  return new AndroidAdapter({ env: s.env, ...options });
}

describe('device discovery and selection over the fake adb', () => {
  it('no devices: E_DEVICE_NONE from available() and open()', async () => {
    const a = adapterOn(createSimulator({ devices: [] }));
    expect(await a.available()).toEqual({
      ok: false,
      reason:
        'E_DEVICE_NONE: adb devices lists no device; expected one attached phone (USB debugging on) or a running emulator',
    });
    expect(await coded(a.open(float32))).toMatchObject({
      code: 'E_DEVICE_NONE',
      message: 'adb devices lists no device; expected one attached phone (USB debugging on) or a running emulator',
    });
  });

  it.each([
    ['unauthorized', /device R58M is "unauthorized"; expected "device" \(accept the "Allow USB debugging" prompt/],
    ['offline', /device R58M is "offline"; expected "device" \(reconnect the cable/],
  ])('an %s device: E_DEVICE_STATE with the fix', async (state, message) => {
    const a = adapterOn(createSimulator({ devices: [{ serial: 'R58M', state }] }));
    const e = await coded(a.open(float32));
    expect(e.code).toBe('E_DEVICE_STATE');
    expect(e.message).toMatch(message);
  });

  it('several devices: E_DEVICE_SELECT without a serial; ADB_SERIAL picks one and its facts are read', async () => {
    const s = createSimulator({
      devices: [
        { serial: 'emulator-5554' },
        {
          serial: 'R58M',
          props: {
            ...EMULATOR_PROPS,
            'ro.product.model': 'Pixel 7',
            'ro.product.cpu.abi': 'arm64-v8a',
            'ro.kernel.qemu': '0',
          },
        },
      ],
    });
    const e = await coded(adapterOn(s).selectDevice());
    expect(e.code).toBe('E_DEVICE_SELECT');
    expect(e.message).toBe(
      '2 devices are attached (emulator-5554 (device), R58M (device)); expected one, or ADB_SERIAL set to the serial to use',
    );
    const device = await new AndroidAdapter({ env: { ...s.env, ADB_SERIAL: 'R58M' } }).selectDevice();
    expect(await device.facts()).toMatchObject({
      serial: 'R58M',
      model: 'Pixel 7',
      abi: 'arm64-v8a',
      sdk: 34,
      emulator: false,
    });
    const missing = await coded(new AndroidAdapter({ env: s.env, serial: 'nope' }).selectDevice());
    expect(missing.code).toBe('E_DEVICE_SELECT');
    expect(missing.message).toBe(
      'device serial nope (ADB_SERIAL or the serial option) is not attached; attached: emulator-5554 (device), R58M (device)',
    );
  });

  it('adb missing: E_ADB_UNAVAILABLE naming the executable', async () => {
    const a = new AndroidAdapter({ env: { ...process.env, ADB: '/nonexistent/adb' } });
    const e = await coded(a.selectDevice());
    expect(e.code).toBe('E_ADB_UNAVAILABLE');
    expect(e.message).toMatch(/^cannot start adb "\/nonexistent\/adb" \(ENOENT\)/);
  });

  it('finds adb on PATH when ADB is not set', async () => {
    const s = createSimulator();
    sim = s;
    const bin = mkdtempSync(join(tmpdir(), 'bert-parity-bin-'));
    try {
      symlinkSync(FAKE_ADB, join(bin, 'adb'));
      const env: NodeJS.ProcessEnv = { ...s.env, PATH: `${bin}:${process.env.PATH}` };
      delete env.ADB;
      const device = await new AndroidAdapter({ env }).selectDevice();
      expect(device.serial).toBe('emulator-5554');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('a hanging adb is killed after the command timeout: E_DEVICE_TIMEOUT', async () => {
    const s = createSimulator({ inject: { hang: 'devices' } });
    const started = performance.now();
    // 2 s: the fake (a node process) must have started and recorded its pid before it is killed, which
    // takes over 0.5 s on a loaded 2-core machine. The bound below only says the kill came, not how fast.
    const e = await coded(adapterOn(s, { timeouts: { commandMs: 2000 } }).selectDevice());
    expect(e.code).toBe('E_DEVICE_TIMEOUT');
    expect(e.message).toMatch(/adb command ".*fake-adb\.mjs devices -l" did not finish within 2000 ms and was killed/);
    expect(performance.now() - started).toBeLessThan(20_000);
    // The fake records its pid before hanging; the process group must be gone.
    const pid = Number(readFileSync(join(s.root, 'hung.pid'), 'utf8'));
    await new Promise((r) => setTimeout(r, 50));
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('the runner APK missing: E_DEVICE_RUNNER telling how to install it', async () => {
    const s = createSimulator({ devices: [{ serial: 'emulator-5554', runnerInstalled: false }] });
    const e = await coded(adapterOn(s).open(float32));
    expect(e.code).toBe('E_DEVICE_RUNNER');
    expect(e.message).toMatch(
      /the runner is not installed; build and install it: cd android && \.\/gradlew installDebug/,
    );
    // open() cleans the run folder it made.
    expect(existsSync(join(s.root, 'emulator-5554/data/local/tmp/bert-parity'))).toBe(true);
    expect(readdirSync(join(s.root, 'emulator-5554/data/local/tmp/bert-parity'))).toEqual([]);
  });
});
