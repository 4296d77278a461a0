import { readReport } from '../report/json.ts';
import type { Cell, ParityReport } from '../report/types.ts';

/** Reads a report written by an earlier run (--baseline); E_REPORT_SCHEMA when it is not one. */
export function readBaseline(path: string): ParityReport {
  return readReport(path);
}

/**
 * Sets ModelCell.baselineDelta (relL2 and maxAbs now − then, per output) on every cell that the baseline
 * also has with stats for the same output. Cells new since the baseline get none.
 */
export function applyBaseline(cells: Cell[], baseline: ParityReport): void {
  const before = new Map(baseline.cells.filter((c) => c.kind === 'model').map((c) => [c.id, c]));
  for (const cell of cells) {
    if (cell.kind !== 'model') continue;
    const old = before.get(cell.id);
    if (old === undefined || old.kind !== 'model') continue;
    const delta: Record<string, { relL2: number; maxAbs: number }> = {};
    for (const o of cell.outputs) {
      const then = old.outputs.find((x) => x.output === o.output);
      if (then === undefined) continue;
      delta[o.output] = { relL2: o.stats.relL2 - then.stats.relL2, maxAbs: o.stats.maxAbs - then.stats.maxAbs };
    }
    if (Object.keys(delta).length > 0) cell.baselineDelta = delta;
  }
}
