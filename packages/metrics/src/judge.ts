import { toleranceFor } from './elementwise.ts';
import { percent, sci, sciPair } from './format.ts';
import type { DriftStats, OutputBound } from './types.ts';

export interface Verdict {
  pass: boolean;
  /** Each violated bound, with the numbers. */
  failures: string[];
}

export interface JudgeExtras {
  /** Task accuracy of the output and its reference, when the inputs carry labels. */
  accuracy?: { value: number; reference: number; delta: number };
}

/** value must be <= bound; NaN never is. */
function over(label: string, value: number, bound: number, failures: string[]): void {
  if (value <= bound) return;
  const [v, b] = sciPair(value, bound);
  failures.push(`${label} ${v} > ${b}`);
}

/** value must be >= bound; NaN never is. */
function under(label: string, value: number | undefined, bound: number, failures: string[]): void {
  if (value === undefined) {
    failures.push(`${label} was not measured (bound ${bound})`);
    return;
  }
  if (value >= bound) return;
  // Enough digits that the printed value reads below the bound (0.9989999 < 0.999, not 0.999000 < 0.999).
  let digits = 4;
  while (digits < 17 && Number(value.toPrecision(digits)) >= bound) digits++;
  failures.push(`${label} ${Number(value.toPrecision(digits))} < ${bound}`);
}

/**
 * Checks every bound the output declares and names each violated one with its numbers. NaN fails
 * regardless of bounds: an output with a NaN in it is broken, whatever the tolerances say.
 * `stats.mismatches` must have been counted with `toleranceFor(bound)` (compareOutput does this).
 */
export function judge(stats: DriftStats, bound: OutputBound, extras: JudgeExtras = {}): Verdict {
  const failures: string[] = [];
  const nan = stats.nan ?? (Number.isNaN(stats.maxAbs) ? stats.elements : 0);
  if (nan > 0) failures.push(`NaN in ${nan} of ${stats.elements} elements`);
  if (bound.relL2 !== undefined) over('relL2', stats.relL2, bound.relL2, failures);
  if (bound.maxAbs !== undefined) over('maxAbs', stats.maxAbs, bound.maxAbs, failures);
  if (bound.cosineMin !== undefined) under('cosine', stats.cosine, bound.cosineMin, failures);
  if (bound.top1AgreementMin !== undefined) {
    under('top-1 agreement', stats.top1Agreement, bound.top1AgreementMin, failures);
  }
  if ((bound.atol !== undefined || bound.rtol !== undefined) && stats.mismatches > 0) {
    const tol = toleranceFor(bound);
    failures.push(
      `${stats.mismatches} of ${stats.elements} elements exceed atol ${sci(tol.atol)} and rtol ${sci(tol.rtol)} ` +
        `(smallest passing: atol ${sci(stats.minPassingAtol)} or rtol ${sci(stats.minPassingRtol)})`,
    );
  }
  if (bound.accuracyDropMax !== undefined) {
    const acc = extras.accuracy;
    if (acc === undefined) failures.push(`accuracy was not measured (bound: drop <= ${bound.accuracyDropMax})`);
    else if (!(-acc.delta <= bound.accuracyDropMax)) {
      failures.push(
        `accuracy drop ${percent(-acc.delta)} > ${percent(bound.accuracyDropMax)} ` +
          `(${percent(acc.value)} vs reference ${percent(acc.reference)})`,
      );
    }
  }
  return { pass: failures.length === 0, failures };
}
