import { ParityError } from '@bert-parity/core';
import type { NumericTensor } from './decode.ts';

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function countOf(tensor: NumericTensor, name: string): number {
  let n = 1;
  for (const d of tensor.shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ParityError('E_METRIC_SHAPE', `${name}: shape ${shapeText(tensor.shape)} has dimension ${d}`);
    }
    n *= d;
  }
  if (tensor.data.length !== n) {
    throw new ParityError(
      'E_METRIC_SHAPE',
      `${name}: shape ${shapeText(tensor.shape)} has ${n} elements but its data has ${tensor.data.length}`,
    );
  }
  return n;
}

/**
 * Checks that an output and its reference can be compared element by element, and returns the element
 * count. Shapes must be equal, not merely broadcastable: a silent broadcast would hide an export bug.
 */
export function checkComparable(actual: NumericTensor, reference: NumericTensor, name: string): number {
  const n = countOf(actual, `${name} (output)`);
  countOf(reference, `${name} (reference)`);
  const same = actual.shape.length === reference.shape.length && actual.shape.every((d, i) => d === reference.shape[i]);
  if (!same) {
    throw new ParityError(
      'E_METRIC_SHAPE',
      `${name}: output shape ${shapeText(actual.shape)} differs from reference shape ${shapeText(reference.shape)}`,
      { details: { output: [...actual.shape], reference: [...reference.shape] } },
    );
  }
  if (n === 0) {
    throw new ParityError(
      'E_METRIC_EMPTY',
      `${name}: shape ${shapeText(actual.shape)} has no elements; there is nothing to compare`,
    );
  }
  return n;
}
