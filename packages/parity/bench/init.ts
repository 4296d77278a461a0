/**
 * pnpm bench:init [--json] [--runs N]
 *
 * What `bert-parity init --derive float16,int8` costs and gives, measured in one run:
 * - derive: median time (of N) and the file sizes, for the fixture's float32 ONNX and the ORT toy torch.onnx
 *   export (../shared/models, BERT_PARITY_SHARED elsewhere; left out, saying so, when absent);
 * - drift: the derived variants against the fixture's float64 reference on the first 200 corpus texts,
 *   beside the fixture factory's own float16/int8 exports measured the same way (the README's numbers);
 *   and the ORT toy's derived variants against its float32 outputs;
 * - init → check: wall time of init (derive, reference outputs) and of the check it prepared.
 * A benchmark, not a test: it never fails on its numbers. Times depend on the machine's load (printed).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildFixtures } from '@bert-parity/fixtures';
import { sci } from '@bert-parity/metrics';
import { type DerivedPrecision, deriveOnnxFile } from '@bert-parity/onnx-derive';
import { configFromValue, loadConfig } from '../src/config/index.ts';
import { runCheck } from '../src/engine/index.ts';
import { runInit } from '../src/init/run-init.ts';
import { REPO_ROOT, SHARED_DIR } from '../src/paths.ts';
import type { ModelCell, ParityReport } from '../src/report/types.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const ORT_TOY = join(SHARED_DIR, 'models/ort-bert_toy_optimized.onnx');
const VOCAB = join(REPO_ROOT, 'golden/vocab/fixture-uncased.txt');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const dir = mkdtempSync(join(tmpdir(), 'bench-init-'));
const say = (line: string) => {
  if (!json) console.log(line);
};

const fixtures = await buildFixtures();
const factory = (precision: string) =>
  fixtures.files.find((f) => f.format === 'onnx' && f.variant === 'standard' && f.precision === precision)
    ?.path as string;

// 1. Derive time and sizes.
const sources = [{ name: 'fixture float32 ONNX', path: factory('float32') }];
if (existsSync(ORT_TOY)) sources.push({ name: 'ORT toy torch.onnx export', path: ORT_TOY });
else say(`(ORT toy left out: ${ORT_TOY} is absent)`);
const derive: { source: string; precision: DerivedPrecision; medianMs: number; sourceBytes: number; bytes: number }[] =
  [];
for (const s of sources) {
  for (const precision of ['float16', 'int8'] as const) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = deriveOnnxFile(s.path, precision, join(dir, `${basename(s.path)}.${precision}.onnx`));
      times.push(r.ms);
      bytes = r.files.reduce((n, f) => n + f.bytes, 0);
    }
    derive.push({ source: s.name, precision, medianMs: median(times), sourceBytes: statSync(s.path).size, bytes });
  }
}
say(
  `\nderive (median of ${RUNS}; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')})`,
);
say('| source | precision | ms | source bytes | derived bytes | ratio |');
say('| --- | --- | ---: | ---: | ---: | ---: |');
for (const d of derive) {
  say(
    `| ${d.source} | ${d.precision} | ${d.medianMs.toFixed(0)} | ${d.sourceBytes.toLocaleString('en-US')} | ${d.bytes.toLocaleString('en-US')} | ${(d.bytes / d.sourceBytes).toFixed(2)} |`,
  );
}

// 2. Drift of the derived fixture variants and the factory's exports against float64, 200 corpus texts.
const loose = { relL2: 1, cosineMin: -1 };
const drift = await runCheck(
  configFromValue(
    {
      variants: [
        { fixture: 'onnx-float16', name: 'factory-float16' },
        { file: join(dir, `${basename(factory('float32'))}.float16.onnx`), name: 'derived-float16' },
        { fixture: 'onnx-int8', name: 'factory-int8' },
        { file: join(dir, `${basename(factory('float32'))}.int8.onnx`), name: 'derived-int8' },
      ],
      runtimes: [{ name: 'onnx', batch: 50, threads: 1 }],
      inputs: { corpus: join(REPO_ROOT, 'golden/corpus.dev.jsonl'), count: 200 },
      tokenizer: { vocab: VOCAB },
      reference: { kind: 'float64-fixture' },
      bounds: { float16: { '*': loose }, int8: { '*': loose } },
      latencyRuns: 0,
    },
    dir,
  ),
);
const rows = (r: ParityReport) =>
  r.cells
    .filter((c): c is ModelCell => c.kind === 'model')
    .map((c) => ({
      variant: c.variant,
      precision: c.precision,
      relL2: Object.fromEntries(c.outputs.map((o) => [o.output, o.stats.relL2])),
      top1: c.outputs.find((o) => o.stats.top1Agreement !== undefined)?.stats.top1Agreement,
    }));
const fixtureDrift = rows(drift);
say('\nfixture: relL2 against the float64 reference (200 corpus texts, onnxruntime-node, 1 thread)');
say('| variant | last_hidden_state | pooler_output | logits | top-1 |');
say('| --- | ---: | ---: | ---: | ---: |');
for (const r of fixtureDrift) {
  say(
    `| ${r.variant} | ${sci(r.relL2.last_hidden_state as number)} | ${sci(r.relL2.pooler_output as number)} | ${sci(r.relL2.logits as number)} | ${((r.top1 ?? 0) * 100).toFixed(1)}% |`,
  );
}

// 3. init → check on a folder holding one float32 ONNX file and its vocabulary.
const flows: {
  model: string;
  initMs: number;
  checkMs: number;
  deriveMs: number;
  goldenMs: number;
  drift: ReturnType<typeof rows>;
}[] = [];
for (const s of sources) {
  const folder = join(dir, `flow-${flows.length}`);
  mkdirSync(join(folder, 'model'), { recursive: true });
  copyFileSync(s.path, join(folder, 'model', basename(s.path)));
  if (s.path === ORT_TOY) {
    // The toy's embedding has 99 rows: BERT's special tokens and the fixture vocabulary's first plain tokens.
    const words = readFileSync(VOCAB, 'utf8')
      .split('\n')
      .filter((t) => t !== '' && !/^\[.*\]$/.test(t));
    writeFileSync(
      join(folder, 'model/vocab.txt'),
      `${['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...words.slice(0, 94)].join('\n')}\n`,
    );
  } else {
    copyFileSync(VOCAB, join(folder, 'model/vocab.txt'));
  }
  const init = await runInit({
    paths: [join(folder, 'model')],
    out: join(folder, 'parity.config.ts'),
    derive: ['float16', 'int8'],
  });
  const t0 = performance.now();
  const report = await runCheck(await loadConfig(init.configPath));
  flows.push({
    model: s.name,
    initMs: init.ms.total,
    deriveMs: init.ms.derive,
    goldenMs: init.ms.golden,
    checkMs: performance.now() - t0,
    drift: rows(report),
  });
}
say(
  `\ninit --derive float16,int8 → check (200 corpus texts; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')})`,
);
say('| model | init s (derive, reference outputs) | check s | cells |');
say('| --- | ---: | ---: | --- |');
for (const f of flows) {
  say(
    `| ${f.model} | ${(f.initMs / 1000).toFixed(1)} (${(f.deriveMs / 1000).toFixed(1)}, ${(f.goldenMs / 1000).toFixed(1)}) | ${(f.checkMs / 1000).toFixed(1)} | ${f.drift
      .map(
        (d) =>
          `${d.variant} ${Object.entries(d.relL2)
            .map(([k, v]) => `${k} ${sci(v)}`)
            .join(', ')}`,
      )
      .join('; ')} |`,
  );
}
if (json) console.log(JSON.stringify({ runs: RUNS, loadavg: loadavg(), derive, fixtureDrift, flows }, null, 2));
