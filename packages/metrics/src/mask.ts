import { ParityError } from '@bert-parity/core';
import { shapeText } from './shape.ts';

/**
 * Which elements of a [batch, seq, ...] hidden-state tensor belong to real tokens: 1 where the attention
 * mask is non-zero. Padding positions carry whatever the runtime computed for them (models differ there
 * without being wrong), so hidden-state metrics skip them.
 */
export function paddingKeep(mask: ArrayLike<number | bigint>, shape: readonly number[], name = 'tensor'): Uint8Array {
  if (shape.length < 2) {
    throw new ParityError(
      'E_METRIC_SHAPE',
      `${name}: shape ${shapeText(shape)} has no [batch, seq] axes; a padding mask needs rank >= 2`,
    );
  }
  const [batch, seq] = shape as [number, number];
  if (mask.length !== batch * seq) {
    throw new ParityError(
      'E_METRIC_SHAPE',
      `${name}: attention mask has ${mask.length} entries; shape ${shapeText(shape)} needs batch·seq = ${batch * seq}`,
    );
  }
  let inner = 1;
  for (const d of shape.slice(2)) inner *= d;
  const keep = new Uint8Array(batch * seq * inner);
  for (let p = 0; p < batch * seq; p++) {
    if (Number(mask[p]) !== 0) keep.fill(1, p * inner, (p + 1) * inner);
  }
  return keep;
}
