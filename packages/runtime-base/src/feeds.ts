import type { NamedTensors } from '@bert-parity/core';
import { tensor } from './tensors.ts';

/** What BERT feeds are made of: the fixtures' BertInputs, or encodings stacked into rows. */
export interface BertFeedInput {
  readonly batch: number;
  readonly seqLength: number;
  readonly inputIds: ArrayLike<number>;
  readonly attentionMask: ArrayLike<number>;
  readonly tokenTypeIds: ArrayLike<number>;
}

/**
 * The three BERT feeds as int32 [batch, seq] tensors named input_ids / attention_mask / token_type_ids
 * (the sessions widen them to int64 where the model wants it).
 */
export function bertFeeds(x: BertFeedInput): NamedTensors {
  const shape = [x.batch, x.seqLength];
  const t = (a: ArrayLike<number>) => tensor('int32', shape, Int32Array.from(a));
  return { input_ids: t(x.inputIds), attention_mask: t(x.attentionMask), token_type_ids: t(x.tokenTypeIds) };
}

/** Stacks tokenizer encodings of equal length ({ids, typeIds, attentionMask}) into feeds. */
export function encodingFeeds(
  rows: readonly { ids: readonly number[]; typeIds: readonly number[]; attentionMask: readonly number[] }[],
): NamedTensors {
  const seqLength = rows[0]?.ids.length ?? 0;
  return bertFeeds({
    batch: rows.length,
    seqLength,
    inputIds: rows.flatMap((r) => r.ids),
    attentionMask: rows.flatMap((r) => r.attentionMask),
    tokenTypeIds: rows.flatMap((r) => r.typeIds),
  });
}
