import { ParityError } from '@bert-parity/core';
import { summarize } from './summary.ts';
import type { ParityReport } from './types.ts';

/**
 * Merges shard reports (GitHub Actions matrix jobs, device-farm runs) into one: cells concatenated in the
 * order given, summary recomputed from the cells, timing summed over the shards (machine time, since
 * shards usually run in parallel) with the runtime share recomputed. Refuses reports of another schema or
 * config (their numbers are not comparable) and duplicate cell ids (the same matrix position twice).
 */
export function mergeReports(reports: readonly ParityReport[], sources: readonly string[] = []): ParityReport {
  const name = (i: number) => sources[i] ?? `report ${i + 1}`;
  const first = reports[0];
  if (first === undefined) throw new ParityError('E_USAGE', 'report merge needs at least one report');
  const seen = new Map<string, number>();
  reports.forEach((r, i) => {
    if (r.schema !== first.schema) {
      throw new ParityError(
        'E_REPORT_MERGE',
        `${name(i)} has schema ${r.schema}; ${name(0)} has ${first.schema}; expected one schema`,
      );
    }
    if (r.config.sha256 !== first.config.sha256) {
      throw new ParityError(
        'E_REPORT_MERGE',
        `${name(i)} was made from config sha256 ${r.config.sha256}; ${name(0)} from ${first.config.sha256}; ` +
          'expected shards of one run with the same config',
      );
    }
    for (const cell of r.cells) {
      const at = seen.get(cell.id);
      if (at !== undefined) {
        throw new ParityError(
          'E_REPORT_MERGE',
          `cell ${cell.id} is in both ${name(at)} and ${name(i)}; expected each matrix cell in one shard only`,
        );
      }
      seen.set(cell.id, i);
    }
  });
  const cells = reports.flatMap((r) => r.cells);
  const wallMs = reports.reduce((s, r) => s + r.timing.wallMs, 0);
  const runtimeMs = reports.reduce((s, r) => s + r.timing.runtimeMs, 0);
  const createdAt = reports
    .map((r) => r.createdAt)
    .sort()
    .at(-1) as string;
  const { shard: _shard, runtimeFilter: _filter, ...rest } = first;
  return {
    ...rest,
    createdAt,
    cells,
    summary: summarize(cells),
    timing: { wallMs, runtimeMs, runtimeShare: wallMs > 0 ? runtimeMs / wallMs : 0 },
  };
}

/**
 * What is missing for the reports to add up to the whole matrix of a sharded run (`report merge
 * --require-shards`), or undefined when nothing is: every shard 1..n of one n (as the reports record it),
 * and for each runtime the shards leave out (`--skip-runtime`), a report that runs it (`--runtime`). A
 * shard job that failed before writing its report shows up here, instead of as a smaller matrix that passes.
 */
export function missingParts(reports: readonly ParityReport[], sources: readonly string[] = []): string | undefined {
  const name = (i: number) => sources[i] ?? `report ${i + 1}`;
  const shards = reports.flatMap((r, i) => (r.shard === undefined ? [] : [{ ...r.shard, i }]));
  const given = shards.map((s) => `${name(s.i)} (${s.index}/${s.total})`).join(', ') || 'none';
  if (shards.length === 0) {
    return `none of the ${reports.length} report(s) is a shard (bert-parity check --shard i/n); expected the shard reports of one run`;
  }
  const totals = [...new Set(shards.map((s) => s.total))];
  if (totals.length > 1) {
    return `the shards were cut ${totals.map((t) => `${t} ways`).join(' and ')} (${given}); expected one --shard i/n with the same n`;
  }
  const total = totals[0] as number;
  const absent: string[] = [];
  for (let index = 1; index <= total; index++) {
    if (!shards.some((s) => s.index === index)) absent.push(`${index}/${total}`);
  }
  if (absent.length > 0) {
    return `shard ${absent.join(', ')} ${absent.length === 1 ? 'has' : 'have'} no report (given: ${given}); a shard job failed before writing its report, or its report was not downloaded`;
  }
  const skipped = new Set(shards.flatMap((s) => reports[s.i]?.runtimeFilter?.skip ?? []));
  const run = new Set(reports.flatMap((r) => r.runtimeFilter?.only ?? []));
  const uncovered = [...skipped].filter((r) => !run.has(r));
  if (uncovered.length > 0) {
    return `the shards leave out runtime ${uncovered.join(', ')} (--skip-runtime) and no report given runs it (--runtime ${uncovered.join(' --runtime ')}); its job failed before writing its report, or its report was not downloaded`;
  }
  return undefined;
}
