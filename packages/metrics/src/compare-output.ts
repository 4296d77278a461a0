import type { NumericTensor } from './decode.ts';
import { DriftAccumulator } from './drift.ts';
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
  const { keep, accuracy, ...rest } = options;
  const comparison = new OutputComparison(output, bound, rest);
  comparison.add(actual, reference, keep);
  return comparison.result(accuracy === undefined ? {} : { accuracy });
}

/**
 * compareOutput over an output that arrives in batches of rows, in order: add each batch with the
 * reference's same rows (and its keep mask), then judge. Only running sums are kept (DriftAccumulator), and
 * the result is the one compareOutput gives on the whole tensors.
 */
export class OutputComparison {
  private readonly drift: DriftAccumulator;

  constructor(
    readonly output: string,
    private readonly bound: OutputBound,
    options: Omit<CompareOutputOptions, 'keep' | 'accuracy'> = {},
  ) {
    this.drift = new DriftAccumulator({
      name: output,
      tolerance: toleranceFor(bound),
      infinitiesEqual: options.infinitiesEqual ?? false,
      top1: options.top1 ?? bound.top1AgreementMin !== undefined,
      histogram: options.histogram ?? true,
    });
  }

  add(actual: NumericTensor, reference: NumericTensor, keep?: Uint8Array): void {
    this.drift.add(actual, reference, keep);
  }

  /** The verdict; `extras.accuracy` when the inputs carry labels (AccuracyTally). */
  result(extras: JudgeExtras = {}): OutputResult {
    const m = this.drift.result();
    const verdict = judge(m.stats, this.bound, extras);
    const result: OutputResult = {
      output: this.output,
      stats: m.stats,
      bound: this.bound,
      pass: verdict.pass,
      failures: verdict.failures,
    };
    if (m.histogram !== undefined) result.histogram = m.histogram;
    return result;
  }
}
