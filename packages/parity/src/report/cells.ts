import { sci } from '@bert-parity/metrics';
import type { Cell, ModelCell, OutputResult } from './types.ts';

/** The names a cell shows in every format: variant, runtime, platform (tokenizer cells: golden, impl). */
export function cellLabels(cell: Cell): { variant: string; runtime: string; platform: string } {
  if (cell.kind === 'model') return { variant: cell.variant, runtime: cell.runtime, platform: cell.platform };
  return { variant: cell.golden.replace(/\.jsonl$/, ''), runtime: cell.impl, platform: 'tokenizer' };
}

export function cosineText(x: number): string {
  return Number.isFinite(x) ? x.toFixed(6) : String(x);
}

/** Median latency in ms, marked "(device)" or "(page)" when the device's runner or the browser page measured it. */
export function latencyText(latency: ModelCell['latency']): string {
  if (latency === undefined) return '-';
  const clock = latency.clock === 'device' || latency.clock === 'page' ? ` (${latency.clock})` : '';
  return `${latency.medianMs.toFixed(0)}${clock}`;
}

export function top1Text(x: number | undefined): string {
  return x === undefined ? '-' : `${(x * 100).toFixed(1)}%`;
}

/** One line per failed output, error or tokenizer mismatch: what the reader must act on. */
export function problemLines(cell: Cell): string[] {
  if (cell.status === 'error' || cell.status === 'skipped') {
    return cell.error === undefined ? [] : [`${cell.error.code}: ${cell.error.message}`];
  }
  if (cell.kind === 'tokenizer') {
    if (cell.status !== 'fail') return [];
    const first = cell.mismatches
      .slice(0, 3)
      .map((m) => `${m.id} (${m.field} at ${m.firstDiff})`)
      .join(', ');
    return [`${cell.cases - cell.agree} of ${cell.cases} cases disagree${first ? `: ${first}` : ''}`];
  }
  return failedOutputs(cell).flatMap((o) => o.failures.map((f) => `${o.output}: ${f}`));
}

export function failedOutputs(cell: ModelCell): OutputResult[] {
  return cell.outputs.filter((o) => !o.pass);
}

export { sci };
