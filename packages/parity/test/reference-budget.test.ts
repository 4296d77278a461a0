import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BERT_BASE, buildFixtures, FAMILIES, PUBLISHED_MOBILEBERT, resolveConfig } from '@bert-parity/fixtures';
import { BertTokenizer, Vocabulary } from '@bert-parity/tokenizer';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusInputs } from '../src/engine/inputs.ts';
import { DEFAULT_FLOAT64_BUDGET } from '../src/engine/reference.ts';
import { REPO_ROOT } from '../src/paths.ts';
import type { ModelCell, ParityReport } from '../src/report/types.ts';
import { runCli as run } from './helpers/cli.ts';

/**
 * The float64 reference costs multiply-adds in proportion to the model (each family counts them from its
 * config): an explicit float64-fixture over its budget is refused before any cell runs; `auto` takes the
 * float64 pass where it fits and its runtime reference where it does not, saying why in the report.
 */
const dir = mkdtempSync(join(tmpdir(), 'bp-budget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const corpus = resolve(REPO_ROOT, 'golden/corpus.dev.jsonl');
const vocab = resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt');
const base = {
  variants: [{ fixture: 'onnx-float32' }, { fixture: 'onnx-float16' }],
  runtimes: [{ name: 'onnx', batch: 4 }],
  inputs: { corpus, count: 6, maxSeqLength: 32 },
  tokenizer: { vocab },
  bounds: { float32: { '*': { relL2: 1e-5 } }, float16: { '*': { relL2: 5e-3 } } },
  latencyRuns: 0,
};
let n = 0;
function configFile(reference: unknown): string {
  const path = join(dir, `config-${n++}.json`);
  writeFileSync(path, JSON.stringify({ ...base, reference }));
  return path;
}
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as ParityReport;

/** What the engine counts for the tiny BERT on these 6 inputs: each case at its unpadded length. */
async function tinyBertCost(): Promise<{ multiplyAdds: number; configHash: string }> {
  const tokenizer = new BertTokenizer(Vocabulary.fromFile(vocab), { lowercase: true });
  const inputs = corpusInputs(corpus, corpus, { count: 6, types: ['text', 'pair'], maxSeqLength: 32 }, tokenizer);
  const fixtures = await buildFixtures();
  const multiplyAdds = inputs.cases.reduce(
    (t, c) => t + FAMILIES.bert.multiplyAdds(fixtures.config, c.attentionMask.lastIndexOf(1) + 1),
    0,
  );
  return { multiplyAdds, configHash: fixtures.configHash };
}

describe('the float64 reference has a budget', () => {
  it('counts multiply-adds from the config: dense kernels per position, attention per position pair, the head', () => {
    const c = resolveConfig();
    // 2 layers x (n (4 x 64^2 + 2 x 64 x 128) + 2 n^2 64) + head 64^2 + 2 x 64^2 + 2 x 64 x 28, at n = 10.
    expect(FAMILIES.bert.multiplyAdds(c, 10)).toBe(
      2 * (10 * (4 * 64 * 64 + 2 * 64 * 128) + 2 * 100 * 64) + 3 * 64 * 64 + 2 * 64 * 28,
    );
    // The published shapes at 128 positions (what pnpm fixtures:reference-cost times). bert-base: 12 layers
    // of 768 / 3072. MobileBERT: trigram embedding 3 x 128 -> 512; per layer 3 bottlenecks 512 x 128, q, k,
    // attention output 128^2, value 512 x 128, 4 FFNs 2 x 128 x 512, attention over 128 channels.
    expect(FAMILIES.bert.multiplyAdds(resolveConfig(BERT_BASE), 128)).toBe(
      12 * (128 * (4 * 768 ** 2 + 2 * 768 * 3072) + 2 * 128 ** 2 * 768) + 3 * 768 ** 2 + 2 * 768 * 28,
    );
    const mobile = FAMILIES.mobilebert.resolve(PUBLISHED_MOBILEBERT);
    const mobileLayer = 3 * 512 * 128 + 3 * 128 ** 2 + 512 * 128 + 4 * 2 * 128 * 512;
    expect(FAMILIES.mobilebert.multiplyAdds(mobile, 128)).toBe(
      128 * 3 * 128 * 512 + 24 * (128 * mobileLayer + 2 * 128 ** 2 * 128) + 3 * 512 ** 2 + 2 * 512 * 28,
    );
    expect(FAMILIES.mobilebert.multiplyAdds(mobile, 128)).toBe(2693558272);
    expect(DEFAULT_FLOAT64_BUDGET).toBe(6e10);
  });

  it('refuses an explicit float64-fixture over maxMultiplyAdds before any cell runs (E_FLOAT64_BUDGET, exit 2)', async () => {
    const { multiplyAdds, configHash } = await tinyBertCost();
    const json = join(dir, 'refused.json');
    const r = await run(
      'check',
      '--config',
      configFile({ kind: 'float64-fixture', maxMultiplyAdds: 1e6 }),
      '--json',
      json,
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `bert-parity: E_FLOAT64_BUDGET: reference float64-fixture: the float64 forward pass of bert (config ${configHash}) takes ${multiplyAdds.toExponential(1)} multiply-adds for these 6 inputs (about 1 min at 2.0e+8/s), over maxMultiplyAdds 1.0e+6; expected reference { kind: 'auto', runtime, variant } (the float64 pass where it fits, else that runtime), a runtime reference, golden outputs computed once with --update-golden, or a larger maxMultiplyAdds`,
    );
  });

  it('auto: the float64 pass where it fits', async () => {
    const json = join(dir, 'auto-fits.json');
    const r = await run(
      'check',
      '--config',
      configFile({ kind: 'auto', runtime: 'onnx', variant: 'onnx-float32' }),
      '--json',
      json,
    );
    expect(r.code).toBe(0);
    const report = readJson(json);
    expect(report.reference.kind).toBe('float64-fixture');
  });

  it('auto: the runtime reference above the budget, saying why; the cells compare against it', async () => {
    const { multiplyAdds, configHash } = await tinyBertCost();
    const json = join(dir, 'auto-over.json');
    const reference = { kind: 'auto', runtime: 'onnx', variant: 'onnx-float32', maxMultiplyAdds: 1e6 };
    const r = await run('check', '--config', configFile(reference), '--json', json);
    expect(r.code).toBe(0);
    const report = readJson(json);
    expect(report.reference.kind).toBe('runtime');
    expect(report.reference.description).toMatch(
      new RegExp(
        `^onnx-float32 on onnx \\(onnxruntime-node [0-9.]+\\) \\(auto: the float64 forward pass of bert \\(config ${configHash}\\) takes ${multiplyAdds.toExponential(1).replace('+', '\\+')} multiply-adds for these 6 inputs \\(about 1 min at 2\\.0e\\+8/s\\), over maxMultiplyAdds 1\\.0e\\+6\\)$`,
      ),
    );
    // The float32 cell is its own reference: no drift at all.
    const self = report.cells.find((c) => c.id === 'onnx-float32@onnx/host') as ModelCell;
    expect(self.outputs.map((o) => o.stats.maxAbs)).toEqual([0, 0, 0]);
    const half = report.cells.find((c) => c.id === 'onnx-float16@onnx/host') as ModelCell;
    expect(half.status).toBe('pass');
    expect(Math.max(...half.outputs.map((o) => o.stats.relL2))).toBeGreaterThan(1e-5);
  });
});
