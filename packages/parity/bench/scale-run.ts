/**
 * One size of `pnpm bench:scale`, run by bench/scale.ts in a process of its own so that sizes never share
 * a heap: `tsx bench/scale-run.ts SIZE TEXTS golden|check`. `golden` computes the size's golden outputs once
 * (reference auto: the float64 pass where it fits, else ONNX float32 on onnxruntime-node) into the bench
 * cache; `check` runs the matrix against them and prints one JSON line: the report's timing and cells, the
 * process's peak RSS (process.resourceUsage().maxRSS), its RSS before the check, and the largest model file
 * (one model is open at a time: a cell closes its model before the next opens, and compares each batch as
 * it comes).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildFamily, FAMILIES, presetNamed } from '@bert-parity/fixtures';
import { configFromValue } from '../src/config/index.ts';
import { runCheck, setUpRun, updateGoldenOutputs } from '../src/engine/index.ts';
import { REPO_ROOT } from '../src/paths.ts';
import type { ModelCell } from '../src/report/types.ts';
import { residentKb } from './rss.ts';
import { SCALE_SIZES, scaleSize } from './scale-sizes.ts';

const [sizeName, textsArg, mode] = process.argv.slice(2);
const size = scaleSize(sizeName);
const texts = Number(textsArg);
if (!(Number.isInteger(texts) && texts > 0) || (mode !== 'golden' && mode !== 'check')) {
  throw new Error(`usage: scale-run.ts ${SCALE_SIZES.map((s) => s.name).join('|')} TEXTS golden|check`);
}

const family = FAMILIES[size.family];
const fixtures = await buildFamily(
  family as never,
  size.preset === undefined ? {} : presetNamed(size.family, size.preset, 'preset'),
);
const fileOf = (format: string, precision: string) => {
  const f = fixtures.files.find((x) => x.format === format && x.precision === precision && x.variant === 'standard');
  if (f === undefined) throw new Error(`${size.name}: no ${format} ${precision} fixture`);
  return f.path;
};
const variants = size.variants.map(([format, precision]) => ({
  name: `${format === 'tfjs-graph' ? 'tfjs' : format}-${precision}`,
  file: fileOf(format, precision),
}));
const goldenDir = resolve(REPO_ROOT, 'node_modules/.cache/bert-parity-bench-scale', `${fixtures.configHash}-${texts}`);
const loaded = configFromValue(
  {
    variants,
    runtimes: size.runtimes.map((name) => ({ name, batch: 16 })),
    inputs: { corpus: resolve(REPO_ROOT, 'golden/corpus.dev.jsonl'), count: texts, maxSeqLength: 128 },
    tokenizer: { vocab: fixtures.config.vocabPath },
    reference: {
      kind: 'golden-outputs',
      dir: goldenDir,
      source: { kind: 'auto', runtime: 'onnx', variant: 'onnx-float32' },
    },
    // Issue 15 item 6's targets at any size.
    bounds: {
      float32: { '*': { relL2: 1e-5 } },
      float16: { '*': { relL2: 5e-3 }, logits: { relL2: 5e-3, top1AgreementMin: 0.9 } },
      uint8: { '*': { relL2: 1e-1 } },
      int8: { '*': { relL2: 1e-1 } },
    },
    latencyRuns: 0,
  },
  REPO_ROOT,
);

if (mode === 'golden' && existsSync(join(goldenDir, 'index.json'))) {
  console.log(JSON.stringify({ cached: goldenDir }));
} else if (mode === 'golden') {
  const started = performance.now();
  const reference = await updateGoldenOutputs(loaded, await setUpRun(loaded));
  console.log(
    JSON.stringify({
      goldenMs: performance.now() - started,
      reference: reference.description,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
} else {
  if (!existsSync(join(goldenDir, 'index.json'))) throw new Error(`${goldenDir}: run the golden step first`);
  // What the process holds before any model opens (Node, the fixture's files listed, the config): the peak
  // above it is what the check's models and runs cost.
  const rssBeforeMB = residentKb() / 1024;
  const report = await runCheck(loaded);
  const cells = report.cells
    .filter((c): c is ModelCell => c.kind === 'model')
    .map((c) => ({
      id: c.id,
      status: c.status,
      error: c.error?.message,
      runtimeMs: c.runtimeMs,
      wallMs: c.wallMs,
      relL2: Object.fromEntries(c.outputs.map((o) => [o.output, o.stats.relL2])),
      top1: c.outputs.find((o) => o.output === 'logits')?.stats.top1Agreement,
    }));
  console.log(
    JSON.stringify({
      wallMs: report.timing.wallMs,
      runtimeMs: report.timing.runtimeMs,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      rssBeforeMB,
      largestModelMB: Math.max(...variants.map((v) => sizeOnDisk(v.file))) / 1e6,
      reference: report.reference.description,
      cells,
    }),
  );
}

/** Bytes of a model file; of a TF.js model.json with its weight shards. */
function sizeOnDisk(path: string): number {
  if (!path.endsWith('model.json')) return statSync(path).size;
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { weightsManifest: { paths: string[] }[] };
  const shards = manifest.weightsManifest.flatMap((g) => g.paths);
  return shards.reduce((t, p) => t + statSync(join(dirname(path), p)).size, statSync(path).size);
}
