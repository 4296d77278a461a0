import { elementCount, type Tensor } from '@bert-parity/core';

/** Named outputs over every input case, stacked on axis 0: what a reference provides and a cell produces. */
export type Outputs = Map<string, Tensor>;

/** Rows [from, to) of a [N, ...] tensor, without copying. */
export function rowRange(t: Tensor, from: number, to: number): Tensor {
  if (from === 0 && t.shape[0] === to) return t;
  const inner = elementCount(t.shape.slice(1));
  return {
    dtype: t.dtype,
    shape: [to - from, ...t.shape.slice(1)],
    data: t.data.subarray(from * inner, to * inner) as Tensor['data'],
  };
}
