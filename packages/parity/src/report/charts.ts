import { sci } from '@bert-parity/metrics';
import type { ModelCell, OutputResult } from './types.ts';
import { escapeXml } from './xml.ts';

/** Inline SVG charts drawn from the report data: no chart library, no network. */

const esc = (s: string) => escapeXml(s, true);

/** Bars of an |a − r| histogram on log10 bins; one <rect class="bar"> per bin (empty bins at height 0). */
export function histogramSvg(cellId: string, out: OutputResult): string {
  const h = out.histogram;
  if (h === undefined) return '';
  const w = 280;
  const ht = 110;
  const pad = { l: 30, r: 14, t: 8, b: 22 };
  const n = h.counts.length;
  const max = Math.max(1, ...h.counts);
  const bw = (w - pad.l - pad.r) / n;
  const plotH = ht - pad.t - pad.b;
  const bars = h.counts.map((c, i) => {
    // sqrt scale keeps small bins visible next to a dominant one.
    const bh = c === 0 ? 0 : Math.max(1, (Math.sqrt(c) / Math.sqrt(max)) * plotH);
    const lo = h.log10Edges[i] as number;
    return (
      `<rect class="bar" x="${(pad.l + i * bw + 1).toFixed(1)}" y="${(pad.t + plotH - bh).toFixed(1)}" ` +
      `width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}">` +
      `<title>|a−r| in [1e${lo}, 1e${lo + 1}): ${c}</title></rect>`
    );
  });
  const ticks = h.log10Edges
    .filter((_, i) => i % 2 === 0)
    .map((e) => {
      const x = pad.l + (h.log10Edges.indexOf(e) * (w - pad.l - pad.r)) / n;
      return `<text class="tick" x="${x.toFixed(1)}" y="${ht - 8}" text-anchor="middle">1e${e}</text>`;
    });
  const label = `${cellId} ${out.output}: histogram of |a − r|`;
  return (
    `<svg class="chart histogram${out.pass ? '' : ' failed'}" role="img" aria-label="${esc(label)}" ` +
    `viewBox="0 0 ${w} ${ht}" width="${w}" height="${ht}" data-cell="${esc(cellId)}" data-output="${esc(out.output)}">` +
    `<line class="axis" x1="${pad.l}" y1="${pad.t + plotH}" x2="${w - pad.r}" y2="${pad.t + plotH}"/>` +
    `<text class="tick" x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end">${max}</text>` +
    bars.join('') +
    ticks.join('') +
    '</svg>'
  );
}

export interface DriftPoint {
  cell: ModelCell;
  output: OutputResult;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/**
 * relL2 of every output of every measured cell, grouped by precision on the x axis, log10 scale on y,
 * coloured by runtime: one <circle class="point"> per output (a cross at the top for NaN/Infinity).
 */
export function driftSvg(points: DriftPoint[]): string {
  const precisions = [...new Set(points.map((p) => p.cell.precision))];
  const runtimes = [...new Set(points.map((p) => `${p.cell.runtime}/${p.cell.platform}`))];
  const finite = points.map((p) => p.output.stats.relL2).filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.floor(Math.log10(Math.min(1e-8, ...finite)));
  const hi = Math.ceil(Math.log10(Math.max(1e-1, ...finite)));
  const w = 640;
  const ht = 300;
  const pad = { l: 56, r: 170, t: 24, b: 36 };
  const plotW = w - pad.l - pad.r;
  const plotH = ht - pad.t - pad.b;
  const y = (v: number) => pad.t + plotH - ((Math.log10(v) - lo) / (hi - lo)) * plotH;
  const group = plotW / Math.max(1, precisions.length);
  const parts: string[] = [];
  for (let e = lo; e <= hi; e++) {
    const yy = y(10 ** e).toFixed(1);
    parts.push(
      `<line class="grid" x1="${pad.l}" y1="${yy}" x2="${pad.l + plotW}" y2="${yy}"/>`,
      `<text class="tick" x="${pad.l - 6}" y="${yy}" dy="4" text-anchor="end">1e${e}</text>`,
    );
  }
  precisions.forEach((p, i) => {
    parts.push(
      `<text class="tick group" x="${(pad.l + group * (i + 0.5)).toFixed(1)}" y="${ht - 12}" text-anchor="middle">${esc(p)}</text>`,
    );
  });
  const inGroup = new Map<string, number>();
  for (const pt of points) {
    const gi = precisions.indexOf(pt.cell.precision);
    const k = inGroup.get(pt.cell.precision) ?? 0;
    inGroup.set(pt.cell.precision, k + 1);
    const count = points.filter((q) => q.cell.precision === pt.cell.precision).length;
    const x = pad.l + group * gi + (group * (k + 1)) / (count + 1);
    const color = PALETTE[runtimes.indexOf(`${pt.cell.runtime}/${pt.cell.platform}`) % PALETTE.length];
    const v = pt.output.stats.relL2;
    const tip = `<title>${esc(`${pt.cell.id} ${pt.output.output}: relL2 ${sci(v)}${pt.output.pass ? '' : ' (FAIL)'}`)}</title>`;
    const cls = `point${pt.output.pass ? '' : ' failed'}`;
    if (Number.isFinite(v)) {
      const yy = y(Math.max(v, 10 ** lo)).toFixed(1);
      parts.push(`<circle class="${cls}" cx="${x.toFixed(1)}" cy="${yy}" r="5" fill="${color}">${tip}</circle>`);
      if (pt.output.bound.relL2 !== undefined) {
        const by = y(pt.output.bound.relL2).toFixed(1);
        parts.push(`<line class="bound" x1="${(x - 8).toFixed(1)}" y1="${by}" x2="${(x + 8).toFixed(1)}" y2="${by}"/>`);
      }
    } else {
      // NaN or Infinity: pinned to the top edge so it cannot be missed.
      parts.push(
        `<circle class="${cls} nonfinite" cx="${x.toFixed(1)}" cy="${pad.t}" r="6" fill="${color}">${tip}</circle>`,
      );
      parts.push(`<text class="nonfinite-label" x="${(x + 8).toFixed(1)}" y="${pad.t + 4}">${sci(v)}</text>`);
    }
  }
  runtimes.forEach((rt, i) => {
    const ly = pad.t + 10 + i * 18;
    parts.push(
      `<circle cx="${w - pad.r + 16}" cy="${ly}" r="5" fill="${PALETTE[i % PALETTE.length]}"/>`,
      `<text class="legend" x="${w - pad.r + 26}" y="${ly + 4}">${esc(rt)}</text>`,
    );
  });
  parts.push(`<text class="legend" x="${w - pad.r + 10}" y="${pad.t + 14 + runtimes.length * 18}">— bound</text>`);
  return (
    `<svg class="chart drift" role="img" aria-label="relL2 per output by precision and runtime (log scale)" ` +
    `viewBox="0 0 ${w} ${ht}" width="${w}" height="${ht}">` +
    `<text class="axis-title" x="14" y="${pad.t + plotH / 2}" transform="rotate(-90 14 ${pad.t + plotH / 2})" text-anchor="middle">relL2 (log)</text>` +
    parts.join('') +
    '</svg>'
  );
}
