import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFixtures, sampleInputs } from '@bert-parity/fixtures';
import { AndroidAdapter, type AndroidSession, DEVICE_ROOT, RUNNER_COMPONENT } from '@bert-parity/runtime-android';
import { bertFeeds } from '@bert-parity/runtime-base';
import { bertDrift, fixtureArtifact, worstDrift } from '@bert-parity/runtime-base/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_FEATURES,
  EMULATOR_PROPS,
  findAdb,
  type RealAdbDevice,
  startAdbServer,
  startRealAdbDevice,
} from '../src/index.ts';
import { coded } from './helpers.ts';

/**
 * The adapter through the real adb (client and a private server) against the simulated adbd (src/adbd.ts):
 * what the fake adb imitates, here for real — argv parsing, the server's device list, shell v2 exit statuses, the
 * sync protocol of push/pull, and adb's own wording when the device goes away.
 */
const adb = findAdb();
if (adb === undefined) console.warn('real-adb tests skipped: no adb on PATH (Debian: apt-get install adb)');

const fixtures = await buildFixtures();
const { config } = fixtures;
const float32 = fixtureArtifact(fixtures, 'tflite', 'float32');
const one = sampleInputs(config, 1, 24, 7);

async function waitListed(dev: RealAdbDevice, state: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; ; ) {
    const { stdout } = await dev.server.run(['devices']);
    if (stdout.includes(`${dev.adbd.serial}\t${state}\n`)) return;
    if (Date.now() > deadline) throw new Error(`${dev.adbd.serial} never became ${state}:\n${stdout}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What adbd counted between two snapshots (services opened, sync requests), without the zeros. */
function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const d: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v !== (before[k] ?? 0)) d[k] = v - (before[k] ?? 0);
  return d;
}

describe.skipIf(adb === undefined)('AndroidAdapter through the real adb against the simulated adbd', () => {
  let dev: RealAdbDevice;
  let session: AndroidSession;
  const runDir = () => join(dev.adbd.fs, DEVICE_ROOT);
  const adapter = (options: ConstructorParameters<typeof AndroidAdapter>[0] = {}) =>
    new AndroidAdapter({ env: dev.env, ...options });

  beforeAll(async () => {
    dev = await startRealAdbDevice(EMULATOR_PROPS, { adb: adb as string });
  });
  afterAll(async () => {
    await session?.close();
    await dev?.dispose();
  });

  /** The shared session runs one row within the float32 bound (after a failure: nothing was left broken). */
  async function stillRuns(): Promise<void> {
    expect(worstDrift(bertDrift(await session.run(bertFeeds(one)), fixtures, one))).toBeLessThan(1e-5);
  }

  it('lists the device as adb does for a TCP device, and reads its facts through adb shell getprop', async () => {
    const { stdout } = await dev.server.run(['devices', '-l']);
    expect(stdout).toBe(
      `List of devices attached\n${dev.adbd.serial.padEnd(22)} device product:sdk_gphone64_x86_64 model:sdk_gphone64_x86_64 device:sdk_gphone64_x86_64 transport_id:1\n\n`,
    );
    expect(await adapter().available()).toEqual({ ok: true });
    const facts = await (await adapter().selectDevice()).facts();
    expect(facts).toMatchObject({
      serial: dev.adbd.serial,
      model: 'sdk_gphone64_x86_64',
      abi: 'x86_64',
      sdk: 34,
      emulator: true,
    });
    expect(dev.adbd.serial).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('opens float32 and runs a 3-row batch: within 1e-5 of the float64 reference, in one push/instrument/pull', async () => {
    session = await adapter().open(float32);
    expect(session.environment).toMatchObject({ device: { serial: dev.adbd.serial }, backend: 'xnnpack' });
    const before = dev.adbd.counts();
    const batch = sampleInputs(config, 3, 40, 11);
    const out = await session.run(bertFeeds(batch));
    expect(out.logits?.shape).toEqual([3, config.numLabels]);
    expect(worstDrift(bertDrift(out, fixtures, batch))).toBeLessThan(1e-5);
    // What adb 29 sent for one call: push = STA2 of the folder + SEND per file; pull = STA2, LIS2, RECV per file
    // (request, 3 inputs, result, 3 outputs); each in its own sync: stream, shell commands over shell v2.
    expect(delta(before, dev.adbd.counts())).toEqual({
      'shell:mkdir': 1,
      'shell:instrument': 1,
      sync: 2,
      'sync:STA2': 2,
      'sync:SEND': 4,
      'sync:LIS2': 1,
      'sync:RECV': 8,
      'sync:QUIT': 2,
    });
    // Each call clears the previous call's folder (here: describe); the session folder goes at close.
    const [folder, ...others] = readdirSync(runDir());
    expect(others).toEqual([]);
    expect(readdirSync(join(runDir(), folder as string)).sort()).toEqual(['1', 'model.tflite']);
  });

  it('serves several streams at once: adb shell getprop is answered while am instrument runs', async () => {
    const before = dev.adbd.counts()['shell:instrument'] ?? 0;
    let runDone = 0;
    const running = session.run(bertFeeds(one)).then((out) => {
      runDone = performance.now();
      return out;
    });
    while ((dev.adbd.counts()['shell:instrument'] ?? 0) === before) await new Promise((r) => setTimeout(r, 5));
    const props = await Promise.all([0, 1, 2].map(() => dev.server.run(['-s', dev.adbd.serial, 'shell', 'getprop'])));
    const propsDone = performance.now();
    for (const p of props) expect(p.stdout).toContain('[ro.product.model]: [sdk_gphone64_x86_64]\n');
    expect(worstDrift(bertDrift(await running, fixtures, one))).toBeLessThan(1e-5);
    expect(propsDone).toBeLessThan(runDone);
    expect(dev.adbd.peakStreams).toBeGreaterThanOrEqual(2);
  });

  it('a sync stream that dies: adb reports a protocol fault, which is retried, and the run succeeds', async () => {
    dev.adbd.inject({ dropOn: { service: 'sync', how: 'stream' } });
    await stillRuns();
  });

  it('the device drops off while the inputs are pushed: E_DEVICE_DISCONNECTED with adb\'s "device offline"', async () => {
    // The first push dies with "protocol fault: failed to read stat response" (transient, retried); the retry
    // finds the device offline.
    dev.adbd.inject({ dropOn: { service: 'sync', how: 'transport' } });
    const e = await coded(session.run(bertFeeds(one)));
    expect(e.code).toBe('E_DEVICE_DISCONNECTED');
    expect(e.message).toMatch(
      new RegExp(
        `^the device went away during "${adb} -s ${dev.adbd.serial} push \\S+/request\\.json \\S+/input_0\\.npy \\S+/input_1\\.npy \\S+/input_2\\.npy /data/local/tmp/bert-parity/bp-[^/]+/\\d+/": adb: error: failed to get feature set: device offline$`,
      ),
    );
    expect(await adapter().available()).toEqual({
      ok: false,
      reason: `E_DEVICE_STATE: device ${dev.adbd.serial} is "offline"; expected "device" (reconnect the cable or run \`adb kill-server\` and try again)`,
    });
    // Plugged back in: adb reconnects by itself and the same session goes on.
    dev.adbd.revive();
    await waitListed(dev, 'device');
    await stillRuns();
  });

  it('am instrument ends with no output while the device stays attached: E_DEVICE_RUNNER, the runner said nothing', async () => {
    dev.adbd.inject({ dropOn: { service: 'instrument', how: 'stream' } });
    const e = await coded(session.run(bertFeeds(one)));
    expect(e.code).toBe('E_DEVICE_RUNNER');
    expect(e.message).toBe(
      `runner ${RUNNER_COMPONENT} on ${dev.adbd.serial}: am instrument ended without an INSTRUMENTATION_CODE line; output: (none)`,
    );
    dev.adbd.inject({});
    await stillRuns();
  });

  it('the device drops off during am instrument: adb 29 exits 0 with no output; adb get-state tells it from a silent runner', async () => {
    // adb's shell v2 client treats a stream that ends without an exit packet as exit 0 and prints nothing, so the
    // instrument call alone cannot tell a pulled cable from a runner that said nothing; the adapter asks get-state.
    dev.adbd.inject({ dropOn: { service: 'instrument', how: 'transport' } });
    const e = await coded(session.run(bertFeeds(one)));
    expect(e.code).toBe('E_DEVICE_DISCONNECTED');
    expect(e.message).toBe(
      `the device went away during "am instrument … ${RUNNER_COMPONENT}" (adb ended it with no output); adb get-state: error: device offline`,
    );
    // The next command does see it: "error: device offline" on stderr.
    const next = await coded(session.run(bertFeeds(one)));
    expect(next.code).toBe('E_DEVICE_DISCONNECTED');
    expect(next.message).toMatch(
      new RegExp(
        `^the device went away during "${adb} -s ${dev.adbd.serial} shell rm -rf '/data/local/tmp/bert-parity/bp-[^/]+/\\d+' && mkdir -p '/data/local/tmp/bert-parity/bp-[^/]+/\\d+'": error: device offline$`,
      ),
    );
    dev.adbd.revive();
    await waitListed(dev, 'device');
    await stillRuns();
  });

  it('close removes the run folder on the device', async () => {
    await session.close();
    expect(readdirSync(runDir())).toEqual([]);
  });
});

describe.skipIf(adb === undefined)(
  'a device with shell v2 and stat/ls v2 (Android 8+), and one without (Android 6)',
  () => {
    const cases = [
      ['shell v2, stat_v2, ls_v2', DEFAULT_FEATURES, '"shell,v2,TERM=xterm,raw:', ['STA2', 'LIS2']],
      ['legacy shell, v1 sync', [], '"shell:', ['STAT', 'LIST']],
    ] as const;
    it.each(cases)(
      '%s: the runner missing is E_DEVICE_RUNNER; push and pull of a folder use the sync requests the device speaks',
      async (_, features, shell, [stat, list]) => {
        const services: string[] = [];
        const dev = await startRealAdbDevice(EMULATOR_PROPS, {
          adb: adb as string,
          features,
          runnerInstalled: false,
          log: (line) => {
            if (line.startsWith('< OPEN')) services.push(line);
          },
        });
        const local = mkdtempSync(join(tmpdir(), 'bert-parity-real-adb-'));
        try {
          // am exits 1 over shell v2 (the adapter reads its stderr); legacy shell loses the status (it reads stdout).
          const e = await coded(new AndroidAdapter({ env: dev.env }).open(float32));
          expect(e.code).toBe('E_DEVICE_RUNNER');
          expect(e.message).toBe(
            `runner ${RUNNER_COMPONENT} on ${dev.adbd.serial}: the runner is not installed; build and install it: cd android && ./gradlew installDebug (see docs/device-protocol.md)`,
          );
          expect(services.some((s) => s.includes(shell))).toBe(true);
          expect(readdirSync(join(dev.adbd.fs, DEVICE_ROOT))).toEqual([]);

          // A folder with a subfolder, round trip: what the adapter's push and pull rely on.
          mkdirSync(join(local, 'in'));
          writeFileSync(join(local, 'in/a.json'), '{"a":1}\n');
          writeFileSync(join(local, 'in/b.npy'), Buffer.alloc(150_000, 7)); // more than one 64 KiB DATA chunk
          const run = (...args: string[]) => dev.server.run(['-s', dev.adbd.serial, ...args]);
          const before = dev.adbd.counts();
          expect((await run('shell', "mkdir -p '/data/local/tmp/x/sub'")).code).toBe(0);
          expect(
            (await run('push', join(local, 'in/a.json'), join(local, 'in/b.npy'), '/data/local/tmp/x/')).code,
          ).toBe(0);
          expect((await run('push', join(local, 'in/a.json'), '/data/local/tmp/x/sub/c.json')).code).toBe(0);
          const pulled = await run('pull', '/data/local/tmp/x', join(local, 'out'));
          expect(pulled).toMatchObject({ code: 0, stdout: expect.stringMatching(/: 3 files pulled, 0 skipped\./) });
          expect(readdirSync(join(local, 'out'), { recursive: true }).sort()).toEqual([
            'a.json',
            'b.npy',
            'sub',
            'sub/c.json',
          ]);
          expect(readFileSync(join(local, 'out/b.npy'))).toEqual(readFileSync(join(local, 'in/b.npy')));
          expect(delta(before, dev.adbd.counts())).toEqual({
            'shell:mkdir': 1,
            sync: 3,
            [`sync:${stat}`]: 3,
            'sync:SEND': 3,
            [`sync:${list}`]: 2,
            'sync:RECV': 3,
            'sync:QUIT': 3,
          });
        } finally {
          await dev.dispose();
          rmSync(local, { recursive: true, force: true });
        }
      },
    );
  },
);

describe.skipIf(adb === undefined)('no device connected to the real adb server', () => {
  it('available() says E_DEVICE_NONE; adb devices -l lists nothing', async () => {
    const server = await startAdbServer(adb);
    try {
      expect(await server.run(['devices', '-l'])).toEqual({
        code: 0,
        stdout: 'List of devices attached\n\n',
        stderr: '',
      });
      expect(await new AndroidAdapter({ env: server.env }).available()).toEqual({
        ok: false,
        reason:
          'E_DEVICE_NONE: adb devices lists no device; expected one attached phone (USB debugging on) or a running emulator',
      });
    } finally {
      await server.dispose();
    }
  });
});
