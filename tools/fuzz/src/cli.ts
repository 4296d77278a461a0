import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isParityError } from '@bert-parity/core';
import { REPO_ROOT, readTree, scratch } from './seeds.ts';
import { type ReaderResult, runCampaign } from './supervisor.ts';
import { TARGETS, targetByName } from './targets.ts';

/**
 * `pnpm fuzz [--runs N] [--seconds S] [--json] [--target NAME]... [--seed N] [--out DIR] [--jobs J]`
 * `pnpm fuzz --replay DIR --target NAME` reads one saved input again and says what happened.
 * Exit 0 when no reader crashed or hung, 1 when one did, 2 on a usage error.
 */
const USAGE =
  'usage: pnpm fuzz [--runs N] [--seconds S] [--json] [--target NAME]... [--seed N] [--out DIR] [--jobs J] ' +
  '[--hang-ms MS] [--memory-mb MB] | --replay DIR --target NAME | --list';

function count(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a positive number`);
  return n;
}

class UsageError extends Error {}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const padL = (s: string | number, n: number) => String(s).padStart(n);

export function formatTable(results: readonly ReaderResult[], meta: { seed: number; out: string }): string {
  const head = `${pad('reader', 15)}${padL('inputs', 9)}${padL('inputs/s', 10)}${padL('crashes', 9)}${padL('hangs', 7)}${padL('peak MB', 9)}${padL('slowest ms', 12)}  coded errors (distinct: count)`;
  const lines = [head, '-'.repeat(head.length + 20)];
  for (const r of results) {
    const codes = Object.entries(r.codes)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ${n}`);
    lines.push(
      `${pad(r.name, 15)}${padL(r.inputs, 9)}${padL(r.inputsPerSecond.toFixed(0), 10)}${padL(
        r.crashes.reduce((s, c) => s + c.count, 0),
        9,
      )}` +
        `${padL(r.hangs.length, 7)}${padL(r.peakRssMb, 9)}${padL(r.slowestMs.toFixed(1), 12)}  ${codes.length}: ${codes.join(', ') || '-'}; read cleanly ${r.ok}`,
    );
  }
  const findings = results.flatMap((r) => [...r.crashes, ...r.hangs].map((f) => ({ r, f })));
  lines.push('');
  for (const { r, f } of findings) {
    lines.push(`${r.name}: ${f.kind} ×${f.count}: ${f.signature}`);
    if (f.input !== undefined)
      lines.push(`  input #${f.index}: ${f.input} (replay: pnpm fuzz --replay ${f.input} --target ${r.name})`);
  }
  const crashes = findings.filter(({ f }) => f.kind !== 'hang').length;
  const hangs = findings.length - crashes;
  lines.push(
    `${findings.length === 0 ? 'PASS' : 'FAIL'}  ${results.length} readers, ${results.reduce((s, r) => s + r.inputs, 0)} inputs, ` +
      `${crashes} distinct crash(es), ${hangs} hang(s); seed ${meta.seed}; findings in ${meta.out}`,
  );
  return lines.join('\n');
}

async function replay(dir: string, name: string | undefined): Promise<number> {
  const target = name === undefined ? undefined : targetByName(name);
  if (target === undefined)
    throw new UsageError(`--replay needs --target, one of ${TARGETS.map((t) => t.name).join(', ')}`);
  const input = existsSync(join(dir, 'input')) ? join(dir, 'input') : dir;
  const started = performance.now();
  try {
    await target.run(input, readTree(input));
    console.log(`${target.name}: read cleanly in ${(performance.now() - started).toFixed(1)} ms`);
    return 0;
  } catch (error) {
    const ms = (performance.now() - started).toFixed(1);
    if (isParityError(error)) {
      console.log(`${target.name}: ${error.code} in ${ms} ms: ${error.message}`);
      return 0;
    }
    console.log(`${target.name}: CRASH in ${ms} ms:`, error);
    return 1;
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runs: { type: 'string' },
      seconds: { type: 'string' },
      json: { type: 'boolean' },
      target: { type: 'string', multiple: true },
      seed: { type: 'string' },
      out: { type: 'string' },
      jobs: { type: 'string' },
      'hang-ms': { type: 'string' },
      'memory-mb': { type: 'string' },
      replay: { type: 'string' },
      list: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.list) {
    for (const t of TARGETS) console.log(`${pad(t.name, 15)}${t.reads}`);
    return 0;
  }
  if (values.replay !== undefined) return replay(resolve(values.replay), values.target?.[0]);
  const targets = (values.target ?? TARGETS.map((t) => t.name)).map((name) => {
    const t = targetByName(name);
    if (t === undefined)
      throw new UsageError(
        `--target ${JSON.stringify(name)}: expected one of ${TARGETS.map((x) => x.name).join(', ')}`,
      );
    return t;
  });
  const neither = values.runs === undefined && values.seconds === undefined;
  const options = {
    runs: neither ? 10_000 : count('--runs', values.runs, Number.POSITIVE_INFINITY),
    seconds: count('--seconds', values.seconds, Number.POSITIVE_INFINITY),
    seed: values.seed === undefined ? 1 : Math.trunc(count('--seed', values.seed, 1)),
    out: resolve(values.out ?? join(REPO_ROOT, 'reports/fuzz')),
    jobs: Math.trunc(count('--jobs', values.jobs, 1)),
    hangMs: count('--hang-ms', values['hang-ms'], 1000),
    memoryMb: count('--memory-mb', values['memory-mb'], 2048),
    targets,
  };
  const progress = (r: ReaderResult) => {
    if (!values.json) {
      const crashes = r.crashes.reduce((s, c) => s + c.count, 0);
      console.error(
        `${r.name}: ${r.inputs} inputs in ${r.fuzzSeconds.toFixed(1)} s, ${crashes} crashes, ${r.hangs.length} hangs`,
      );
    }
  };
  try {
    const results = await runCampaign({ ...options, onReader: progress });
    const failed = results.some((r) => r.crashes.length > 0 || r.hangs.length > 0);
    if (values.json) {
      const { targets: _t, ...shown } = options;
      console.log(
        JSON.stringify(
          {
            schema: 'bert-parity/fuzz@1',
            ok: !failed,
            ...shown,
            runs: Number.isFinite(shown.runs) ? shown.runs : null,
            seconds: Number.isFinite(shown.seconds) ? shown.seconds : null,
            readers: results,
          },
          null,
          2,
        ),
      );
    } else {
      console.log(formatTable(results, options));
    }
    return failed ? 1 : 0;
  } finally {
    rmSync(await scratch(), { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof UsageError ? `fuzz: ${error.message}\n${USAGE}` : error);
      process.exitCode = 2;
    },
  );
}
