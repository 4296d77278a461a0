import type { Cell, CellStatus, ParityReport } from './types.ts';

/** Cells per status, the report's summary. */
export function summarize(cells: readonly Cell[]): ParityReport['summary'] {
  const out: Record<CellStatus, number> = { pass: 0, fail: 0, error: 0, skipped: 0 };
  for (const c of cells) out[c.status]++;
  return out;
}

/** The verdict of the whole report: PASS only with no failing and no errored cell (skips do not fail). */
export function reportPasses(report: ParityReport): boolean {
  return report.summary.fail === 0 && report.summary.error === 0;
}

/** "7 cells: 3 pass, 2 fail, 1 error, 1 skipped". */
export function summaryLine(report: ParityReport): string {
  const s = report.summary;
  const total = s.pass + s.fail + s.error + s.skipped;
  return `${total} cells: ${s.pass} pass, ${s.fail} fail, ${s.error} error, ${s.skipped} skipped`;
}

/** Size in MB (10^6 bytes) with one decimal. */
export function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** The worst relL2 over a cell's outputs (NaN wins: it is the worst). */
export function worstRelL2(cell: { outputs: { stats: { relL2: number } }[] }): number | undefined {
  let worst: number | undefined;
  for (const o of cell.outputs) {
    const v = o.stats.relL2;
    if (Number.isNaN(v)) return v;
    if (worst === undefined || v > worst) worst = v;
  }
  return worst;
}
