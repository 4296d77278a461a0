import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKotlinRunnerSimulator, createSimulator, kotlinRunnerMissing } from '@bert-parity/android-simulator';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { REPO_ROOT } from '../src/paths.ts';
import type { ModelCell, ParityReport } from '../src/report/types.ts';

/** `bert-parity check` with the android platform on the simulated device (fake adb + LiteRT.js runner). */
const dir = mkdtempSync(join(tmpdir(), 'bp-android-'));
const sim = createSimulator();
afterAll(() => {
  sim.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const config = join(dir, 'config.json');
writeFileSync(
  config,
  JSON.stringify({
    variants: [{ fixture: 'tflite-float32' }],
    runtimes: [{ name: 'litert' }],
    platforms: ['host', 'android'],
    inputs: { corpus: resolve(REPO_ROOT, 'golden/corpus.dev.jsonl'), count: 2, maxSeqLength: 32 },
    tokenizer: { vocab: resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt') },
    bounds: { float32: { '*': { relL2: 1e-5 } } },
    latencyRuns: 0,
  }),
);

async function check(json: string): Promise<{ code: number; report: ParityReport }> {
  vi.stubEnv('ADB', sim.env.ADB);
  vi.stubEnv('FAKE_ADB_CONFIG', sim.env.FAKE_ADB_CONFIG);
  vi.stubEnv('ADB_SERIAL', '');
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(['check', '--config', config, '--json', json]);
    return { code, report: JSON.parse(readFileSync(json, 'utf8')) as ParityReport };
  } finally {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  }
}

const summary = (r: ParityReport) =>
  r.cells.map((c) => `${c.id} ${c.status}${c.status === 'error' ? ` ${(c as ModelCell).error?.code}` : ''}`);

describe('bert-parity check --platform android (simulated device)', () => {
  it('runs the TFLite cell on the device within the float32 bound, beside the host cell', async () => {
    const { code, report } = await check(join(dir, 'pass.json'));
    expect(summary(report)).toEqual(['tflite-float32@litert/host pass', 'tflite-float32@litert/android pass']);
    expect(code).toBe(0);
    const android = report.cells[1] as ModelCell;
    expect(android.environment).toMatchObject({
      runtime: 'litert-android',
      backend: 'xnnpack',
      device: { abi: 'x86_64' },
    });
  });

  it('a device that disconnects mid-run errors its cell with E_DEVICE_DISCONNECTED; the host cell still passes', async () => {
    sim.inject({ disconnectAfter: { command: 'push', count: 2 } });
    const { code, report } = await check(join(dir, 'gone.json'));
    expect(summary(report)).toEqual([
      'tflite-float32@litert/host pass',
      'tflite-float32@litert/android error E_DEVICE_DISCONNECTED',
    ]);
    expect(code).toBe(2);
    sim.inject({});
  });
});

/**
 * What .github/workflows/android.yml runs on the emulator, run here against the APK's own Kotlin code on
 * the JVM (runtime-android's kotlin-runner: host doubles of the Android and TFLite APIs, TFLite numerics
 * from LiteRT.js): the three TFLite fixtures load, bind their signatures and stay within their bounds.
 */
const kotlinMissing = kotlinRunnerMissing();
if (kotlinMissing.length > 0) console.warn(`Kotlin runner check skipped: missing ${kotlinMissing.join('; ')}`);

describe.skipIf(kotlinMissing.length > 0)('the android workflow check, with the Kotlin runner on the JVM', () => {
  it('bert-parity check --config android/parity.android.json --platform android: every cell passes', async () => {
    const device = await createKotlinRunnerSimulator();
    vi.stubEnv('ADB', device.env.ADB);
    vi.stubEnv('FAKE_ADB_CONFIG', device.env.FAKE_ADB_CONFIG);
    vi.stubEnv('ADB_SERIAL', '');
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const json = join(dir, 'kotlin.json');
    try {
      const code = await main([
        'check',
        '--config',
        resolve(REPO_ROOT, 'android/parity.android.json'),
        '--platform',
        'android',
        '--json',
        json,
      ]);
      const report = JSON.parse(readFileSync(json, 'utf8')) as ParityReport;
      const cells = report.cells.filter((c) => c.kind !== 'tokenizer');
      expect(summary({ ...report, cells })).toEqual([
        'tflite-float32@litert/android pass',
        'tflite-float16@litert/android pass',
        'tflite-int8@litert/android pass',
      ]);
      expect(code).toBe(0);
      expect((cells[0] as ModelCell).environment).toMatchObject({
        deviceRuntime: 'tensorflow-lite (android)',
        version: expect.stringMatching(/\(host double\)$/),
      });
      // Latency is the runner's own clock on the device (adb, JVM start and file transfer excluded). The cell's
      // runtime holds open plus four such calls at host wall time (about 2.2 s each here, against about
      // 0.45 s on the device clock), so a host-clock latency could not pass this bound.
      for (const cell of cells as ModelCell[]) {
        expect(cell.latency).toMatchObject({ clock: 'device', runs: 3, batch: 50 });
        expect(cell.latency?.medianMs).toBeLessThan(cell.runtimeMs / 8);
      }
    } finally {
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
      device.dispose();
    }
  }, 300_000);
});
