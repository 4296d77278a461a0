import type { NumericTensor } from './decode.ts';
import { measure } from './drift.ts';
import { toleranceFor } from './elementwise.ts';
import type { HistogramOptions } from './histogram.ts';
import { type JudgeExtras, judge } from './judge.ts';
import type { OutputBound, OutputResult } from './types.ts';

export interface CompareOutputOptions extends JudgeExtras {
  /** 1 = compare this element; from paddingKeep for hidden states. */
  keep?: Uint8Array;
  /** Measure top-1 agreement (default: when the bound asks for it). */
  top1?: boolean;
  infinitiesEqual?: boolean;
  histogram?: HistogramOptions;
}

/**
 * One output against its reference under its bound: the stats (mismatches counted with the bound's
 * tolerances), the verdict, and the error histogram the HTML report draws. What the engine records per
 * output of a model cell.
 */
export function compareOutput(
  output: string,
  actual: NumericTensor,
  reference: NumericTensor,
  bound: OutputBound,
  options: CompareOutputOptions = {},
): OutputResult {
  const m = measure(actual, reference, {
    name: output,
    tolerance: toleranceFor(bound),
    infinitiesEqual: options.infinitiesEqual ?? false,
    top1: options.top1 ?? bound.top1AgreementMin !== undefined,
    histogram: options.histogram ?? true,
    ...(options.keep === undefined ? {} : { keep: options.keep }),
  });
  const verdict = judge(m.stats, bound, options.accuracy === undefined ? {} : { accuracy: options.accuracy });
  const result: OutputResult = { output, stats: m.stats, bound, pass: verdict.pass, failures: verdict.failures };
  if (m.histogram !== undefined) result.histogram = m.histogram;
  return result;
}
