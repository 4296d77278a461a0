import { ParityError } from '@bert-parity/core';

/** Index of the largest value in each row of the last axis (first index on ties; -1 for a row with NaN). */
export function argmaxRows(values: ArrayLike<number>, cols: number): Int32Array {
  const rows = cols > 0 ? Math.floor(values.length / cols) : 0;
  const out = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    let best = 0;
    let bestValue = values[row * cols] as number;
    let nan = Number.isNaN(bestValue);
    for (let c = 1; c < cols && !nan; c++) {
      const v = values[row * cols + c] as number;
      if (Number.isNaN(v)) nan = true;
      else if (v > bestValue) {
        best = c;
        bestValue = v;
      }
    }
    out[row] = nan ? -1 : best;
  }
  return out;
}

/**
 * Share of rows whose argmax over the last axis agrees. A row whose output holds a NaN never agrees.
 * `keepRow` (optional) leaves rows out, e.g. padding positions of a per-token output.
 */
export function top1Agreement(
  actual: ArrayLike<number>,
  reference: ArrayLike<number>,
  cols: number,
  keepRow?: (row: number) => boolean,
): number | undefined {
  const { rows, agree } = top1Count(actual, reference, cols, keepRow);
  return rows === 0 ? undefined : agree / rows;
}

/** The counts behind top1Agreement: rows kept and rows whose argmax agrees (summed over batches). */
export function top1Count(
  actual: ArrayLike<number>,
  reference: ArrayLike<number>,
  cols: number,
  keepRow?: (row: number) => boolean,
): { rows: number; agree: number } {
  const a = argmaxRows(actual, cols);
  const r = argmaxRows(reference, cols);
  let rows = 0;
  let agree = 0;
  for (let i = 0; i < a.length; i++) {
    if (keepRow !== undefined && !keepRow(i)) continue;
    rows++;
    if (a[i] !== -1 && a[i] === r[i]) agree++;
  }
  return { rows, agree };
}

function checkLabels(labels: ArrayLike<number>, rows: number, cols: number, name: string): void {
  if (labels.length !== rows) {
    throw new ParityError('E_METRIC_INPUT', `${name}: ${labels.length} labels for ${rows} rows; expected one per row`);
  }
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i] as number;
    if (!Number.isInteger(l) || l < 0 || l >= cols) {
      throw new ParityError('E_METRIC_INPUT', `${name}: label ${i} is ${l}; expected an integer in [0, ${cols})`);
    }
  }
}

/** Share of rows whose argmax equals the label. */
export function taskAccuracy(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  cols: number,
  name = 'logits',
): number {
  const predicted = argmaxRows(logits, cols);
  checkLabels(labels, predicted.length, cols, name);
  if (predicted.length === 0) throw new ParityError('E_METRIC_EMPTY', `${name}: no rows to score`);
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) right++;
  return right / predicted.length;
}

/** Accuracy of the output and of its reference on the same labels; delta = value − reference. */
export function accuracyChange(
  actual: ArrayLike<number>,
  reference: ArrayLike<number>,
  labels: ArrayLike<number>,
  cols: number,
  name = 'logits',
): { value: number; reference: number; delta: number } {
  const tally = new AccuracyTally(cols, name);
  tally.add(actual, reference, labels);
  return tally.result();
}

/**
 * accuracyChange over rows that arrive in batches (in any order): counts the rows whose argmax equals the
 * label, for the output and for its reference; the result equals accuracyChange on all the rows.
 */
export class AccuracyTally {
  private rows = 0;
  private right = 0;
  private referenceRight = 0;

  constructor(
    private readonly cols: number,
    private readonly name = 'logits',
  ) {}

  add(actual: ArrayLike<number>, reference: ArrayLike<number>, labels: ArrayLike<number>): void {
    const predicted = argmaxRows(actual, this.cols);
    const expected = argmaxRows(reference, this.cols);
    checkLabels(labels, predicted.length, this.cols, this.name);
    checkLabels(labels, expected.length, this.cols, `${this.name} (reference)`);
    for (let i = 0; i < predicted.length; i++) {
      if (predicted[i] === labels[i]) this.right++;
      if (expected[i] === labels[i]) this.referenceRight++;
    }
    this.rows += predicted.length;
  }

  result(): { value: number; reference: number; delta: number } {
    if (this.rows === 0) throw new ParityError('E_METRIC_EMPTY', `${this.name}: no rows to score`);
    const value = this.right / this.rows;
    const reference = this.referenceRight / this.rows;
    return { value, reference, delta: value - reference };
  }
}
