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
  const { shard: _shard, ...rest } = first;
  return {
    ...rest,
    createdAt,
    cells,
    summary: summarize(cells),
    timing: { wallMs, runtimeMs, runtimeShare: wallMs > 0 ? runtimeMs / wallMs : 0 },
  };
}
