import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { thrown } from '@bert-parity/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  escapeXml,
  mergeReports,
  parseReport,
  readReport,
  renderHtml,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderTerminal,
  writeStepSummary,
} from '../src/report/index.ts';
import type { ParityReport } from '../src/report/types.ts';
import { runCli as run } from './helpers/cli.ts';
import { modelCell, sampleCells, sampleReport, tokenizerCell } from './report-fixtures.ts';

const XSD = resolve(import.meta.dirname, 'report-data/junit.xsd');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'bp-report-'));
}

describe('the report builder (test helper) produces what the renderers are tested on', () => {
  it('has pass, fail (incl. a NaN output), error and skipped cells', () => {
    const r = sampleReport();
    expect(r.summary).toEqual({ pass: 4, fail: 3, error: 1, skipped: 1 });
    const nan = r.cells.find((c) => c.id === 'onnx-float16@tfjs/wasm');
    expect(nan?.kind === 'model' && nan.outputs[1]?.failures[0]).toBe('NaN in 1 of 64 elements');
  });
});

describe('renderTerminal', () => {
  const text = renderTerminal(sampleReport());
  const lines = text.split('\n');

  it('one row per output, the cell columns on its first row, and a header', () => {
    expect(lines[2]).toMatch(
      /^variant +runtime +platform +status +output +relL2 +maxAbs +cosine +top-1 +size MB +latency ms$/,
    );
    expect(lines[3]).toMatch(
      /^tflite-float32 +litert +android +PASS +logits +\d\.\de-\d +\d\.\de-\d +1\.000000 +100\.0% +101\.0 +1003 \(device\)$/,
    );
    expect(lines[4]).toMatch(/^ +last_hidden_state +\d\.\de-\d +\d\.\de-\d +1\.000000 +-$/);
    expect(text).toMatch(/\ntflite-int8 +litert +android +FAIL +logits ✗ +5\.1e-2 .* 26\.0 +574 \(device\)\n/);
    expect(text).toMatch(/\nonnx-int8 +onnxruntime +host +ERROR +- +25\.8 +-\n/);
    // The host's wall clock is shown bare; only a device's own clock is marked.
    expect(text).toMatch(/\nonnx-float32 +onnxruntime +host +PASS +logits .* 101\.2 +41\n/);
    expect(text).toMatch(/\nfixture-uncased\.lower\.dev +hf-tokenizers +tokenizer +FAIL +agree 2807\/3396\n/);
  });

  it('lists the problems with their numbers and ends with a readable summary line', () => {
    expect(text).toContain('FAIL tflite-int8@litert/android\n  logits: relL2 5.1e-2 > 2.0e-2\n');
    expect(text).toContain('  last_hidden_state: NaN in 1 of 64 elements\n');
    expect(text).toContain('ERROR onnx-int8@onnxruntime/host\n  E_RUNTIME_LOAD: onnxruntime: ConvInteger(10)');
    expect(lines.at(-1)).toBe('FAIL  9 cells: 4 pass, 3 fail, 1 error, 1 skipped · wall 14.5 s, 68% inside runtimes');
  });

  it('colours only when asked (the CLI asks when stdout is a TTY), without moving columns', () => {
    expect(text).not.toContain('\u001b[');
    const colored = renderTerminal(sampleReport(), { color: true });
    expect(colored).toContain(' \u001b[31mFAIL\u001b[0m ');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(colored.replace(/\u001b\[\d+m/g, '')).toBe(text);
  });

  it('says PASS when nothing failed or errored (skips do not fail)', () => {
    const r = sampleReport({}, [sampleCells()[0] as never, sampleCells()[6] as never]);
    expect(renderTerminal(r).split('\n').at(-1)).toMatch(/^PASS {2}2 cells: 1 pass, 0 fail, 0 error, 1 skipped/);
  });
});

describe('renderJson / readReport', () => {
  it('round-trips the report, NaN and Infinity included', () => {
    const r = sampleReport();
    const text = renderJson(r);
    expect(text).toContain('"relL2": "NaN"');
    expect(text).not.toContain('null');
    expect(parseReport(text)).toEqual(r);
    const dir = tmp();
    writeFileSync(join(dir, 'r.json'), text);
    expect(readReport(join(dir, 'r.json'))).toEqual(r);
  });

  it('only numeric fields are revived: an output named "NaN" stays a string', () => {
    const r = sampleReport({ inputs: { source: 'NaN', count: 1, maxSeqLength: 8, labelled: false } });
    expect(parseReport(renderJson(r)).inputs.source).toBe('NaN');
  });

  it('refuses another schema version, another schema, bad JSON and malformed cells with E_REPORT_SCHEMA', () => {
    const r = JSON.parse(renderJson(sampleReport()));
    const v2 = thrown(() => parseReport(JSON.stringify({ ...r, schema: 'bert-parity/report@2' }), 'shard.json'));
    expect(v2.code).toBe('E_REPORT_SCHEMA');
    expect(v2.message).toBe(
      'shard.json: schema "bert-parity/report@2" is version 2; this bert-parity reads version 1 ("bert-parity/report@1")',
    );
    expect(thrown(() => parseReport(JSON.stringify({ ...r, schema: 'bert-parity/inspect@1' }), 'x')).message).toBe(
      'x: schema is "bert-parity/inspect@1"; expected "bert-parity/report@1"',
    );
    expect(thrown(() => parseReport('{"schema":', 'y')).message).toMatch(/^y: is not valid JSON \(/);
    const badCell = { ...r, cells: [{ ...r.cells[0], status: 'ok' }] };
    expect(thrown(() => parseReport(JSON.stringify(badCell), 'z')).message).toBe(
      'z: cells[0] (tflite-float32@litert/android) has status "ok"; expected pass, fail, error or skipped',
    );
  });

  it('an unreadable file is E_IO', () => {
    expect(thrown(() => readReport('/nonexistent/r.json')).code).toBe('E_IO');
  });
});

/** A minimal XML reader for the structural check: elements, attributes, text; throws on bad nesting. */
interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

function parseXml(xml: string): XmlNode {
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/;
  if (!decl.test(xml)) throw new Error('missing XML declaration');
  const body = xml.replace(decl, '');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what XML 1.0 forbids
  const illegal = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.exec(body);
  if (illegal) throw new Error(`illegal character U+${illegal[0].charCodeAt(0).toString(16)}`);
  const root: XmlNode = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const tag = /<(\/?)([\w-]+)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  for (;;) {
    tag.lastIndex = pos;
    m = tag.exec(body);
    if (m === null) break;
    pos = tag.lastIndex;
    const top = stack.at(-1) as XmlNode;
    if (m[5] !== undefined) {
      if (/&(?!amp;|lt;|gt;|quot;|apos;|#\d+;)/.test(m[5])) throw new Error(`bare & in ${m[5]}`);
      top.text += m[5];
    } else if (m[1] === '/') {
      if (top.name !== m[2]) throw new Error(`</${m[2]}> closes <${top.name}>`);
      stack.pop();
    } else {
      const attrs: Record<string, string> = {};
      for (const a of (m[3] as string).matchAll(/([\w.-]+)="([^"]*)"/g)) attrs[a[1] as string] = a[2] as string;
      const node: XmlNode = { name: m[2] as string, attrs, children: [], text: '' };
      top.children.push(node);
      if (m[4] !== '/') stack.push(node);
    }
  }
  if (pos !== body.length) throw new Error(`unparsed XML at ${pos}: ${body.slice(pos, pos + 40)}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)?.name}>`);
  if (root.children.length !== 1) throw new Error('expected one root element');
  return root.children[0] as XmlNode;
}

function xmlText(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('renderJunit', () => {
  const report = sampleReport();
  const xml = renderJunit(report);

  it('has the JUnit structure: counts agree with the testcases, one testcase per cell (always-run check)', () => {
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '9', failures: '3', errors: '1', skipped: '1', time: '14.520' });
    const [suite] = root.children;
    expect(suite?.name).toBe('testsuite');
    const cases = suite?.children.filter((c) => c.name === 'testcase') ?? [];
    expect(cases).toHaveLength(report.cells.length);
    const outcome = (name: string) => cases.filter((c) => c.children.some((x) => x.name === name)).length;
    expect(suite?.attrs).toMatchObject({
      tests: '9',
      failures: '3',
      errors: '1',
      skipped: '1',
      timestamp: '2025-01-15T10:20:30',
    });
    expect([outcome('failure'), outcome('error'), outcome('skipped')]).toEqual([3, 1, 1]);
    for (const c of cases) {
      expect(Object.keys(c.attrs).sort()).toEqual(['classname', 'name', 'time']);
      expect(c.attrs.time).toMatch(/^\d+\.\d{3}$/);
      expect(c.children.filter((x) => ['failure', 'error', 'skipped'].includes(x.name)).length).toBeLessThanOrEqual(1);
    }
    const int8 = cases.find((c) => c.attrs.name === 'tflite-int8' && c.attrs.classname === 'litert/android');
    const failure = int8?.children.find((x) => x.name === 'failure');
    expect(xmlText(failure?.attrs.message ?? '')).toBe(
      'logits: relL2 5.1e-2 > 2.0e-2; last_hidden_state: relL2 5.02e-2 > 5.0e-2',
    );
    const err = cases.find((c) => c.attrs.name === 'onnx-int8')?.children.find((x) => x.name === 'error');
    expect(err?.attrs.type).toBe('E_RUNTIME_LOAD');
    expect(xmlText(err?.attrs.message ?? '')).toBe(
      'E_RUNTIME_LOAD: onnxruntime: ConvInteger(10) is not implemented <cpu> & "x"',
    );
  });

  it('escapes everything, control characters XML 1.0 forbids included', () => {
    expect(escapeXml('a<b>&"\'', true)).toBe('a&lt;b&gt;&amp;&quot;&apos;');
    expect(escapeXml('tab\tline\nret\r', true)).toBe('tab&#9;line&#10;ret&#13;');
    expect(escapeXml('bell\u0007 nul\u0000 esc\u001b \uFFFE \uD800 ok😀')).toBe(
      'bell\\u0007 nul\\u0000 esc\\u001B \\uFFFE \\uD800 ok😀',
    );
    const nasty = sampleReport({}, [
      modelCell({
        variant: 'v<&>"\u0001',
        format: 'onnx',
        precision: 'float32',
        runtime: 'rt\u0000',
        platform: 'p\u000b',
        bytes: 1,
        status: 'error',
        error: { code: 'E_RUNTIME_RUN', message: 'bad \u0002 byte ]]> <x/> \ud83d' },
      }),
    ]);
    const root = parseXml(renderJunit(nasty));
    const c = root.children[0]?.children.find((x) => x.name === 'testcase');
    expect(xmlText(c?.attrs.name ?? '')).toBe('v<&>"\\u0001');
    expect(xmlText(c?.attrs.classname ?? '')).toBe('rt\\u0000/p\\u000B');
  });

  const xmllint = spawnSync('xmllint', ['--version']).status === 0;
  it.skipIf(!xmllint)('validates against the JUnit XSD with xmllint (skips only when xmllint is absent)', () => {
    const dir = tmp();
    const nasty = sampleReport({}, [
      ...sampleCells(),
      modelCell({
        variant: 'ctl\u0001',
        format: 'onnx',
        precision: 'float32',
        runtime: 'x',
        platform: 'y',
        bytes: 1,
        status: 'error',
        error: { code: 'E', message: '\u0000 ]]> &' },
      }),
    ]);
    for (const [name, r] of [
      ['sample', report],
      ['nasty', nasty],
      ['empty', sampleReport({}, [])],
    ] as const) {
      const file = join(dir, `${name}.xml`);
      writeFileSync(file, renderJunit(r));
      const run = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
      expect(run.stderr.trim()).toBe(`${file} validates`);
      expect(run.status).toBe(0);
    }
    // The schema is not vacuous: a testcase without a name is refused.
    const broken = join(dir, 'broken.xml');
    writeFileSync(broken, renderJunit(report).replace('<testcase name="tflite-float32"', '<testcase'));
    expect(spawnSync('xmllint', ['--noout', '--schema', XSD, broken]).status).not.toBe(0);
  });
  if (!xmllint) console.warn('xmllint not found (Debian: libxml2-utils); the XSD validation test is skipped');
});

describe('renderMarkdown / writeStepSummary', () => {
  const md = renderMarkdown(sampleReport());

  it('a summary table and the failing cells with numbers', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe('## bert-parity: FAIL — 9 cells: 4 pass, 3 fail, 1 error, 1 skipped');
    expect(lines).toContain(
      '| variant | runtime | platform | status | worst relL2 | maxAbs | min cosine | top-1 | size MB | latency ms |',
    );
    expect(md).toMatch(
      /\n\| tflite-int8 \| litert \| android \| ❌ fail \| 5\.1e-2 \(logits\) \| 1\.3e-1 \| 0\.99\d+ \| 100\.0% \| 26\.0 \| 574 \(device\) \|\n/,
    );
    expect(md).toContain('| onnx-float16 | tfjs | wasm | ❌ fail | NaN (last_hidden_state) | NaN | NaN |');
    expect(md).toContain('- **tflite-int8@litert/android** (fail)\n  - logits: relL2 5.1e-2 > 2.0e-2\n');
    expect(md).toContain('  - last_hidden_state: NaN in 1 of 64 elements\n');
  });

  it('escapes pipes in table cells', () => {
    const r = sampleReport({}, [tokenizerCell('a|b', 1, 1)]);
    expect(renderMarkdown(r)).toContain('| a\\|b | tokenizer |');
  });

  it('appends to $GITHUB_STEP_SUMMARY, as GitHub expects of each step', () => {
    const file = join(tmp(), 'summary.md');
    writeFileSync(file, '# earlier step\n');
    expect(writeStepSummary(sampleReport(), { GITHUB_STEP_SUMMARY: file })).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(`# earlier step\n${md}`);
    expect(writeStepSummary(sampleReport(), {})).toBeNull();
  });
});

describe('reports found by pnpm fuzz: every field a renderer reads is checked first', () => {
  // Each of these crashed a renderer (terminal, Markdown, JUnit or HTML) with a TypeError inside
  // `report merge`/`render`; now readReport refuses them with E_REPORT_SCHEMA naming the field.
  // A JSON document, changed field by field below.
  // biome-ignore lint/suspicious/noExplicitAny: any JSON value
  type Json = Record<string, any>;
  type Doc = { cells: Json[] };
  const cell = (r: Doc, i: number) => r.cells[i] as Json;
  const base = JSON.parse(renderJson(sampleReport())) as Doc;
  const cases: [string, (r: Doc) => void, string][] = [
    [
      'a cell name of another type (JUnit)',
      (r) => {
        cell(r, 0).variant = 5;
      },
      'cells[0].variant: Invalid input: expected string, received number (got 5)',
    ],
    [
      'an array where a string belongs (terminal)',
      (r) => {
        cell(r, 0).runtime = [1];
      },
      'cells[0].runtime: Invalid input: expected string, received array (got [1])',
    ],
    [
      'an output without stats (terminal)',
      (r) => {
        delete cell(r, 0).outputs[0].stats;
      },
      'cells[0].outputs[0].stats: Invalid input: expected object, received undefined (got missing)',
    ],
    [
      'a statistic missing (terminal)',
      (r) => {
        delete cell(r, 0).outputs[0].stats.maxAbs;
      },
      'cells[0].outputs[0].stats.maxAbs: expected a number (got missing)',
    ],
    [
      'a statistic that is text (terminal)',
      (r) => {
        cell(r, 0).outputs[0].stats.relL2 = 'small';
      },
      'cells[0].outputs[0].stats.relL2: expected a number (got "small")',
    ],
    [
      'a latency without its median (terminal)',
      (r) => {
        delete cell(r, 0).latency.medianMs;
      },
      'cells[0].latency.medianMs: Invalid input: expected number, received undefined (got missing)',
    ],
    [
      'an error message that is a number (Markdown)',
      (r) => {
        cell(r, 5).error.message = 42;
      },
      'cells[5].error.message: Invalid input: expected string, received number (got 42)',
    ],
    [
      'an output without failures (terminal)',
      (r) => {
        delete cell(r, 0).outputs[0].failures;
      },
      'cells[0].outputs[0].failures: Invalid input: expected array, received undefined (got missing)',
    ],
    [
      'a histogram without counts (HTML)',
      (r) => {
        delete cell(r, 0).outputs[0].histogram.counts;
      },
      'cells[0].outputs[0].histogram.counts: Invalid input: expected array, received undefined (got missing)',
    ],
    [
      'histogram edges that are an object (HTML)',
      (r) => {
        cell(r, 0).outputs[0].histogram.log10Edges = { a: 1 };
      },
      'cells[0].outputs[0].histogram.log10Edges: Invalid input: expected array, received object (got {"a":1})',
    ],
  ];
  it.each(cases)('%s', (_what, mutate, message) => {
    const r = structuredClone(base);
    mutate(r);
    const e = thrown(() => parseReport(JSON.stringify(r), 'r.json'));
    expect([e.code, e.message]).toEqual(['E_REPORT_SCHEMA', `r.json: ${message}`]);
  });

  it('a 1 MB cell id (it took seconds of CPU to escape, a hang to pnpm fuzz) is escaped in one pass', () => {
    const r = structuredClone(base);
    cell(r, 0).id = `${'a'.repeat(1_000_000)}<&>\u0001`;
    const report = parseReport(JSON.stringify(r), 'r.json');
    const escaped = `${'a'.repeat(1_000_000)}&lt;&amp;&gt;\\u0001`;
    expect(renderJunit(report)).toContain(escaped);
    expect(renderHtml(report)).toContain(escaped);
    expect(escapeXml('a\'b"\t\ud800\ud83d\ude00', true)).toBe('a&apos;b&quot;&#9;\\uD800\ud83d\ude00');
  });

  it('what it accepts, every renderer renders (the unmutated report, NaN and Infinity included)', () => {
    const r = parseReport(JSON.stringify(base), 'r.json');
    expect(() => [renderTerminal(r), renderMarkdown(r), renderJunit(r), renderHtml(r)]).not.toThrow();
  });
});

describe('mergeReports', () => {
  const cells = sampleCells();
  const shard = (index: number, part: typeof cells, wallMs: number): ParityReport =>
    sampleReport(
      {
        shard: { index, total: 2 },
        createdAt: `2025-01-15T10:2${index}:00.000Z`,
        timing: { wallMs, runtimeMs: wallMs / 2, runtimeShare: 0.5 },
      },
      part,
    );
  const a = shard(1, cells.slice(0, 4), 10_000);
  const b = shard(2, cells.slice(4), 6_000);

  it('concatenates cells and recomputes summary and timing', () => {
    const m = mergeReports([a, b], ['a.json', 'b.json']);
    expect(m.cells.map((c) => c.id)).toEqual(cells.map((c) => c.id));
    expect(m.summary).toEqual({ pass: 4, fail: 3, error: 1, skipped: 1 });
    expect(m.timing).toEqual({ wallMs: 16_000, runtimeMs: 8_000, runtimeShare: 0.5 });
    expect(m.createdAt).toBe('2025-01-15T10:22:00.000Z');
    expect(m.shard).toBeUndefined();
  });

  it('a shard names itself as --shard did (1-based) in the terminal table and the JUnit suite', () => {
    expect(renderTerminal(a).split('\n')[0]).toContain(' · shard 1/2');
    expect(renderJunit(b)).toContain('<testsuite name="bert-parity shard 2/2"');
  });

  it('refuses another config, another schema and duplicate cells with E_REPORT_MERGE', () => {
    const other = { ...b, config: { path: 'x.json', sha256: 'cd'.repeat(32) } };
    const e = thrown(() => mergeReports([a, other], ['a.json', 'b.json']));
    expect(e.code).toBe('E_REPORT_MERGE');
    expect(e.message).toBe(
      `b.json was made from config sha256 ${'cd'.repeat(32)}; a.json from ${'ab'.repeat(32)}; expected shards of one run with the same config`,
    );
    const v2 = { ...b, schema: 'bert-parity/report@2' } as unknown as ParityReport;
    expect(thrown(() => mergeReports([a, v2], ['a.json', 'b.json'])).message).toBe(
      'b.json has schema bert-parity/report@2; a.json has bert-parity/report@1; expected one schema',
    );
    expect(thrown(() => mergeReports([a, a], ['a.json', 'a2.json'])).message).toBe(
      'cell tflite-float32@litert/android is in both a.json and a2.json; expected each matrix cell in one shard only',
    );
  });
});

describe('bert-parity report merge / render (CLI)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('merges shards into a report that renders to every format', async () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', '');
    const dir = tmp();
    const cells = sampleCells();
    const pa = join(dir, 'a.json');
    const pb = join(dir, 'b.json');
    writeFileSync(pa, renderJson(sampleReport({ shard: { index: 1, total: 2 } }, cells.slice(0, 3))));
    writeFileSync(pb, renderJson(sampleReport({ shard: { index: 2, total: 2 } }, cells.slice(3))));
    const merged = join(dir, 'merged.json');
    const m = await run('report', 'merge', pa, pb, '--out', merged);
    expect(m.code).toBe(1);
    expect(readReport(merged).summary).toEqual({ pass: 4, fail: 3, error: 1, skipped: 1 });
    expect(m.out.split('\n').at(-1)).toMatch(/^FAIL {2}9 cells: 4 pass, 3 fail, 1 error, 1 skipped/);

    const paths = { junit: join(dir, 'r.xml'), html: join(dir, 'r.html'), markdown: join(dir, 'r.md') };
    const r = await run(
      'report',
      'render',
      merged,
      '--junit',
      paths.junit,
      '--html',
      paths.html,
      '--markdown',
      paths.markdown,
    );
    expect(r.code).toBe(1);
    expect(readFileSync(paths.junit, 'utf8')).toBe(renderJunit(readReport(merged)));
    expect(readFileSync(paths.markdown, 'utf8')).toBe(renderMarkdown(readReport(merged)));
    expect(readFileSync(paths.html, 'utf8')).toBe(renderHtml(readReport(merged)));
  });

  it('exits 0 on a passing report, and writes the step summary when GITHUB_STEP_SUMMARY is set', async () => {
    const dir = tmp();
    const file = join(dir, 'pass.json');
    writeFileSync(file, renderJson(sampleReport({}, [sampleCells()[0] as never])));
    const summary = join(dir, 'step.md');
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    expect((await run('report', 'render', file)).code).toBe(0);
    expect(readFileSync(summary, 'utf8')).toBe(renderMarkdown(readReport(file)));
    expect(readFileSync(summary, 'utf8')).toMatch(/^## bert-parity: PASS — 1 cells: 1 pass/);
  });

  it('coded errors exit 2: duplicate cells, wrong schema', async () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', '');
    const dir = tmp();
    const file = join(dir, 'a.json');
    writeFileSync(file, renderJson(sampleReport()));
    const dup = await run('report', 'merge', file, file, '--out', join(dir, 'm.json'));
    expect(dup.code).toBe(2);
    expect(dup.err).toBe(
      `bert-parity: E_REPORT_MERGE: cell tflite-float32@litert/android is in both ${file} and ${file}; expected each matrix cell in one shard only`,
    );
    writeFileSync(file, JSON.stringify({ schema: 'bert-parity/report@9', cells: [] }));
    const bad = await run('report', 'render', file);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe(
      `bert-parity: E_REPORT_SCHEMA: ${file}: schema "bert-parity/report@9" is version 9; this bert-parity reads version 1 ("bert-parity/report@1")`,
    );
  });
});
