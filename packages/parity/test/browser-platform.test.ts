import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildFixtures } from '@bert-parity/fixtures';
import { BrowserRunner } from '@bert-parity/runtime-browser';
import {
  aliveInGroups,
  chromiumMissing,
  chromiumProcesses,
  FAULT_RUNTIMES,
  faultModels,
  OUTBOUND_URL,
  SMALL_HEAP_ARGS,
} from '@bert-parity/runtime-browser/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { configFromValue, loadConfig } from '../src/config/index.ts';
import { runCheck } from '../src/engine/index.ts';
import { browserPlatform, browserPlatformWith } from '../src/engine/platform-browser.ts';
import { registerPlatform } from '../src/engine/platforms.ts';
import { REPO_ROOT } from '../src/paths.ts';
import { renderHtml, renderJunit, renderMarkdown, renderTerminal } from '../src/report/index.ts';
import type { ModelCell, ParityReport } from '../src/report/types.ts';

const missing = chromiumMissing();
if (missing !== '') console.warn(`browser platform checks skipped: ${missing}`);

const dir = mkdtempSync(join(tmpdir(), 'bp-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The default config's bounds: the browser cells are judged exactly as the host cells are.
const { bounds } = (await loadConfig(resolve(REPO_ROOT, 'parity.config.ts'))).config;

function config(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    inputs: { corpus: resolve(REPO_ROOT, 'golden/corpus.dev.jsonl'), count: 16, maxSeqLength: 128 },
    tokenizer: { vocab: resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt') },
    bounds,
    latencyRuns: 1,
    ...extra,
  };
}

async function check(args: string[], json: string): Promise<{ code: number; report: ParityReport }> {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(['check', ...args, '--json', json]);
    return { code, report: JSON.parse(readFileSync(json, 'utf8')) as ParityReport };
  } finally {
    vi.restoreAllMocks();
  }
}

const summary = (r: ParityReport) =>
  r.cells.map((c) => `${c.id} ${c.status}${c.kind === 'model' && c.error !== undefined ? ` ${c.error.code}` : ''}`);

const models = (r: ParityReport) => r.cells.filter((c): c is ModelCell => c.kind === 'model');

/** Runs a check with the browser platform replaced by a variant of it, restoring the real one after. */
async function checkWith(
  platform: ReturnType<typeof browserPlatformWith>,
  loaded: Parameters<typeof runCheck>[0],
): Promise<ParityReport> {
  registerPlatform(platform);
  try {
    return await runCheck(loaded);
  } finally {
    registerPlatform(browserPlatform);
  }
}

describe('the browser platform', () => {
  it('declares exactly the runtimes the browser runner has pages for', () => {
    expect(browserPlatform.runtimes).toEqual(new BrowserRunner().runtimeNames);
  });

  it('the host platform does not plan browser-only runtimes, nor the browser host-only ones', async () => {
    const file = join(dir, 'plan.json');
    writeFileSync(
      file,
      JSON.stringify(
        config({
          variants: [{ fixture: 'onnx-float32' }],
          runtimes: [{ name: 'onnx' }, { name: 'onnx-web' }],
          platforms: ['host', { name: 'browser', optional: true }],
          inputs: { corpus: resolve(REPO_ROOT, 'golden/corpus.dev.jsonl'), count: 1, maxSeqLength: 128 },
          latencyRuns: 0,
        }),
      ),
    );
    vi.stubEnv('BERT_PARITY_CHROMIUM', '/nonexistent/chromium');
    try {
      const { report } = await check(['--config', file], join(dir, 'plan-report.json'));
      expect(models(report).map((c) => c.id)).toEqual(['onnx-float32@onnx/host', 'onnx-float32@onnx-web/browser']);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('no browser here', () => {
  const file = join(dir, 'nobrowser.json');
  writeFileSync(
    file,
    JSON.stringify(
      config({
        variants: [{ fixture: 'tflite-float32' }],
        runtimes: [{ name: 'litert' }],
        platforms: ['host', { name: 'browser', optional: true }],
        latencyRuns: 0,
      }),
    ),
  );
  const hint =
    'platform browser needs Chromium, and /nonexistent/chromium does not exist; install one with `apt-get install chromium` (Debian/Ubuntu), or set BERT_PARITY_CHROMIUM to a Chromium-based browser such as /usr/bin/google-chrome';

  it('an optional browser platform: its cells are skipped, saying why and how to install one; exit 0', async () => {
    vi.stubEnv('BERT_PARITY_CHROMIUM', '/nonexistent/chromium');
    try {
      const { code, report } = await check(['--config', file], join(dir, 'nobrowser-report.json'));
      expect(summary({ ...report, cells: models(report) })).toEqual([
        'tflite-float32@litert/host pass',
        'tflite-float32@litert/browser skipped E_PLATFORM_UNAVAILABLE',
      ]);
      expect(models(report)[1]?.error?.message).toBe(hint);
      expect(code).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('asked for by name (--platform browser), the platform is required: an error cell, exit 2', async () => {
    vi.stubEnv('BERT_PARITY_CHROMIUM', '/nonexistent/chromium');
    try {
      const { code, report } = await check(['--config', file, '--platform', 'browser'], join(dir, 'nb2.json'));
      expect(summary({ ...report, cells: models(report) })).toEqual([
        'tflite-float32@litert/browser error E_PLATFORM_UNAVAILABLE',
      ]);
      expect(code).toBe(2);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe.skipIf(missing !== '')('bert-parity check --platform browser (headless Chromium)', () => {
  it('every browser runtime at float32, float16 and int8 (TF.js uint8) passes within the host bounds; the JSON names the browser and backend', async () => {
    const file = join(dir, 'all.json');
    const variants = ['onnx', 'tfjs', 'tflite', 'hf'].flatMap((f) =>
      ['float32', 'float16', f === 'tfjs' ? 'uint8' : 'int8'].map((p) => ({ fixture: `${f}-${p}` })),
    );
    writeFileSync(
      file,
      JSON.stringify(
        config({
          variants,
          runtimes: ['onnx-web', 'tfjs-webgl', 'tfjs-wasm', 'litert', 'transformers'].map((name) => ({
            name,
            batch: 16,
          })),
          platforms: ['host', 'browser'],
        }),
      ),
    );
    const { code, report } = await check(['--config', file, '--platform', 'browser'], join(dir, 'all-report.json'));
    const cells = models(report);
    expect(summary({ ...report, cells }).filter((s) => !s.endsWith(' pass'))).toEqual([]);
    expect(cells.map((c) => c.id)).toEqual(
      variants.flatMap(({ fixture }) => {
        const rts = fixture.startsWith('onnx')
          ? ['onnx-web']
          : fixture.startsWith('tfjs')
            ? ['tfjs-webgl', 'tfjs-wasm']
            : fixture.startsWith('tflite')
              ? ['litert']
              : ['transformers'];
        return rts.map((r) => `${fixture}@${r}/browser`);
      }),
    );
    expect(code).toBe(0);
    for (const c of cells) {
      expect(c.environment).toMatchObject({
        platform: 'browser',
        browser: expect.stringMatching(/^Chromium \d+\./),
        backend: expect.any(String),
      });
    }
    const webgl = cells.find((c) => c.id === 'tfjs-float32@tfjs-webgl/browser');
    expect(webgl?.environment).toMatchObject({ backend: 'webgl', WEBGL_RENDER_FLOAT32_ENABLED: true });
  }, 900_000);

  it('host and browser side by side in every report; the browser stops with the run and no Chromium process outlives it', async () => {
    const loaded = configFromValue(
      config({
        variants: [{ fixture: 'onnx-float32' }, { fixture: 'tflite-float32' }],
        runtimes: [
          { name: 'onnx', batch: 16 },
          { name: 'onnx-web', batch: 16 },
          { name: 'litert', batch: 16 },
        ],
        platforms: ['host', 'browser'],
      }),
      dir,
    );
    const seen = new Map<number, number>();
    const report = await runCheck(loaded, {
      progress: {
        start() {},
        cellStarted() {},
        cellDone() {
          for (const p of chromiumProcesses()) seen.set(p.pid, p.pgid);
        },
        stop() {},
      },
    });
    expect(summary({ ...report, cells: models(report) })).toEqual([
      'onnx-float32@onnx/host pass',
      'onnx-float32@onnx-web/browser pass',
      'tflite-float32@litert/host pass',
      'tflite-float32@litert/browser pass',
    ]);
    // Chromium ran (browser, zygote, renderer and GPU processes) and is gone once runCheck returns.
    expect(seen.size).toBeGreaterThan(2);
    expect(aliveInGroups(new Set(seen.values()))).toEqual([]);
    expect(chromiumProcesses()).toEqual([]);

    const terminal = renderTerminal(report, { color: false });
    expect(terminal).toMatch(/onnx-float32 +onnx +host +PASS/);
    expect(terminal).toMatch(/onnx-float32 +onnx-web +browser +PASS/);
    expect(terminal).toMatch(/tflite-float32 +litert +browser +PASS/);
    const junit = renderJunit(report);
    expect(junit).toContain('<testcase name="onnx-float32" classname="onnx-web/browser"');
    expect(junit).toContain('<testcase name="tflite-float32" classname="litert/host"');
    const md = renderMarkdown(report);
    expect(md).toMatch(/^\| onnx-float32 \| onnx-web \| browser \| ✅ pass \| \d\.\de-\d+ \(logits\) \|/m);
    expect(md).toMatch(/^\| tflite-float32 \| litert \| host \| ✅ pass \| \d\.\de-\d+ \(logits\) \|/m);
    const html = renderHtml(report);
    expect(html).toContain('<td>onnx-web</td><td>browser</td><td class="status pass">pass</td>');
    expect(html).toContain('<td>litert</td><td>host</td><td class="status pass">pass</td>');
  }, 300_000);

  it('WebGPU where Chromium offers no adapter: an optional onnx-webgpu cell is skipped with the reason', async () => {
    const loaded = configFromValue(
      config({
        variants: [{ fixture: 'onnx-float32' }],
        runtimes: [{ name: 'onnx-webgpu', optional: true }, { name: 'onnx-web' }],
        platforms: ['browser'],
        latencyRuns: 0,
      }),
      dir,
    );
    // No GPU and no software rasterizer: headless Chromium then offers no WebGPU adapter (measured).
    const report = await checkWith(
      browserPlatformWith({ args: ['--disable-gpu', '--disable-software-rasterizer'] }),
      loaded,
    );
    const cells = models(report);
    expect(summary({ ...report, cells })).toEqual([
      'onnx-float32@onnx-webgpu/browser skipped E_RUNTIME_UNAVAILABLE',
      'onnx-float32@onnx-web/browser pass',
    ]);
    expect(cells[0]?.error?.message).toBe(
      'onnx-webgpu in the browser: navigator.gpu.requestAdapter() returned null: the browser offers no WebGPU adapter here (no GPU, and no software fallback)',
    );
  }, 300_000);

  it('a hang, a page crash and an outbound request are coded errors in their cells; every other cell still passes', async () => {
    const fixtures = await buildFixtures();
    const onnx = fixtures.files.find(
      (f) => f.format === 'onnx' && f.precision === 'float32' && f.variant === 'standard',
    );
    const files = faultModels(onnx?.path as string, dir, [
      'ok-1',
      'hang-1',
      'ok-2',
      'crash-1',
      'ok-3',
      'fetch-1',
      'ok-4',
    ]);
    // The copies are the fixture's model: its manifest makes their folder that fixture's, for float64-fixture.
    copyFileSync(join(fixtures.dir, 'manifest.json'), join(dir, 'manifest.json'));
    const loaded = configFromValue(
      config({
        variants: files.map((file) => ({ file })),
        runtimes: [
          { name: 'onnx', batch: 16 },
          { name: 'onnx-web', batch: 16 },
        ],
        platforms: ['host', 'browser'],
        latencyRuns: 0,
      }),
      dir,
    );
    const report = await checkWith(
      browserPlatformWith({ runtimeModules: [FAULT_RUNTIMES], args: SMALL_HEAP_ARGS, timeoutMs: 20_000 }),
      loaded,
    );
    const cells = models(report);
    expect(summary({ ...report, cells })).toEqual([
      'ok-1@onnx/host pass',
      'ok-1@onnx-web/browser pass',
      'hang-1@onnx/host pass',
      'hang-1@onnx-web/browser error E_BROWSER_TIMEOUT',
      'ok-2@onnx/host pass',
      'ok-2@onnx-web/browser pass',
      'crash-1@onnx/host pass',
      'crash-1@onnx-web/browser error E_BROWSER_CRASH',
      'ok-3@onnx/host pass',
      'ok-3@onnx-web/browser pass',
      'fetch-1@onnx/host pass',
      'fetch-1@onnx-web/browser error E_RUNTIME_NETWORK',
      'ok-4@onnx/host pass',
      'ok-4@onnx-web/browser pass',
    ]);
    expect(cells.find((c) => c.id === 'fetch-1@onnx-web/browser')?.error?.message).toContain(OUTBOUND_URL);
    expect(chromiumProcesses()).toEqual([]);
  }, 600_000);
});
