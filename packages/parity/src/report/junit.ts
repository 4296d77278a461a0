import { cellLabels, cosineText, problemLines, sci, top1Text } from './cells.ts';
import type { Cell, ParityReport } from './types.ts';
import { escapeXml } from './xml.ts';

/**
 * JUnit XML in the common structure CI servers read (Jenkins' junit-10 layout: testsuites > testsuite >
 * testcase > failure | error | skipped, system-out): one testcase per cell, classname runtime/platform,
 * name variant; times in seconds.
 */
export function renderJunit(report: ParityReport): string {
  const s = report.summary;
  const tests = report.cells.length;
  const time = seconds(report.timing.wallMs);
  const a = (text: string) => escapeXml(text, true);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="bert-parity" tests="${tests}" failures="${s.fail}" errors="${s.error}" skipped="${s.skipped}" time="${time}">`,
    `  <testsuite name="${a(suiteName(report))}" tests="${tests}" failures="${s.fail}" errors="${s.error}" ` +
      `skipped="${s.skipped}" time="${time}" timestamp="${a(report.createdAt.replace(/\.\d+Z$|Z$/, ''))}">`,
    '    <properties>',
    ...properties(report).map(([k, v]) => `      <property name="${a(k)}" value="${a(v)}"/>`),
    '    </properties>',
    ...report.cells.flatMap((c) => testcase(c)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ];
  return lines.join('\n');
}

function suiteName(report: ParityReport): string {
  return report.shard ? `bert-parity shard ${report.shard.index}/${report.shard.total}` : 'bert-parity';
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function properties(report: ParityReport): [string, string][] {
  return [
    ['tool.version', report.tool.version],
    ['config.path', report.config.path ?? ''],
    ['config.sha256', report.config.sha256],
    ['reference', `${report.reference.kind}: ${report.reference.description}`],
    ['inputs', `${report.inputs.count} from ${report.inputs.source}, max_seq_length ${report.inputs.maxSeqLength}`],
  ];
}

/** The per-output numbers, for system-out. */
function details(cell: Cell): string {
  if (cell.kind === 'tokenizer') return `${cell.impl} on ${cell.golden}: ${cell.agree}/${cell.cases} cases agree`;
  const lines = [`${cell.id} ${cell.modelPath} (${cell.modelBytes} bytes, sha256 ${cell.modelSha256})`];
  if (cell.latency)
    lines.push(
      `latency median ${cell.latency.medianMs.toFixed(1)} ms, p90 ${cell.latency.p90Ms.toFixed(1)} ms${cell.latency.clock === 'device' ? ', measured on the device' : cell.latency.clock === 'page' ? ', measured in the browser page' : ''}`,
    );
  for (const o of cell.outputs) {
    const st = o.stats;
    lines.push(
      `${o.output}: relL2 ${sci(st.relL2)} maxAbs ${sci(st.maxAbs)} cosine ${cosineText(st.cosine)} ` +
        `top-1 ${top1Text(st.top1Agreement)} mismatches ${st.mismatches}/${st.elements} ${o.pass ? 'pass' : 'FAIL'}`,
    );
  }
  return lines.join('\n');
}

function testcase(cell: Cell): string[] {
  const l = cellLabels(cell);
  const open =
    `    <testcase name="${escapeXml(l.variant, true)}" classname="${escapeXml(`${l.runtime}/${l.platform}`, true)}" ` +
    `time="${seconds(cell.wallMs)}">`;
  const problems = problemLines(cell);
  const message = escapeXml(problems.join('; '), true);
  const body = escapeXml(problems.join('\n'));
  const inner: string[] = [];
  if (cell.status === 'fail')
    inner.push(
      `      <failure message="${message}" type="${cell.kind === 'model' ? 'drift' : 'tokenizer-mismatch'}">${body}</failure>`,
    );
  if (cell.status === 'error') {
    inner.push(
      `      <error message="${message}" type="${escapeXml(cell.error?.code ?? 'error', true)}">${body}</error>`,
    );
  }
  if (cell.status === 'skipped') inner.push(`      <skipped message="${message}"/>`);
  inner.push(`      <system-out>${escapeXml(details(cell))}</system-out>`);
  return [open, ...inner, '    </testcase>'];
}
