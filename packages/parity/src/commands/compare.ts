import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { decodeNpy, type NpyArray, ParityError } from '@bert-parity/core';
import {
  checkStat,
  DEFAULT_ATOL,
  DEFAULT_QUANTILE,
  DEFAULT_RTOL,
  ERROR_STATS,
  type ErrorStat,
  errorArrays,
  measure,
  sci,
  shapeText,
  type Tolerance,
} from '@bert-parity/metrics';
import { type Command, Option } from 'commander';
import { encodeNonFinite } from '../report/json-numbers.ts';
import type { DriftStats } from '../report/types.ts';
import type { CliState } from './state.ts';

/**
 * `bert-parity compare A B`: the drift metrics and a Polygraphy-style verdict for outputs saved as .npy
 * anywhere (dumped from Python, pulled from a device, kept from an older release). B is the reference:
 * relative error is |A − B| / |B|, as Polygraphy takes it against its second output.
 *
 * Exit codes: 0 every output passes; 1 an output fails, including a shape mismatch between A and B or an
 * output present on one side only (the files were read; they disagree — Polygraphy likewise reports
 * different shapes as a failed comparison); 2 usage or IO errors (unreadable or malformed .npy, a file
 * against a folder, folders without .npy files, empty arrays).
 */
export const COMPARE_SCHEMA = 'bert-parity/compare@1';

export interface CompareOptions {
  atol?: number;
  rtol?: number;
  stat?: ErrorStat;
  quantile?: number;
  infinitiesEqual?: boolean;
}

export interface ComparedOutput {
  name: string;
  a: string | null;
  b: string | null;
  shapeA?: number[];
  shapeB?: number[];
  dtypeA?: string;
  dtypeB?: string;
  pass: boolean;
  failures: string[];
  stats?: DriftStats;
  /** For --stat other than elemwise: that statistic of the abs and rel error arrays. */
  statAbs?: number;
  statRel?: number;
}

export interface CompareResult {
  schema: typeof COMPARE_SCHEMA;
  a: string;
  b: string;
  stat: ErrorStat;
  atol: number;
  rtol: number;
  quantile?: number;
  infinitiesEqual: boolean;
  pass: boolean;
  outputs: ComparedOutput[];
}

function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new ParityError('E_IO', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  return decodeNpy(bytes, path);
}

function kindOf(path: string): 'file' | 'dir' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch (cause) {
    throw new ParityError('E_IO', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
}

function npyNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.npy'))
    .sort();
}

/** The pairs to compare: two files, or two folders matched by file name. */
export function pairOutputs(a: string, b: string): { name: string; a: string | null; b: string | null }[] {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) {
    throw new ParityError(
      'E_USAGE',
      `compare takes two .npy files or two folders; got a ${ka} (${a}) and a ${kb} (${b})`,
    );
  }
  if (ka === 'file') return [{ name: basename(a).replace(/\.npy$/, ''), a, b }];
  const inA = npyNames(a);
  const inB = npyNames(b);
  if (inA.length === 0 && inB.length === 0) {
    throw new ParityError('E_USAGE', `neither ${a} nor ${b} holds .npy files; expected one file per output`);
  }
  const names = [...new Set([...inA, ...inB])].sort();
  return names.map((f) => ({
    name: f.replace(/\.npy$/, ''),
    a: inA.includes(f) ? join(a, f) : null,
    b: inB.includes(f) ? join(b, f) : null,
  }));
}

export function checkOptions(options: CompareOptions): Required<Omit<CompareOptions, 'quantile'>> & {
  quantile: number;
} {
  const tol = { atol: options.atol ?? DEFAULT_ATOL, rtol: options.rtol ?? DEFAULT_RTOL };
  for (const [key, v] of Object.entries(tol)) {
    if (!(v >= 0)) throw new ParityError('E_USAGE', `--${key} ${v}; expected a number >= 0`);
  }
  const stat = options.stat ?? 'elemwise';
  if (!ERROR_STATS.includes(stat)) {
    throw new ParityError('E_USAGE', `--stat ${stat}; expected one of ${ERROR_STATS.join(', ')}`);
  }
  const quantile = options.quantile ?? DEFAULT_QUANTILE;
  if (!(quantile >= 0 && quantile <= 1)) {
    throw new ParityError('E_USAGE', `--quantile ${options.quantile}; expected a number in [0, 1]`);
  }
  if (options.quantile !== undefined && stat !== 'quantile') {
    throw new ParityError('E_USAGE', `--quantile needs --stat quantile (got --stat ${stat})`);
  }
  return { ...tol, stat, quantile, infinitiesEqual: options.infinitiesEqual ?? false };
}

function compareOne(
  pair: { name: string; a: string | null; b: string | null },
  o: ReturnType<typeof checkOptions>,
): ComparedOutput {
  const out: ComparedOutput = { name: pair.name, a: pair.a, b: pair.b, pass: false, failures: [] };
  if (pair.a === null || pair.b === null) {
    out.failures.push(`missing in ${pair.a === null ? 'A' : 'B'}: no ${pair.name}.npy there`);
    return out;
  }
  const a = readNpy(pair.a);
  const b = readNpy(pair.b);
  Object.assign(out, { shapeA: [...a.shape], shapeB: [...b.shape], dtypeA: a.dtype, dtypeB: b.dtype });
  const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (!sameShape) {
    out.failures.push(`shape ${shapeText(a.shape)} in A differs from ${shapeText(b.shape)} in B; not compared`);
    return out;
  }
  const tol: Tolerance = { atol: o.atol, rtol: o.rtol };
  const last = a.shape[a.shape.length - 1] ?? 0;
  const { stats } = measure(a, b, {
    name: pair.name,
    tolerance: tol,
    infinitiesEqual: o.infinitiesEqual,
    top1: last >= 2,
  });
  out.stats = stats;
  if ((stats.nan ?? 0) > 0) out.failures.push(`NaN in ${stats.nan} of ${stats.elements} elements`);
  if (o.stat === 'elemwise') {
    if (stats.mismatches > 0) {
      out.failures.push(
        `${stats.mismatches} of ${stats.elements} elements exceed atol ${sci(o.atol)} and rtol ${sci(o.rtol)}`,
      );
    }
  } else {
    const v = checkStat(
      errorArrays(a, b, { name: pair.name, infinitiesEqual: o.infinitiesEqual }),
      o.stat,
      tol,
      o.quantile,
    );
    out.statAbs = v.abs;
    out.statRel = v.rel;
    if (!v.pass) {
      const label = o.stat === 'quantile' ? `quantile ${o.quantile}` : o.stat;
      out.failures.push(
        `${label} abs error ${sci(v.abs, 3)} > atol ${sci(o.atol)} and ${label} rel error ${sci(v.rel, 3)} > rtol ${sci(o.rtol)}`,
      );
    }
  }
  out.pass = out.failures.length === 0;
  return out;
}

export function runCompare(a: string, b: string, options: CompareOptions = {}): CompareResult {
  const o = checkOptions(options);
  const outputs = pairOutputs(a, b).map((p) => compareOne(p, o));
  const result: CompareResult = {
    schema: COMPARE_SCHEMA,
    a,
    b,
    stat: o.stat,
    atol: o.atol,
    rtol: o.rtol,
    infinitiesEqual: o.infinitiesEqual,
    pass: outputs.every((x) => x.pass),
    outputs,
  };
  if (o.stat === 'quantile') result.quantile = o.quantile;
  return result;
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
}

/** The readable per-output table. */
export function formatCompare(r: CompareResult): string {
  const statCols = r.stat === 'elemwise' ? [] : [`${r.stat} abs`, `${r.stat} rel`];
  const head = [
    'output',
    'shape',
    'maxAbs',
    'meanAbs',
    'relL2',
    'cosine',
    'SQNR dB',
    'top-1',
    'mismatches',
    'min atol',
    'min rtol',
    ...statCols,
    'verdict',
  ];
  const body = r.outputs.map((o) => {
    const s = o.stats;
    if (s === undefined) {
      return [o.name, o.shapeA ? shapeText(o.shapeA) : '-', ...Array(head.length - 3).fill('-'), 'FAIL'];
    }
    return [
      o.name,
      shapeText(o.shapeA ?? []),
      sci(s.maxAbs),
      sci(s.meanAbs),
      sci(s.relL2),
      Number.isFinite(s.cosine) ? s.cosine.toFixed(6) : String(s.cosine),
      Number.isFinite(s.sqnrDb) ? s.sqnrDb.toFixed(1) : String(s.sqnrDb),
      s.top1Agreement === undefined ? '-' : `${(s.top1Agreement * 100).toFixed(1)}%`,
      `${s.mismatches}/${s.elements}`,
      sci(s.minPassingAtol),
      sci(s.minPassingRtol),
      ...(r.stat === 'elemwise' ? [] : [sci(o.statAbs ?? Number.NaN), sci(o.statRel ?? Number.NaN)]),
      o.pass ? 'PASS' : 'FAIL',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const lines = [
    `A: ${r.a}`,
    `B: ${r.b} (reference: relative error is |A - B| / |B|)`,
    `check: ${r.stat}${r.quantile === undefined ? '' : ` ${r.quantile}`}, atol ${sci(r.atol)}, rtol ${sci(r.rtol)}` +
      `${r.infinitiesEqual ? ', infinities equal' : ''}`,
    '',
    row(head, widths),
    ...body.map((b) => row(b, widths)),
  ];
  const failed = r.outputs.filter((o) => !o.pass);
  for (const o of failed) for (const f of o.failures) lines.push(`  ${o.name}: ${f}`);
  lines.push(
    '',
    failed.length === 0
      ? `PASS  ${r.outputs.length} of ${r.outputs.length} outputs match`
      : `FAIL  ${failed.length} of ${r.outputs.length} outputs mismatch: ${failed.map((o) => o.name).join(', ')}`,
  );
  return lines.join('\n');
}

function numberOption(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || Number.isNaN(n)) {
      throw new ParityError('E_USAGE', `${flag} ${JSON.stringify(value)} is not a number`);
    }
    return n;
  };
}

/** Adds `compare` to the CLI; the exit code goes to state (0 pass, 1 mismatch). */
export function registerCompare(program: Command, state: CliState): void {
  program
    .command('compare')
    .description(
      'compare saved outputs: two .npy files, or two folders of them matched by file name. B is the reference ' +
        '(relative error |A-B|/|B|, as in Polygraphy). Exit 0 pass, 1 mismatch (shape mismatch and missing files ' +
        'included), 2 usage or IO error.',
    )
    .argument('<a>', 'output .npy file or folder')
    .argument('<b>', 'reference .npy file or folder')
    .option('--atol <x>', `absolute tolerance (default ${DEFAULT_ATOL})`, numberOption('--atol'))
    .option('--rtol <y>', `relative tolerance against B (default ${DEFAULT_RTOL})`, numberOption('--rtol'))
    .addOption(
      new Option('--stat <stat>', 'what must be within tolerance (Polygraphy --check-error-stat)')
        .choices([...ERROR_STATS])
        .default('elemwise'),
    )
    .option('--quantile <q>', `quantile for --stat quantile (default ${DEFAULT_QUANTILE})`, numberOption('--quantile'))
    .option('--infinities-equal', 'the same infinity on both sides counts as equal')
    .option('--json', `print JSON (schema ${COMPARE_SCHEMA})`)
    .action((a: string, b: string, opts) => {
      const options: CompareOptions = { stat: opts.stat, infinitiesEqual: opts.infinitiesEqual === true };
      if (opts.atol !== undefined) options.atol = opts.atol;
      if (opts.rtol !== undefined) options.rtol = opts.rtol;
      if (opts.quantile !== undefined) options.quantile = opts.quantile;
      const result = runCompare(a, b, options);
      console.log(opts.json ? JSON.stringify(result, encodeNonFinite, 2) : formatCompare(result));
      state.exitCode = result.pass ? 0 : 1;
    });
}
