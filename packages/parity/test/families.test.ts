import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildFixtures, buildMobileBertFixtures } from '@bert-parity/fixtures';
import { resetTorchProbe, torchUnavailable } from '@bert-parity/torch-export';
import { afterAll, describe, expect, it } from 'vitest';
import { shownPath } from '../src/engine/plan.ts';
import { REPO_ROOT } from '../src/paths.ts';
import type { ModelCell, ParityReport } from '../src/report/types.ts';
import { runCli as run } from './helpers/cli.ts';

/**
 * Two architectures in one run: `float64-fixture` follows the fixture each variant came from (an embedded
 * fixture of either family, or a file inside a folder written by pnpm fixtures:build), refusing before any
 * cell runs when it cannot; the torch.onnx.export variants are skipped, saying why, where python3-torch is
 * missing and they are optional.
 */
const dir = mkdtempSync(join(tmpdir(), 'bp-families-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  runtimes: [{ name: 'onnx', batch: 4 }],
  inputs: { corpus: resolve(REPO_ROOT, 'golden/corpus.dev.jsonl'), count: 6, maxSeqLength: 32 },
  tokenizer: { vocab: resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt') },
  bounds: { float32: { '*': { relL2: 1e-5 } } },
  latencyRuns: 0,
};

let n = 0;
function configFile(config: unknown): string {
  const path = join(dir, `config-${n++}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as ParityReport;
const modelCell = (r: ParityReport, id: string) => r.cells.find((c) => c.id === id) as ModelCell;

describe('reference float64-fixture follows the fixture each variant came from', () => {
  it('compares BERT, MobileBERT and a fixtures:build folder with a non-default config each with its own forward pass', async () => {
    const bert = await buildFixtures();
    const mobile = await buildMobileBertFixtures();
    const folder = await buildFixtures({ numLayers: 1, seed: 3 }, { outDir: join(dir, 'one-layer') });
    const json = join(dir, 'three.json');
    const config = configFile({
      ...base,
      variants: [
        { fixture: 'onnx-float32' },
        { fixture: 'mobilebert-onnx-float32' },
        { name: 'one-layer', file: join(folder.dir, 'onnx', 'float32.onnx') },
      ],
    });
    expect((await run('check', '--config', config, '--json', json)).code).toBe(0);
    const report = readJson(json);
    const cells = ['onnx-float32', 'mobilebert-onnx-float32', 'one-layer'].map((v) =>
      modelCell(report, `${v}@onnx/host`),
    );
    expect(cells.map((c) => c.status)).toEqual(['pass', 'pass', 'pass']);
    for (const c of cells) for (const o of c.outputs) expect(o.stats.relL2).toBeLessThan(1e-5);
    expect(cells.map((c) => c.reference)).toEqual([
      `float64 forward pass of the tiny BERT fixture (config ${bert.configHash})`,
      `float64 forward pass of the MobileBERT fixture (config ${mobile.configHash})`,
      `float64 forward pass of the tiny BERT fixture (config ${folder.configHash}, ${shownPath(join(dir, 'one-layer'))})`,
    ]);
    expect(report.reference.kind).toBe('float64-fixture');
    expect(report.reference.description).toBe(
      `the float64 forward pass of each variant's fixture: tiny BERT fixture (config ${bert.configHash}); MobileBERT fixture (config ${mobile.configHash}); tiny BERT fixture (config ${folder.configHash}, ${shownPath(join(dir, 'one-layer'))})`,
    );
  });

  it('refuses, before any cell runs, a file variant that came from no fixture folder (E_CONFIG, exit 2)', async () => {
    const stray = join(dir, 'stray.onnx');
    writeFileSync(stray, readFileSync((await buildFixtures()).files[0]?.path as string));
    const json = join(dir, 'stray.json');
    const config = configFile({ ...base, variants: [{ fixture: 'onnx-float32' }, { file: stray }] });
    const { code, err } = await run('check', '--config', config, '--json', json);
    expect(code).toBe(2);
    expect(err).toBe(
      `bert-parity: E_CONFIG: reference float64-fixture: variant stray (${shownPath(stray)}) came from no fixture folder (no bert-parity manifest.json at or above it); expected fixture variants, files written by pnpm fixtures:build --out DIR, or reference kind runtime or golden-outputs for your own models`,
    );
    expect(existsSync(json)).toBe(false);
  });

  it('refuses a fixture folder whose manifest does not match its config hash, naming the mismatch', async () => {
    const folder = await buildFixtures({ seed: 4 }, { outDir: join(dir, 'edited') });
    const manifest = join(folder.dir, 'manifest.json');
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    writeFileSync(manifest, JSON.stringify({ ...m, config: { ...m.config, seed: 5 } }));
    const config = configFile({ ...base, variants: [{ file: join(folder.dir, 'onnx', 'float32.onnx') }] });
    const { code, err } = await run('check', '--config', config);
    expect(code).toBe(2);
    expect(err).toMatch(
      new RegExp(
        `^bert-parity: E_CONFIG: reference float64-fixture: variant float32: ${manifest.replaceAll('/', '\\/')}: config hash ${folder.configHash} \\(fixture generator \\d+\\) is not what this bert-parity computes for the recorded bert config \\([0-9a-f]{16}, generator \\d+\\); the files were made by another generator or edited: rebuild them with pnpm fixtures:build --out `,
      ),
    );
  });

  it('--update-golden from float64-fixture needs the variants to come from one fixture', async () => {
    const config = configFile({
      ...base,
      variants: [{ fixture: 'onnx-float32' }, { fixture: 'mobilebert-onnx-float32' }],
      reference: { kind: 'golden-outputs', dir: join(dir, 'golden-two') },
    });
    const { code, err } = await run('check', '--config', config, '--update-golden');
    expect(code).toBe(2);
    const [bert, mobile] = [await buildFixtures(), await buildMobileBertFixtures()];
    expect(err).toBe(
      `bert-parity: E_CONFIG: reference float64-fixture for golden outputs needs the variants to come from one fixture; they come from bert (config ${bert.configHash}) and mobilebert (config ${mobile.configHash}); expected one fixture family and config per golden set`,
    );
  });
});

describe('optional torch.onnx.export variants', () => {
  it('are skipped with the install hint where python3-torch is missing; a required one is an error', async () => {
    const saved = process.env.BERT_PARITY_PYTHON;
    const python = join(dir, 'no-such-python3');
    process.env.BERT_PARITY_PYTHON = python;
    resetTorchProbe();
    try {
      const json = join(dir, 'torch-optional.json');
      const variants = [{ fixture: 'onnx-torch-mobilebert-opset14-float32', optional: true }];
      expect((await run('check', '--config', configFile({ ...base, variants }), '--json', json)).code).toBe(0);
      const skipped = modelCell(readJson(json), 'onnx-torch-mobilebert-opset14-float32@onnx/host');
      expect(skipped.status).toBe('skipped');
      expect(skipped.error).toEqual({
        code: 'E_GENERATOR_UNAVAILABLE',
        message: `the torch.onnx.export fixtures need PyTorch for ${python}, which cannot import it (${python} does not exist); install it with apt-get install -y python3-torch (Debian 12 ships PyTorch 1.13 for /usr/bin/python3)`,
      });
      const required = configFile({ ...base, variants: [{ fixture: 'onnx-torch-mobilebert-opset14-float32' }] });
      expect((await run('check', '--config', required, '--json', json)).code).toBe(2);
      expect(modelCell(readJson(json), 'onnx-torch-mobilebert-opset14-float32@onnx/host').status).toBe('error');
    } finally {
      if (saved === undefined) delete process.env.BERT_PARITY_PYTHON;
      else process.env.BERT_PARITY_PYTHON = saved;
      resetTorchProbe();
    }
  });
});

const torchMissing = await torchUnavailable();
if (torchMissing !== undefined) console.warn(`torch.onnx.export cells skipped: ${torchMissing}`);

describe.skipIf(torchMissing !== undefined)('torch.onnx.export variants with python3-torch', () => {
  it('run on onnxruntime-node and transformers.js against the same float64 reference', async () => {
    const json = join(dir, 'torch.json');
    const config = configFile({
      ...base,
      runtimes: [
        { name: 'onnx', batch: 4 },
        { name: 'transformers', batch: 4 },
      ],
      variants: [
        { fixture: 'onnx-torch-bert-opset17-float32' },
        { fixture: 'onnx-torch-mobilebert-opset14-float32' },
        { fixture: 'hf-torch-mobilebert-float32' },
      ],
    });
    expect((await run('check', '--config', config, '--json', json)).code).toBe(0);
    const r = readJson(json);
    expect(r.cells.map((c) => `${c.id} ${c.status}`)).toEqual([
      'onnx-torch-bert-opset17-float32@onnx/host pass',
      'onnx-torch-mobilebert-opset14-float32@onnx/host pass',
      'hf-torch-mobilebert-float32@transformers/host pass',
    ]);
    const mobile = await buildMobileBertFixtures();
    expect(modelCell(r, 'hf-torch-mobilebert-float32@transformers/host').reference).toBe(
      `float64 forward pass of the MobileBERT fixture (config ${mobile.configHash})`,
    );
  });
});
