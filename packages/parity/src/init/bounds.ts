import { ParityError } from '@bert-parity/core';
import { percent, sci } from '@bert-parity/metrics';
import type { ModelCell, ParityReport } from '../report/types.ts';
import { type Commented, note, numberText, obj } from './render.ts';

/** Precisions a variant's bounds are looked up by (a "mixed" variant is written with the coarsest one it holds). */
export type BoundPrecision = 'float32' | 'float16' | 'int8' | 'uint8';

interface Bound {
  relL2: number;
  cosineMin: number;
  /** Classifier outputs only. */
  top1AgreementMin: number;
}

/**
 * The bounds init writes without --calibrate: the project's expectations per precision for a model it has
 * not measured. parity.config.ts bounds the tiny fixture ×2 over its own drift (float16 2e-3); a user's model
 * drifts more (the ORT toy export's derived float16 logits: 2.1e-3), so float16 and int8 take issue 15's
 * targets for a bert-base-sized model with realistic weights (float16 5e-3 and top-1 ≥ 90%, int8 1e-1), and
 * cosine minimums that go with those relL2 bounds (cosine ≈ 1 − relL2²/2 for error unrelated to the output).
 */
export const DEFAULT_BOUNDS: Readonly<Record<BoundPrecision, Bound & { why: string }>> = {
  float32: {
    relL2: 1e-5,
    cosineMin: 0.99999,
    top1AgreementMin: 1,
    why: 'float32 differs from its reference by rounding and summation order (~3e-7 on the fixture); 1e-5 leaves room for other runtimes and still catches a float16 path',
  },
  float16: {
    relL2: 5e-3,
    cosineMin: 0.9999,
    top1AgreementMin: 0.9,
    why: "float16 (10-bit mantissa): the project's target for a bert-base-sized model is 5e-3 and top-1 ≥ 90% (trained BERT-base logits differ ~1e-3; the tiny fixture 6.3e-4..8.2e-4)",
  },
  int8: {
    relL2: 1e-1,
    cosineMin: 0.99,
    top1AgreementMin: 0.85,
    why: "int8 weights: the project's target for a bert-base-sized model is 1e-1 (the tiny fixture drifts 8.5e-3..2.1e-2, top-1 91.5%..98%)",
  },
  uint8: {
    relL2: 1e-1,
    cosineMin: 0.99,
    top1AgreementMin: 0.85,
    why: 'uint8 weight storage (float32 compute) drifts like int8 weights (the tiny fixture: up to 1.3e-2, top-1 94.5%)',
  },
};

function boundEntry(output: string, b: Bound, classifier: boolean, comment: string[]) {
  const fields = [
    { key: 'relL2', value: b.relL2 as Commented },
    { key: 'cosineMin', value: b.cosineMin as Commented },
    ...(classifier ? [{ key: 'top1AgreementMin', value: b.top1AgreementMin as Commented }] : []),
  ];
  return note({ key: output, value: obj(fields) }, comment);
}

/** The default bounds of the precisions present, for every output ("*") and the classifier outputs. */
export function defaultBounds(precisions: readonly BoundPrecision[], classifiers: readonly string[]) {
  return obj(
    precisions.map((p) => {
      const d = DEFAULT_BOUNDS[p];
      return note(
        {
          key: p,
          value: obj([
            boundEntry('*', d, false, []),
            ...classifiers.map((c) =>
              boundEntry(c, d, true, [`${c} is a classifier output: top-1 agreement counts too`]),
            ),
          ]),
        },
        `${p}: init's default (not measured on this model). ${d.why}.`,
      );
    }),
  );
}

/** Rounds up to one significant digit: 3.2e-3 → 4e-3, 6e-3 → 6e-3. */
export function ceilOneDigit(x: number): number {
  if (x <= 0) return 0;
  const e = Math.floor(Math.log10(x));
  const m = x / 10 ** e;
  return Number((Math.ceil(m - 1e-9) * 10 ** e).toPrecision(1));
}

/**
 * Measured drift below this counts as this much: float32 round-off between kernels and machines (the
 * fixture's float32 runtimes differ from each other and from float64 by up to ~3e-7), so a cell that
 * matched its cached reference exactly here still passes on a CI runner with other SIMD kernels.
 */
export const CALIBRATION_FLOOR = 5e-7;

export interface Calibration {
  /** `bounds` of the config, commented with what was measured. */
  readonly bounds: Commented;
  /** One line per precision × output: measured → bound. */
  readonly lines: readonly string[];
}

/**
 * Bounds from one run of the matrix, with `headroom` (default ×2): relL2 ≤ ceil₁(headroom · worst relL2);
 * cosine ≥ 1 − ceil₁(headroom · (1 − worst cosine)); top-1 ≥ 1 − ceil₁(headroom · (1 − worst top-1)),
 * where ceil₁ rounds up to one significant digit and drift under CALIBRATION_FLOOR counts as the floor (so
 * an exact match still allows float32 rounding). The worst is over every cell of that precision. A cell that
 * errored, or any non-finite measurement, refuses (E_CALIBRATE): NaN never becomes a bound.
 */
export function calibrate(report: ParityReport, classifiers: readonly string[], headroom = 2): Calibration {
  const cells = report.cells.filter((c): c is ModelCell => c.kind === 'model');
  const broken = cells.find((c) => c.status === 'error');
  if (broken !== undefined) {
    throw new ParityError(
      'E_CALIBRATE',
      `cell ${broken.id} did not run (${broken.error?.code}: ${broken.error?.message}); fix it (or leave its variant or runtime out) and calibrate again`,
    );
  }
  type Worst = { relL2: number; cosine: number; top1?: number; cells: string[] };
  const worst = new Map<string, Map<string, Worst>>();
  for (const c of cells.filter((x) => x.status !== 'skipped')) {
    const byOutput = worst.get(c.precision) ?? new Map<string, Worst>();
    worst.set(c.precision, byOutput);
    for (const o of c.outputs) {
      const s = o.stats;
      for (const [what, v] of [
        ['relL2', s.relL2],
        ['cosine', s.cosine],
        ['top-1', s.top1Agreement ?? 1],
      ] as const) {
        if (!Number.isFinite(v)) {
          throw new ParityError(
            'E_CALIBRATE',
            `cell ${c.id} output ${o.output} has ${what} ${v}; a bound must come from finite drift (NaN or Infinity means the output is broken)`,
          );
        }
      }
      const w = byOutput.get(o.output) ?? { relL2: 0, cosine: 1, cells: [] };
      w.relL2 = Math.max(w.relL2, s.relL2);
      w.cosine = Math.min(w.cosine, s.cosine);
      if (s.top1Agreement !== undefined) w.top1 = Math.min(w.top1 ?? 1, s.top1Agreement);
      w.cells.push(c.id);
      byOutput.set(o.output, w);
    }
  }
  const lines: string[] = [];
  const precisions = [...worst.entries()].map(([precision, byOutput]) => {
    const outputs = [...byOutput.entries()].map(([output, w]) => {
      const relL2 = ceilOneDigit(headroom * Math.max(w.relL2, CALIBRATION_FLOOR));
      const cosineMin = 1 - ceilOneDigit(headroom * Math.max(1 - w.cosine, CALIBRATION_FLOOR));
      const top1 = w.top1 === undefined ? undefined : Math.max(0, 1 - ceilOneDigit(headroom * (1 - w.top1)));
      const classifier = classifiers.includes(output) && top1 !== undefined;
      const measured = `measured relL2 ${sci(w.relL2)}, cosine ${w.cosine.toFixed(9)}${w.top1 === undefined ? '' : `, top-1 ${percent(w.top1)}`}`;
      lines.push(
        `${precision} ${output}: ${measured} → relL2 ${numberText(relL2)}, cosineMin ${cosineMin}${classifier ? `, top1AgreementMin ${top1}` : ''}`,
      );
      return boundEntry(output, { relL2, cosineMin, top1AgreementMin: top1 ?? 1 }, classifier, [
        `${measured} (worst of ${w.cells.join(', ')}); ×${headroom}, rounded up`,
      ]);
    });
    return note(
      { key: precision, value: obj(outputs) },
      `${precision}: calibrated on this machine by bert-parity init --calibrate`,
    );
  });
  return { bounds: obj(precisions), lines };
}
