import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildFixtures } from '@bert-parity/fixtures';
import { argmaxRows } from '@bert-parity/metrics';
import { BertTokenizer, Vocabulary } from '@bert-parity/tokenizer';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/paths.ts';
import type { ModelCell, ParityReport } from '../src/report/types.ts';
import { runCli as run } from './helpers/cli.ts';

/**
 * `bert-parity check` end to end on a small config: 6 corpus texts, ONNX and TFLite fixtures, one
 * tokenizer golden. Bounds here are the default config's, except where a test tightens one.
 */
const dir = mkdtempSync(join(tmpdir(), 'bp-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  variants: [{ fixture: 'onnx-float32' }, { fixture: 'onnx-int8' }, { fixture: 'tflite-int8' }],
  runtimes: [{ name: 'onnx', batch: 4 }, { name: 'litert' }],
  inputs: { corpus: resolve(REPO_ROOT, 'golden/corpus.dev.jsonl'), count: 6, maxSeqLength: 32 },
  tokenizer: {
    vocab: resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt'),
    conformance: [{ impl: 'ours', golden: [resolve(REPO_ROOT, 'golden/tokenizer/fixture-uncased.lower.dev.jsonl')] }],
  },
  bounds: {
    float32: { '*': { relL2: 1e-5 } },
    int8: { '*': { relL2: 4e-2 }, logits: { relL2: 4e-2, top1AgreementMin: 0.5 } },
  },
  latencyRuns: 2,
};

let n = 0;
function configFile(config: unknown): string {
  const path = join(dir, `config-${n++}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

const tfjsNodeInstalled = await import('@tensorflow/tfjs-node' as string).then(
  () => true,
  () => false,
);

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as ParityReport;
const modelCell = (r: ParityReport, id: string) => r.cells.find((c) => c.id === id) as ModelCell;

describe('bert-parity check', () => {
  const passing = join(dir, 'pass');

  it('passes a small matrix, prints it, writes every report and times the runtimes', async () => {
    const files = ['report.json', 'junit.xml', 'report.md', 'report.html'].map((f) => join(passing, f));
    const { code, out, err } = await run(
      'check',
      '--config',
      configFile(base),
      '--json',
      files[0] as string,
      '--junit',
      files[1] as string,
      '--markdown',
      files[2] as string,
      '--html',
      files[3] as string,
    );
    expect(code).toBe(0);
    for (const f of files) expect(existsSync(f)).toBe(true);
    const report = readJson(files[0] as string);
    expect(report.cells.map((c) => `${c.id} ${c.status}`)).toEqual([
      'tokenizer:ours/fixture-uncased.lower.dev pass',
      'onnx-float32@onnx/host pass',
      'onnx-int8@onnx/host pass',
      'tflite-int8@litert/host pass',
    ]);
    expect(report.summary).toEqual({ pass: 4, fail: 0, error: 0, skipped: 0 });
    expect(report.inputs).toEqual({ source: base.inputs.corpus, count: 6, maxSeqLength: 32, labelled: false });
    expect(report.reference.kind).toBe('float64-fixture');
    const tflite = modelCell(report, 'tflite-int8@litert/host');
    expect(tflite.outputs.map((o) => o.output)).toEqual(['last_hidden_state', 'pooler_output', 'logits']);
    // Padding positions are left out of the hidden state: elements = real tokens × hidden size, and the
    // first 6 corpus texts have 11 + 10 + 10 + 7 + 7 + 16 = 61 real tokens at maxSeqLength 32.
    expect(tflite.outputs[0]?.stats.elements).toBe(61 * 64);
    expect(tflite.outputs.map((o) => o.stats.elements)).toEqual([61 * 64, 6 * 64, 6 * 28]);
    const fixtures = await buildFixtures();
    const tfliteFile = fixtures.files.find(
      (f) => f.format === 'tflite' && f.precision === 'int8' && f.variant === 'standard',
    );
    expect(tflite.modelSha256).toBe(fixtures.sha256['tflite/int8.tflite']);
    expect(tflite.modelBytes).toBe(statSync(tfliteFile?.path as string).size);
    expect(tflite.latency).toMatchObject({ runs: 2, batch: 6, clock: 'host' });
    expect(tflite.environment?.runtime).toBe('litert.js');
    expect(tflite.runtimeMs).toBeGreaterThan(0);
    expect(tflite.runtimeMs).toBeLessThanOrEqual(tflite.wallMs);
    expect(modelCell(report, 'onnx-int8@onnx/host').latency).toMatchObject({ runs: 2, batch: 4, clock: 'host' });
    expect(report.timing.runtimeShare).toBeGreaterThan(0);
    expect(report.timing.runtimeShare).toBeLessThanOrEqual(1);
    expect(out).toContain('tflite-int8');
    expect(out).toContain('last_hidden_state');
    // Not a TTY: one line per finished cell, no redrawing.
    expect(err).toContain('[4/4] PASS  tflite-int8@litert/host');
    expect(err).not.toContain('\r');
  });

  it('a runtime may time fewer latency runs than the config does', async () => {
    const json = join(dir, 'latency.json');
    const config = configFile({
      ...base,
      variants: [{ fixture: 'onnx-float32' }, { fixture: 'tflite-float32' }],
      runtimes: [{ name: 'onnx', batch: 4, latencyRuns: 1 }, { name: 'litert' }],
    });
    expect((await run('check', '--config', config, '--json', json)).code).toBe(0);
    const r = readJson(json);
    expect(modelCell(r, 'onnx-float32@onnx/host').latency).toMatchObject({ runs: 1, batch: 4 });
    expect(modelCell(r, 'tflite-float32@litert/host').latency).toMatchObject({ runs: 2 });
  });

  it('fails with exit 1 when a tightened int8 bound is exceeded, naming the cell and the numbers', async () => {
    const json = join(dir, 'tight.json');
    const tight = { ...base, variants: [{ fixture: 'onnx-int8', bounds: { logits: { relL2: 1e-3 } } }] };
    const { code, out } = await run('check', '--config', configFile(tight), '--json', json);
    expect(code).toBe(1);
    const cell = modelCell(readJson(json), 'onnx-int8@onnx/host');
    expect(cell.status).toBe('fail');
    const logits = cell.outputs.find((o) => o.output === 'logits');
    expect(logits?.pass).toBe(false);
    expect(logits?.bound).toEqual({ relL2: 1e-3, top1AgreementMin: 0.5 });
    expect(logits?.failures).toHaveLength(1);
    expect(logits?.failures[0]).toMatch(/^relL2 \d\.\de-2 > 1\.0e-3$/);
    expect(cell.outputs.filter((o) => !o.pass).map((o) => o.output)).toEqual(['logits']);
    expect(out).toContain('onnx-int8');
    expect(out).toContain(logits?.failures[0] as string);
  });

  it('fails with exit 1 when the config binds attention_mask and token_type_ids the wrong way round', async () => {
    const json = join(dir, 'swapped.json');
    const swapped = {
      ...base,
      variants: [
        {
          fixture: 'onnx-float32',
          inputMapping: { attention_mask: 'token_type_ids', token_type_ids: 'attention_mask' },
        },
      ],
    };
    const { code, out } = await run('check', '--config', configFile(swapped), '--json', json);
    expect(code).toBe(1);
    const cell = modelCell(readJson(json), 'onnx-float32@onnx/host');
    expect(cell.status).toBe('fail');
    for (const o of cell.outputs) {
      expect(o.pass).toBe(false);
      expect(o.stats.relL2).toBeGreaterThan(1e-2);
      expect(o.failures[0]).toMatch(/^relL2 .* > 1\.0e-5$/);
    }
    expect(out).toContain('onnx-float32');
  });

  it('reports a missing model file as an error cell (E_MODEL_READ) and exits 2; the other cells still run', async () => {
    const json = join(dir, 'missing.json');
    const missing = {
      ...base,
      variants: [
        { file: join(dir, 'nowhere.onnx'), format: 'onnx', precision: 'float32' },
        { fixture: 'onnx-float32' },
      ],
      // A file outside any fixture folder has no float64 fixture reference: compare with a runtime instead.
      reference: { kind: 'runtime', runtime: 'onnx', variant: 'onnx-float32' },
    };
    const { code } = await run('check', '--config', configFile(missing), '--json', json);
    expect(code).toBe(2);
    const report = readJson(json);
    const cell = modelCell(report, 'nowhere@onnx/host');
    expect(cell.status).toBe('error');
    expect(cell.error).toEqual({
      code: 'E_MODEL_READ',
      message: `cannot read model ${join(dir, 'nowhere.onnx')}: ENOENT`,
    });
    expect(modelCell(report, 'onnx-float32@onnx/host').status).toBe('pass');
  });

  it('exits 2 on a config error, naming the path in the config', async () => {
    const { code, err } = await run('check', '--config', configFile({ ...base, latencyRuns: -1 }));
    expect(code).toBe(2);
    expect(err).toContain('E_CONFIG');
    expect(err).toContain('latencyRuns: Too small: expected number to be >=0 (got -1)');
  });

  it('exits 2 on an unknown fixture id, listing the ids', async () => {
    const { code, err } = await run('check', '--config', configFile({ ...base, variants: [{ fixture: 'onnx-int4' }] }));
    expect(code).toBe(2);
    expect(err).toBe(
      'bert-parity: E_CONFIG: variants[0].fixture: "onnx-int4" is no fixture; expected one of onnx-float32, onnx-float16, onnx-int8, onnx-small-embedding, tfjs-float32, tfjs-float16, tfjs-uint8, tflite-float32, tflite-float16, tflite-int8, tflite-no-signature, tflite-custom-op, tflite-op-version-too-new, tflite-unknown-builtin, hf-float32, hf-float16, hf-int8, mobilebert-onnx-float32, mobilebert-onnx-float16, mobilebert-onnx-int8, mobilebert-tfjs-float32, mobilebert-tfjs-float16, mobilebert-tfjs-uint8, mobilebert-tflite-float32, mobilebert-tflite-float16, mobilebert-tflite-int8, mobilebert-hf-float32, mobilebert-hf-float16, mobilebert-hf-int8, onnx-torch-bert-opset14-float32, onnx-torch-bert-opset17-float32, hf-torch-bert-float32, onnx-torch-mobilebert-opset14-float32, onnx-torch-mobilebert-opset17-float32, hf-torch-mobilebert-float32',
    );
  });

  it('--update-golden writes golden outputs; later runs compare against them; --baseline adds drift deltas', async () => {
    const golden = join(dir, 'golden-set');
    const config = configFile({
      ...base,
      variants: [{ fixture: 'onnx-int8' }],
      reference: { kind: 'golden-outputs', dir: golden },
    });
    const first = join(dir, 'golden-first.json');
    expect((await run('check', '--config', config, '--update-golden', '--json', first)).code).toBe(0);
    const index = JSON.parse(readFileSync(join(golden, 'index.json'), 'utf8'));
    expect(index.format).toBe('bert-parity-output-goldens');
    expect(index.precision).toBe('float64');
    expect(index.inputs.max_seq_length).toBe(32);
    expect(index.entries).toHaveLength(6 * 3);
    expect(index.entries[0].file).toMatch(/^dev-edge-\d{4}\.last_hidden_state\.npy$/);

    const second = join(dir, 'golden-second.json');
    expect((await run('check', '--config', config, '--json', second, '--baseline', first)).code).toBe(0);
    const a = modelCell(readJson(first), 'onnx-int8@onnx/host');
    const b = modelCell(readJson(second), 'onnx-int8@onnx/host');
    expect(readJson(second).reference.kind).toBe('golden-outputs');
    // The golden is the float64 reference itself, so the drift is the same as against the live reference.
    expect(b.outputs.map((o) => o.stats.relL2)).toEqual(a.outputs.map((o) => o.stats.relL2));
    expect(b.baselineDelta).toEqual({
      last_hidden_state: { relL2: 0, maxAbs: 0 },
      pooler_output: { relL2: 0, maxAbs: 0 },
      logits: { relL2: 0, maxAbs: 0 },
    });
  });

  it('a golden made on other inputs is stale (E_GOLDEN_STALE, exit 2)', async () => {
    const golden = join(dir, 'golden-stale');
    const make = configFile({
      ...base,
      variants: [{ fixture: 'onnx-float32' }],
      reference: { kind: 'golden-outputs', dir: golden },
    });
    expect((await run('check', '--config', make, '--update-golden')).code).toBe(0);
    const other = configFile({
      ...base,
      inputs: { ...base.inputs, maxSeqLength: 24 },
      variants: [{ fixture: 'onnx-float32' }],
      reference: { kind: 'golden-outputs', dir: golden },
    });
    const json = join(dir, 'stale.json');
    expect((await run('check', '--config', other, '--json', json)).code).toBe(2);
    expect(modelCell(readJson(json), 'onnx-float32@onnx/host').error).toEqual({
      code: 'E_GOLDEN_STALE',
      message: `${join(golden, 'index.json')}: inputs.max_seq_length is 32, this run has 24; regenerate with bert-parity check --update-golden`,
    });
  });

  it('--shard i/n runs disjoint parts that together are the whole matrix', async () => {
    const config = configFile({ ...base, latencyRuns: 0 });
    const ids: string[][] = [];
    for (const shard of ['1/2', '2/2']) {
      const json = join(dir, `shard-${shard.replace('/', '-')}.json`);
      expect((await run('check', '--config', config, '--shard', shard, '--json', json)).code).toBe(0);
      const r = readJson(json);
      expect(r.shard).toEqual({ index: Number(shard[0]), total: 2 });
      ids.push(r.cells.map((c) => c.id));
    }
    expect(ids).toEqual([
      ['tokenizer:ours/fixture-uncased.lower.dev', 'onnx-int8@onnx/host'],
      ['onnx-float32@onnx/host', 'tflite-int8@litert/host'],
    ]);
  });

  it('--platform android keeps only TFLite cells and reports a missing adb per cell (E_ADB_UNAVAILABLE, exit 2)', async () => {
    const json = join(dir, 'android.json');
    const config = configFile({
      ...base,
      variants: [{ fixture: 'onnx-float32' }, { fixture: 'tflite-int8' }],
      tokenizer: { vocab: base.tokenizer.vocab },
    });
    const saved = process.env.ADB;
    process.env.ADB = join(dir, 'no-such-adb');
    try {
      expect((await run('check', '--config', config, '--platform', 'android', '--json', json)).code).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.ADB;
      else process.env.ADB = saved;
    }
    const report = readJson(json);
    // The ONNX variant has no android cell: the device runs TFLite models only.
    expect(report.cells.map((c: { id: string }) => c.id)).toEqual(['tflite-int8@litert/android']);
    expect(modelCell(report, 'tflite-int8@litert/android').error?.code).toBe('E_ADB_UNAVAILABLE');
  });

  it('a runtime reference runs first and the cells compare against its outputs', async () => {
    const json = join(dir, 'runtime-ref.json');
    const config = configFile({
      ...base,
      variants: [{ fixture: 'onnx-float32' }, { fixture: 'tflite-float32' }],
      reference: { kind: 'runtime', runtime: 'onnx', variant: 'onnx-float32' },
    });
    expect((await run('check', '--config', config, '--json', json)).code).toBe(0);
    const r = readJson(json);
    expect(r.reference.kind).toBe('runtime');
    expect(r.reference.description).toMatch(/^onnx-float32 on onnx \(onnxruntime-node /);
    expect(modelCell(r, 'onnx-float32@onnx/host').outputs.every((o) => o.stats.relL2 === 0)).toBe(true);
    expect(modelCell(r, 'tflite-float32@litert/host').outputs.every((o) => o.stats.relL2 > 0)).toBe(true);
  });

  it.skipIf(tfjsNodeInstalled)(
    'an optional runtime that cannot load is skipped (exit 0); a required one is an error (exit 2)',
    async () => {
      const json = join(dir, 'optional.json');
      const variants = [{ fixture: 'tfjs-float32' }];
      const optional = configFile({ ...base, variants, runtimes: [{ name: 'tfjs-node', optional: true }] });
      expect((await run('check', '--config', optional, '--json', json)).code).toBe(0);
      const skipped = modelCell(readJson(json), 'tfjs-float32@tfjs-node/host');
      expect(skipped.status).toBe('skipped');
      expect(skipped.error?.code).toBe('E_RUNTIME_UNAVAILABLE');
      const required = configFile({ ...base, variants, runtimes: [{ name: 'tfjs-node' }] });
      expect((await run('check', '--config', required, '--json', json)).code).toBe(2);
      expect(modelCell(readJson(json), 'tfjs-float32@tfjs-node/host').status).toBe('error');
    },
  );

  it('labelled inputs add task accuracy per cell, computed against the same labels for the reference', async () => {
    // Labels: the float64 reference's own argmax for 4 texts and a wrong class for 2, so the reference's
    // accuracy is exactly 4/6 and a float32 model (top-1 agreement 100%) matches it.
    const corpus = readFileSync(resolve(REPO_ROOT, 'golden/corpus.dev.jsonl'), 'utf8').split('\n');
    const texts = corpus.slice(0, 6).map((l) => (JSON.parse(l) as { text: string }).text);
    const fixtures = await buildFixtures();
    const tok = new BertTokenizer(Vocabulary.fromFile(base.tokenizer.vocab));
    const labels = texts.map((text, i) => {
      const e = tok.encode(text, null, { maxSeqLength: 32 });
      const logits = fixtures.reference.forward({
        batch: 1,
        seqLength: 32,
        inputIds: e.ids,
        attentionMask: e.attentionMask,
        tokenTypeIds: e.typeIds,
      }).logits;
      const best = argmaxRows(logits, fixtures.config.numLabels)[0] as number;
      return { text, label: i < 4 ? best : (best + 1) % fixtures.config.numLabels };
    });
    const labelsPath = join(dir, 'labels.jsonl');
    writeFileSync(labelsPath, labels.map((l) => JSON.stringify(l)).join('\n'));
    const json = join(dir, 'labelled.json');
    const config = configFile({
      ...base,
      variants: [{ fixture: 'onnx-float32' }],
      runtimes: [{ name: 'onnx' }],
      inputs: { labels: labelsPath, count: 6, maxSeqLength: 32 },
    });
    expect((await run('check', '--config', config, '--json', json)).code).toBe(0);
    expect(modelCell(readJson(json), 'onnx-float32@onnx/host').accuracy).toEqual({
      value: 4 / 6,
      reference: 4 / 6,
      delta: 0,
    });
  });
});
