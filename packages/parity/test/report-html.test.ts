import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.ts';
import type { ModelCell } from '../src/report/types.ts';
import { sampleReport } from './report-fixtures.ts';

/** Debian's Chromium by default; BERT_PARITY_CHROMIUM names another Chromium-based browser (CI: Google Chrome). */
const CHROMIUM = process.env.BERT_PARITY_CHROMIUM || '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`${CHROMIUM} not found (Debian: chromium); the HTML browser test is skipped`);

describe('renderHtml (static)', () => {
  const report = sampleReport();
  const html = renderHtml(report);

  it('is self-contained: no external URL, no external script or stylesheet, a no-network policy', () => {
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`,
    );
  });

  it('has the trade-off table with the motivating numbers and failures highlighted', () => {
    expect(html).toMatch(
      /<td>tflite-float32<\/td><td>float32<\/td><td>litert<\/td><td>android<\/td><td class="status pass">pass<\/td><td class="num">101\.0<\/td><td class="num">1003 \(device\)<\/td>/,
    );
    expect(html).toContain('<td class="num">51.0</td><td class="num">838 (device)</td>');
    expect(html).toMatch(
      /<tr class="fail" data-cell="tflite-int8@litert\/android">.*<td class="num">26\.0<\/td><td class="num">574 \(device\)<\/td><td class="num bad">5\.1e-2<\/td>/,
    );
  });

  it('escapes report text', () => {
    expect(html).toContain('ConvInteger(10) is not implemented &lt;cpu&gt; &amp; &quot;x&quot;');
  });
});

describe.skipIf(!hasChromium)('renderHtml in headless Chromium', () => {
  it('renders the charts with the expected bars and points, no console errors, no requests', async () => {
    const { chromium } = await import('playwright-core');
    const report = sampleReport();
    const dir = mkdtempSync(join(tmpdir(), 'bp-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(report));

    // A fresh profile directory per run (Playwright takes it as launchPersistentContext's first argument).
    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'bp-chromium-')), {
      executablePath: CHROMIUM,
      viewport: { width: 1200, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
      // Block everything but the page itself: any other request is a failure of self-containment.
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url === pathToFileURL(file).href) return route.continue();
        requests.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(file).href);

      const models = report.cells.filter((c): c is ModelCell => c.kind === 'model');
      const measured = models.flatMap((c) => c.outputs);
      const histograms = measured.filter((o) => o.histogram !== undefined);
      const bars = histograms.reduce((n, o) => n + (o.histogram?.counts.length ?? 0), 0);

      expect(await page.locator('svg.histogram').count()).toBe(histograms.length);
      expect(await page.locator('svg.histogram rect.bar').count()).toBe(bars);
      expect(await page.locator('svg.drift circle.point').count()).toBe(measured.length);
      expect(await page.locator('svg.drift circle.point.nonfinite').count()).toBe(1);
      expect(await page.locator('svg.histogram.failed').count()).toBe(measured.filter((o) => !o.pass).length);
      // Bars have real geometry: the browser laid the SVG out (not just parsed it).
      const boxes = await page.locator('svg.histogram').first().boundingBox();
      expect(boxes?.width).toBe(280);
      const tallest = await page
        .locator('svg.histogram rect.bar')
        .evaluateAll((els) =>
          Math.max(...els.map((e) => (e as unknown as { getBBox(): { height: number } }).getBBox().height)),
        );
      expect(tallest).toBeGreaterThan(50);
      expect(await page.locator('tr.fail').count()).toBe(3);

      // The inline script works: "only cells that need attention" hides passing rows.
      await page.locator('#only-problems').check();
      expect(await page.locator('tr.pass').first().isVisible()).toBe(false);
      await page.locator('#only-problems').uncheck();

      await page.screenshot({ path: '/tmp/bert-parity-report.png', fullPage: true });
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
