import { appendFileSync } from 'node:fs';
import { ParityError } from '@bert-parity/core';
import { cellLabels, cosineText, latencyText, problemLines, sci, top1Text } from './cells.ts';
import { megabytes, reportPasses, summaryLine, worstRelL2 } from './summary.ts';
import type { Cell, ParityReport } from './types.ts';

/** Table cells may not hold pipes or line breaks. */
function md(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

const ICON = { pass: '✅ pass', fail: '❌ fail', error: '💥 error', skipped: '⏭️ skipped' } as const;

function row(cell: Cell): string {
  const l = cellLabels(cell);
  if (cell.kind === 'tokenizer') {
    return `| ${md(l.variant)} | ${md(l.runtime)} | ${md(l.platform)} | ${ICON[cell.status]} | agree ${cell.agree}/${cell.cases} | | | | | |`;
  }
  const worst = cell.outputs.reduce<(typeof cell.outputs)[number] | undefined>(
    (w, o) => (w === undefined || !(o.stats.relL2 <= w.stats.relL2) ? o : w),
    undefined,
  );
  const rel = worstRelL2(cell);
  const cols = worst
    ? [
        `${sci(rel ?? Number.NaN)} (${md(worst.output)})`,
        sci(Math.max(...cell.outputs.map((o) => o.stats.maxAbs))),
        cosineText(Math.min(...cell.outputs.map((o) => o.stats.cosine))),
        top1Text(cell.outputs.find((o) => o.stats.top1Agreement !== undefined)?.stats.top1Agreement),
      ]
    : ['-', '-', '-', '-'];
  const latency = latencyText(cell.latency);
  return `| ${md(l.variant)} | ${md(l.runtime)} | ${md(l.platform)} | ${ICON[cell.status]} | ${cols.join(' | ')} | ${megabytes(cell.modelBytes)} | ${latency} |`;
}

/** A summary table and the failing cells with their numbers, for PR comments and job summaries. */
export function renderMarkdown(report: ParityReport): string {
  const lines = [
    `## bert-parity: ${reportPasses(report) ? 'PASS' : 'FAIL'} — ${summaryLine(report)}`,
    '',
    `Reference: ${md(report.reference.kind)} (${md(report.reference.description)}); ${report.inputs.count} inputs ` +
      `from \`${report.inputs.source}\`, max_seq_length ${report.inputs.maxSeqLength}.`,
    '',
    '| variant | runtime | platform | status | worst relL2 | maxAbs | min cosine | top-1 | size MB | latency ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | ---: | ---: |',
    ...report.cells.map(row),
  ];
  const problems = report.cells.filter((c) => c.status !== 'pass' && problemLines(c).length > 0);
  if (problems.length > 0) {
    lines.push('', '### Failing, errored and skipped cells', '');
    for (const c of problems) {
      lines.push(`- **${md(c.id)}** (${c.status})`);
      for (const p of problemLines(c)) lines.push(`  - ${md(p)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Appends the Markdown report to the file $GITHUB_STEP_SUMMARY names (GitHub shows it on the run's
 * summary page; steps append to it). Returns the path written, or null when the variable is unset.
 */
export function writeStepSummary(report: ParityReport, env: NodeJS.ProcessEnv = process.env): string | null {
  const path = env.GITHUB_STEP_SUMMARY;
  if (path === undefined || path === '') return null;
  try {
    appendFileSync(path, renderMarkdown(report));
  } catch (cause) {
    throw new ParityError('E_IO', `cannot append to GITHUB_STEP_SUMMARY ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return path;
}
