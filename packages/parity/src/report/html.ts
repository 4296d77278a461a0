import { cellLabels, cosineText, latencyText, problemLines, sci, top1Text } from './cells.ts';
import { type DriftPoint, driftSvg, histogramSvg } from './charts.ts';
import { megabytes, reportPasses, summaryLine, worstRelL2 } from './summary.ts';
import type { Cell, ModelCell, ParityReport } from './types.ts';
import { escapeXml } from './xml.ts';

const esc = (s: string) => escapeXml(s, true);

/** No request may leave the page: everything is inline, and the policy says so to the browser. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
.meta{color:#5a6375;margin:0 0 12px}.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600}
.verdict.pass{background:#1a7f37}.verdict.fail{background:#cf222e}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{padding:4px 8px;border-bottom:1px solid #eceff4;text-align:left}
th{background:#f6f8fa;font-weight:600}td.num{text-align:right}tr.fail td,tr.error td{background:#ffebe9}tr.skipped td{color:#6e7781}
.status{font-weight:600}.status.pass{color:#1a7f37}.status.fail{color:#cf222e}.status.error{color:#8250df}.status.skipped{color:#9a6700}
.bad{color:#cf222e;font-weight:600}
.hists{display:flex;flex-wrap:wrap;gap:12px}.hist{border:1px solid #dde2ea;border-radius:6px;padding:6px 8px;width:284px}.hist.failed{border-color:#cf222e;background:#fff8f7}
.hist h3{font-size:12px;margin:0 0 2px;font-weight:600}
svg .bar{fill:#4a7fc1}svg.failed .bar{fill:#cf222e}svg .axis,svg .grid{stroke:#c9d1d9}svg .grid{stroke-dasharray:2 3}
svg .tick,svg .legend,svg .axis-title{font-size:10px;fill:#57606a}svg .point.failed{stroke:#000;stroke-width:2}
svg .bound{stroke:#111;stroke-width:1.5;stroke-dasharray:3 2}svg .nonfinite-label{font-size:10px;fill:#cf222e;font-weight:700}
ul.problems li{margin:2px 0}code{background:#f6f8fa;padding:0 3px;border-radius:3px}
label.toggle{font-size:13px;color:#5a6375;margin-left:12px}body.only-problems tr.pass{display:none}
`;

/** Shows only the rows that need attention; the page reads the same without it. */
const SCRIPT = `
document.getElementById('only-problems').addEventListener('change', function (e) {
  document.body.classList.toggle('only-problems', e.target.checked);
});
`;

function modelCells(report: ParityReport): ModelCell[] {
  return report.cells.filter((c): c is ModelCell => c.kind === 'model');
}

/** The size / latency / drift trade-off: one row per cell, failures highlighted. */
function tradeoffTable(report: ParityReport): string {
  const outputs = [...new Set(modelCells(report).flatMap((c) => c.outputs.map((o) => o.output)))];
  const head = ['variant', 'precision', 'runtime', 'platform', 'status', 'size MB', 'median latency ms'];
  const rows = report.cells.map((cell) => tradeoffRow(cell, outputs));
  return (
    `<table class="tradeoff"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}` +
    `${outputs.map((o) => `<th>${esc(o)} relL2</th>`).join('')}<th>top-1</th><th>min cosine</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function tradeoffRow(cell: Cell, outputs: string[]): string {
  const l = cellLabels(cell);
  const status = `<td class="status ${cell.status}">${cell.status}</td>`;
  if (cell.kind === 'tokenizer') {
    return (
      `<tr class="${cell.status}" data-cell="${esc(cell.id)}"><td>${esc(l.variant)}</td><td>tokenizer</td>` +
      `<td>${esc(l.runtime)}</td><td>-</td>${status}<td class="num">-</td><td class="num">-</td>` +
      `<td colspan="${outputs.length + 2}">${cell.agree} of ${cell.cases} cases agree</td></tr>`
    );
  }
  const perOutput = outputs.map((name) => {
    const o = cell.outputs.find((x) => x.output === name);
    if (o === undefined) return '<td class="num">-</td>';
    return `<td class="num${o.pass ? '' : ' bad'}">${sci(o.stats.relL2)}</td>`;
  });
  const top1 = cell.outputs.find((o) => o.stats.top1Agreement !== undefined)?.stats.top1Agreement;
  const cos = cell.outputs.length ? Math.min(...cell.outputs.map((o) => o.stats.cosine)) : undefined;
  return (
    `<tr class="${cell.status}" data-cell="${esc(cell.id)}"><td>${esc(cell.variant)}</td><td>${esc(cell.precision)}</td>` +
    `<td>${esc(cell.runtime)}</td><td>${esc(cell.platform)}</td>${status}` +
    `<td class="num">${megabytes(cell.modelBytes)}</td>` +
    `<td class="num">${escapeXml(latencyText(cell.latency))}</td>${perOutput.join('')}` +
    `<td class="num">${top1Text(top1)}</td><td class="num">${cos === undefined ? '-' : cosineText(cos)}</td></tr>`
  );
}

function histograms(report: ParityReport): string {
  const items = modelCells(report).flatMap((cell) =>
    cell.outputs
      .filter((o) => o.histogram !== undefined)
      .map(
        (o) =>
          `<div class="hist${o.pass ? '' : ' failed'}"><h3>${esc(cell.id)} · ${esc(o.output)} · maxAbs ${sci(o.stats.maxAbs)}` +
          `${o.stats.nonFinite ? ` · <span class="bad">${o.stats.nonFinite} non-finite</span>` : ''}</h3>${histogramSvg(cell.id, o)}</div>`,
      ),
  );
  return items.length ? `<div class="hists">${items.join('')}</div>` : '<p>No measured outputs.</p>';
}

function problems(report: ParityReport): string {
  const cells = report.cells.filter((c) => c.status !== 'pass' && problemLines(c).length > 0);
  if (cells.length === 0) return '<p>Every cell passed.</p>';
  return `<ul class="problems">${cells
    .map(
      (c) =>
        `<li><span class="status ${c.status}">${c.status}</span> <code>${esc(c.id)}</code><ul>` +
        `${problemLines(c)
          .map((p) => `<li>${esc(p)}</li>`)
          .join('')}</ul></li>`,
    )
    .join('')}</ul>`;
}

/** A self-contained HTML report: inline CSS, a few lines of inline JS, inline SVG charts. */
export function renderHtml(report: ParityReport): string {
  const pass = reportPasses(report);
  const points: DriftPoint[] = modelCells(report).flatMap((cell) => cell.outputs.map((output) => ({ cell, output })));
  const worst = modelCells(report)
    .map((c) => worstRelL2(c))
    .filter((v): v is number => v !== undefined);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bert-parity report: ${pass ? 'PASS' : 'FAIL'}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>bert-parity report <span class="verdict ${pass ? 'pass' : 'fail'}">${pass ? 'PASS' : 'FAIL'}</span></h1>
<p class="meta">${esc(summaryLine(report))} · reference ${esc(report.reference.kind)} (${esc(report.reference.description)}) ·
${report.inputs.count} inputs from <code>${esc(report.inputs.source)}</code>, max_seq_length ${report.inputs.maxSeqLength} ·
config <code>${esc(report.config.path ?? '(none)')}</code> sha256 ${esc(report.config.sha256.slice(0, 12))}… ·
bert-parity ${esc(report.tool.version)} · ${esc(report.createdAt)} · wall ${(report.timing.wallMs / 1000).toFixed(1)} s
(${(report.timing.runtimeShare * 100).toFixed(0)}% inside runtimes)${worst.length ? ` · worst relL2 ${sci(Math.max(...worst))}` : ''}</p>
<h2>Size, latency and drift<label class="toggle"><input type="checkbox" id="only-problems"> only cells that need attention</label></h2>
${tradeoffTable(report)}
<h2>Drift by precision and runtime</h2>
${points.length ? driftSvg(points) : '<p>No measured outputs.</p>'}
<h2>Failures, errors and skips</h2>
${problems(report)}
<h2>Error histograms (|a − r| per decade; the first bin also holds exact zeros)</h2>
${histograms(report)}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
