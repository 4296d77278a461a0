import { cellLabels, cosineText, latencyText, problemLines, sci, top1Text } from './cells.ts';
import { megabytes, reportPasses, summaryLine } from './summary.ts';
import type { Cell, CellStatus, ParityReport } from './types.ts';

const COLOR: Record<CellStatus | 'dim', string> = {
  pass: '\u001b[32m',
  fail: '\u001b[31m',
  error: '\u001b[35m',
  skipped: '\u001b[33m',
  dim: '\u001b[2m',
};
const RESET = '\u001b[0m';

export interface TerminalOptions {
  /** ANSI colours; the CLI turns them on only when stdout is a TTY. */
  color?: boolean;
}

const HEAD = [
  'variant',
  'runtime',
  'platform',
  'status',
  'output',
  'relL2',
  'maxAbs',
  'cosine',
  'top-1',
  'size MB',
  'latency ms',
];
/** Numeric columns are right-aligned. */
const RIGHT = new Set([5, 6, 7, 8, 9, 10]);

function rowsOf(cell: Cell): string[][] {
  const l = cellLabels(cell);
  const status = cell.status.toUpperCase();
  if (cell.kind === 'tokenizer') {
    const known = cell.knownDifferences ? ` (${cell.knownDifferences} known)` : '';
    return [
      [l.variant, l.runtime, l.platform, status, `agree ${cell.agree}/${cell.cases}${known}`, '', '', '', '', '', ''],
    ];
  }
  const size = megabytes(cell.modelBytes);
  const latency = latencyText(cell.latency);
  if (cell.outputs.length === 0)
    return [[l.variant, l.runtime, l.platform, status, '-', '', '', '', '', size, latency]];
  // One row per output; the cell's columns only on its first row.
  return cell.outputs.map((o, i) => [
    i === 0 ? l.variant : '',
    i === 0 ? l.runtime : '',
    i === 0 ? l.platform : '',
    i === 0 ? status : '',
    o.pass ? o.output : `${o.output} ✗`,
    sci(o.stats.relL2),
    sci(o.stats.maxAbs),
    cosineText(o.stats.cosine),
    top1Text(o.stats.top1Agreement),
    i === 0 ? size : '',
    i === 0 ? latency : '',
  ]);
}

/** The table a person reads after `bert-parity check`: cells as rows, then problems, then the verdict. */
export function renderTerminal(report: ParityReport, options: TerminalOptions = {}): string {
  const paint = (text: string, key: CellStatus | 'dim') => (options.color ? `${COLOR[key]}${text}${RESET}` : text);
  const body = report.cells.map((c) => ({ cell: c, rows: rowsOf(c) }));
  const all = [HEAD, ...body.flatMap((b) => b.rows)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (RIGHT.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const out = [
    `bert-parity ${report.tool.version} · reference: ${report.reference.kind} (${report.reference.description}) · ` +
      `${report.inputs.count} inputs from ${report.inputs.source}, max_seq_length ${report.inputs.maxSeqLength}` +
      (report.shard ? ` · shard ${report.shard.index}/${report.shard.total}` : ''),
    '',
    paint(line(HEAD), 'dim'),
  ];
  for (const { cell, rows } of body) {
    for (const r of rows) {
      const text = line(r);
      // Colour only the status word, so the columns stay aligned.
      out.push(r[3] === '' ? text : text.replace(` ${r[3]} `, ` ${paint(r[3] as string, cell.status)} `));
    }
  }
  const problems = report.cells.filter((c) => problemLines(c).length > 0);
  if (problems.length > 0) out.push('');
  for (const c of problems) {
    out.push(`${paint(c.status.toUpperCase(), c.status)} ${c.id}`);
    for (const p of problemLines(c)) out.push(`  ${p}`);
  }
  const t = report.timing;
  const verdict = reportPasses(report) ? paint('PASS', 'pass') : paint('FAIL', 'fail');
  out.push(
    '',
    `${verdict}  ${summaryLine(report)} · wall ${(t.wallMs / 1000).toFixed(1)} s, ` +
      `${(t.runtimeShare * 100).toFixed(0)}% inside runtimes`,
  );
  return out.join('\n');
}
