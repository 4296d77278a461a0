import { isParityError } from '@bert-parity/core';
import { thrown } from '@bert-parity/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AccuracyTally,
  accuracyChange,
  compareOutput,
  DriftAccumulator,
  measure,
  type NumericTensor,
  OutputComparison,
} from '../src/index.ts';

/** Finite values with exact zeros and the occasional NaN or infinity, as runtimes produce them. */
const element = fc.oneof(
  { weight: 20, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 }) },
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
);

/**
 * A [rows, cols] output and reference (the reference a perturbation of the output, so errors span many
 * decades), a keep mask keeping whole rows or single elements, and cut points splitting the rows into
 * consecutive batches.
 */
const streamCase = fc
  .record({ rows: fc.integer({ min: 1, max: 12 }), cols: fc.integer({ min: 1, max: 9 }) })
  .chain(({ rows, cols }) =>
    fc.record({
      rows: fc.constant(rows),
      cols: fc.constant(cols),
      actual: fc.array(element, { minLength: rows * cols, maxLength: rows * cols }),
      noise: fc.array(fc.double({ noNaN: true, min: -1, max: 1 }), { minLength: rows * cols, maxLength: rows * cols }),
      scale: fc.constantFrom(0, 1e-7, 1e-3, 1),
      keepRow: fc.array(fc.boolean(), { minLength: rows, maxLength: rows }),
      masked: fc.boolean(),
      cuts: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, rows - 1) }), { maxLength: rows - 1 }),
    }),
  );

type Case = {
  rows: number;
  cols: number;
  actual: number[];
  noise: number[];
  scale: number;
  keepRow: boolean[];
  masked: boolean;
  cuts: number[];
};

function tensors(c: Case) {
  const reference = c.actual.map((x, i) => (Number.isFinite(x) ? x + (c.noise[i] as number) * c.scale : x));
  // At least one kept element, or there is nothing to compare (tested separately).
  const keepRow = c.keepRow.some(Boolean) ? c.keepRow : c.keepRow.map((_, i) => i === 0);
  const keep = c.masked ? Uint8Array.from(c.actual, (_, i) => (keepRow[Math.floor(i / c.cols)] ? 1 : 0)) : undefined;
  const bounds = [0, ...[...c.cuts].filter((x) => x < c.rows).sort((a, b) => a - b), c.rows];
  return { reference, keep, bounds };
}

const tensor = (data: number[], rows: number, cols: number): NumericTensor => ({
  dtype: 'float64',
  shape: [rows, cols],
  data: Float64Array.from(data),
});

/** Rows [from, to) of a row-major [rows, cols] array. */
const rowsOf = <T extends { slice(a: number, b: number): T }>(x: T, cols: number, from: number, to: number) =>
  x.slice(from * cols, to * cols);

/** Feeds the case's output and reference to `add` in its batches, each batch as tensors with its keep mask. */
function inBatches(
  c: Case,
  add: (actual: NumericTensor, reference: NumericTensor, keep: Uint8Array | undefined) => void,
): void {
  const { reference, keep, bounds } = tensors(c);
  for (let b = 0; b + 1 < bounds.length; b++) {
    const [from, to] = [bounds[b] as number, bounds[b + 1] as number];
    add(
      tensor(rowsOf(c.actual, c.cols, from, to), to - from, c.cols),
      tensor(rowsOf(reference, c.cols, from, to), to - from, c.cols),
      keep === undefined ? undefined : rowsOf(keep, c.cols, from, to),
    );
  }
}

describe('streamed drift statistics equal the whole-tensor results exactly', () => {
  it('DriftAccumulator over consecutive batches == measure over the whole tensor (every stat, top-1, histogram)', () => {
    fc.assert(
      fc.property(streamCase, (c) => {
        const { reference, keep } = tensors(c);
        const options = { tolerance: { atol: 1e-5, rtol: 1e-3 }, top1: true, histogram: true } as const;
        const whole = measure(tensor(c.actual, c.rows, c.cols), tensor(reference, c.rows, c.cols), {
          ...options,
          ...(keep === undefined ? {} : { keep }),
        });
        const acc = new DriftAccumulator(options);
        inBatches(c, (a, r, k) => acc.add(a, r, k));
        // toEqual treats NaN as equal to NaN; the numbers are compared exactly.
        expect(acc.result()).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('OutputComparison over batches == compareOutput, verdict and failures included', () => {
    fc.assert(
      fc.property(streamCase, (c) => {
        const { reference, keep } = tensors(c);
        const bound = { relL2: 1e-3, maxAbs: 1e-2, cosineMin: 0.999, top1AgreementMin: 0.9, atol: 1e-4, rtol: 1e-3 };
        const whole = compareOutput(
          'logits',
          tensor(c.actual, c.rows, c.cols),
          tensor(reference, c.rows, c.cols),
          bound,
          {
            ...(keep === undefined ? {} : { keep }),
          },
        );
        const streamed = new OutputComparison('logits', bound);
        inBatches(c, (a, r, k) => streamed.add(a, r, k));
        expect(streamed.result()).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('AccuracyTally over batches == accuracyChange over all rows', () => {
    fc.assert(
      fc.property(
        streamCase.chain((c) =>
          fc.record({
            c: fc.constant(c),
            labels: fc.array(fc.integer({ min: 0, max: c.cols - 1 }), { minLength: c.rows, maxLength: c.rows }),
          }),
        ),
        ({ c, labels }) => {
          const { reference, bounds } = tensors(c);
          const tally = new AccuracyTally(c.cols);
          for (let b = 0; b + 1 < bounds.length; b++) {
            const [from, to] = [bounds[b] as number, bounds[b + 1] as number];
            tally.add(rowsOf(c.actual, c.cols, from, to), rowsOf(reference, c.cols, from, to), labels.slice(from, to));
          }
          expect(tally.result()).toEqual(accuracyChange(c.actual, reference, labels, c.cols));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('DriftAccumulator: bad parts', () => {
  it('refuses a part whose trailing axes differ from the first part', () => {
    const acc = new DriftAccumulator({ name: 'last_hidden_state' });
    acc.add(tensor([1, 2, 3, 4], 2, 2), tensor([1, 2, 3, 4], 2, 2));
    const e = thrown(() => acc.add(tensor([1, 2, 3], 1, 3), tensor([1, 2, 3], 1, 3)));
    expect(isParityError(e, 'E_METRIC_SHAPE')).toBe(true);
    expect(e.message).toBe(
      "last_hidden_state: part of shape [1, 3] does not continue the earlier parts' [N, 2]; expected the same shape after the first axis",
    );
  });

  it('has no result before a kept element: E_METRIC_EMPTY', () => {
    const acc = new DriftAccumulator({ name: 'logits' });
    expect(thrown(() => acc.result()).message).toBe('logits: the keep mask selects no elements (all padding?)');
    acc.add(tensor([1, 2], 1, 2), tensor([1, 2], 1, 2), Uint8Array.from([0, 0]));
    expect(
      isParityError(
        thrown(() => acc.result()),
        'E_METRIC_EMPTY',
      ),
    ).toBe(true);
  });

  it('AccuracyTally without rows: E_METRIC_EMPTY', () => {
    const e = thrown(() => new AccuracyTally(3, 'logits').result());
    expect(isParityError(e, 'E_METRIC_EMPTY')).toBe(true);
    expect(e.message).toBe('logits: no rows to score');
  });
});
