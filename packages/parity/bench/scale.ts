/**
 * pnpm bench:scale [--json] [--texts N] [--sizes tiny,mobilebert,base]
 *
 * What a check costs as the model grows (issue 15 item 4): for each size (bench/scale-sizes.ts) it builds
 * the fixture into the fixture cache (bert-base's shape: about a minute and 2 GB the first time), computes
 * golden outputs once into node_modules/.cache/bert-parity-bench-scale (reference auto), then runs the
 * check on N corpus texts (default 100) padded to 128 positions, each step in a child process of its own,
 * and prints: wall time of the check, time inside the runtimes, their ratio (goal <= 1.5), the child's
 * peak RSS against the largest model file (one model is open at a time; goal <= 3x), and each cell's drift.
 * A benchmark, not a test: it never fails on its numbers. Times depend on the machine's load (printed).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sci } from '@bert-parity/metrics';
import { REPO_ROOT } from '../src/paths.ts';
import { SCALE_SIZES, type ScaleSize, scaleSize } from './scale-sizes.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    texts: { type: 'string', default: '100' },
    sizes: { type: 'string', default: SCALE_SIZES.map((s) => s.name).join(',') },
  },
});
const texts = Number(values.texts);
const sizes = values.sizes.split(',').map(scaleSize);
const say = (line: string) => {
  if (!values.json) console.log(line);
};
const TSX = join(REPO_ROOT, 'node_modules/.bin/tsx');

/** Runs a script in a child process; returns its last stdout line parsed as JSON (or nothing) and its wall time. */
function child(script: string, args: string[]): { result: unknown; ms: number } {
  const started = performance.now();
  const r = spawnSync(TSX, [join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'inherit'],
    // As `pnpm bert-parity` runs the check (package.json): glibc returns freed blocks of 1 MiB and more
    // to the system at once (README, "Real size").
    env: { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=1048576' },
  });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited ${r.status}:\n${r.stdout}`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return { result: last.startsWith('{') ? JSON.parse(last) : undefined, ms };
}

interface CheckResult {
  wallMs: number;
  runtimeMs: number;
  maxRssMB: number;
  rssBeforeMB: number;
  largestModelMB: number;
  reference: string;
  cells: {
    id: string;
    status: string;
    error?: string;
    runtimeMs: number;
    wallMs: number;
    relL2: Record<string, number>;
    top1?: number;
  }[];
}

const rows: (CheckResult & { size: ScaleSize; buildMs: number; golden?: unknown; childMs: number })[] = [];
say(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (${texts} texts, 128 positions)`,
);
for (const size of sizes) {
  say(`${size.title}: building the fixture (cached after the first time)...`);
  const build = child('packages/fixtures/src/cli.ts', [
    '--family',
    size.family,
    ...(size.preset === undefined ? [] : ['--preset', size.preset]),
  ]);
  say(`${size.title}: golden outputs (cached after the first time)...`);
  const golden = child('packages/parity/bench/scale-run.ts', [size.name, String(texts), 'golden']);
  say(`${size.title}: check...`);
  const check = child('packages/parity/bench/scale-run.ts', [size.name, String(texts), 'check']);
  rows.push({
    ...(check.result as CheckResult),
    size,
    buildMs: build.ms,
    golden: golden.result,
    childMs: check.ms,
  });
}
say(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

if (values.json) {
  console.log(JSON.stringify({ texts, loadavg: loadavg(), rows }, null, 2));
} else {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  console.log('');
  console.log(
    '| size | cells passing | check wall (s) | in runtimes (s) | wall / runtimes (goal <= 1.5) | peak RSS (MB) | largest model (MB) | RSS / model (goal <= 3) | RSS before the check (MB) | (peak - before) / model |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = r.wallMs / r.runtimeMs;
    const rss = r.maxRssMB / r.largestModelMB;
    console.log(
      `| ${r.size.title} | ${r.cells.filter((c) => c.status === 'pass').length} of ${r.cells.length} | ${s(r.wallMs)} | ${s(r.runtimeMs)} | ${ratio.toFixed(2)} ${ratio <= 1.5 ? 'met' : 'NOT met'} | ${r.maxRssMB.toFixed(0)} | ${r.largestModelMB.toFixed(0)} | ${rss.toFixed(1)} ${rss <= 3 ? 'met' : 'NOT met'} | ${r.rssBeforeMB.toFixed(0)} | ${((r.maxRssMB - r.rssBeforeMB) / r.largestModelMB).toFixed(1)} |`,
    );
  }
  for (const r of rows) {
    console.log('');
    console.log(`${r.size.title}, reference: ${r.reference}`);
    console.log(
      '| cell | status | relL2 last_hidden_state | relL2 pooler_output | relL2 logits | top-1 | in runtime (s) |',
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const c of r.cells) {
      const rel = (o: string) => (c.relL2[o] === undefined ? '-' : sci(c.relL2[o] as number));
      console.log(
        `| ${c.id} | ${c.status}${c.error === undefined ? '' : ` (${c.error.slice(0, 80)})`} | ${rel('last_hidden_state')} | ${rel('pooler_output')} | ${rel('logits')} | ${c.top1 === undefined ? '-' : `${(c.top1 * 100).toFixed(0)}%`} | ${s(c.runtimeMs)} |`,
      );
    }
  }
}
