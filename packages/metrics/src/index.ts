export { type CompareOutputOptions, compareOutput, OutputComparison } from './compare-output.ts';
export { float64Tensor, halfToNumber, type NumericTensor, toFloat64 } from './decode.ts';
export { DriftAccumulator, type Measurement, type MeasureOptions, measure } from './drift.ts';
export {
  absError,
  DEFAULT_ATOL,
  DEFAULT_RTOL,
  isMismatch,
  neverPasses,
  REL_EPSILON,
  relError,
  type Tolerance,
  toleranceFor,
} from './elementwise.ts';
export { percent, sci, sciPair } from './format.ts';
export { type ErrorHistogram, HistogramBuilder, type HistogramOptions } from './histogram.ts';
export { type JudgeExtras, judge, type Verdict } from './judge.ts';
export { paddingKeep } from './mask.ts';
export { checkComparable, shapeText } from './shape.ts';
export {
  checkStat,
  DEFAULT_QUANTILE,
  ERROR_STATS,
  type ErrorArrays,
  type ErrorStat,
  errorArrays,
  quantile,
  type StatVerdict,
  statOf,
} from './stat-check.ts';
export {
  AccuracyTally,
  accuracyChange,
  argmaxRows,
  taskAccuracy,
  top1Agreement,
  top1Count,
} from './top1.ts';
export type { DriftStats, OutputBound, OutputResult } from './types.ts';
