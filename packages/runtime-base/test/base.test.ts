import { isParityError, type Tensor } from '@bert-parity/core';
import { describe, expect, it } from 'vitest';
import { type AdapterOptions, BaseSession, bertFeeds, castInteger } from '../src/index.ts';

/** Echoes input_ids as a [b, s, 1] float output and counts rows as a [b, 1] output; records what it got. */
class EchoSession extends BaseSession {
  readonly seen: Tensor[][] = [];
  constructor(fixed: boolean, named: boolean, options: AdapterOptions = {}) {
    const dim = (n: number) => (fixed ? n : null);
    super({
      modelInputs: ['ids', 'mask'].map((name) => ({ name, dtype: 'int32' as const, shape: [dim(1), dim(8)] })),
      modelOutputs: [
        { name: 'seq', dtype: 'float32', shape: [dim(1), dim(8), 1] },
        { name: 'rows', dtype: 'float32', shape: [dim(1), 1] },
      ],
      named,
      options,
      environment: { runtime: 'echo', version: '0', backend: 'none' },
    });
  }
  protected async runImpl(feeds: readonly Tensor[]): Promise<Tensor[]> {
    this.seen.push([...feeds]);
    const ids = feeds[0] as Tensor;
    const [b = 0, s = 0] = ids.shape;
    return [
      { dtype: 'float32', shape: [b, s, 1], data: Float32Array.from(ids.data as Int32Array) },
      { dtype: 'float32', shape: [b, 1], data: new Float32Array(b).fill(this.seen.length) },
    ];
  }
  protected async closeImpl(): Promise<void> {}
}

const feeds = (ids: number[][]) => {
  const f = bertFeeds({
    batch: ids.length,
    seqLength: ids[0]?.length ?? 0,
    inputIds: ids.flat(),
    attentionMask: ids.flat().map(() => 1),
    tokenTypeIds: [],
  });
  return { ids: f.input_ids as Tensor, mask: f.attention_mask as Tensor };
};

describe('BaseSession', () => {
  it('pads to a fixed sequence length with zeros, runs a larger batch row by row and crops back', async () => {
    const s = new EchoSession(true, true, { idsInput: 'ids', vocabSize: 100 });
    const out = await s.run(
      feeds([
        [5, 6, 7],
        [8, 9, 10],
      ]),
    );
    expect(s.seen.length).toBe(2);
    expect(Array.from((s.seen[0]?.[0]?.data ?? []) as ArrayLike<number>)).toEqual([5, 6, 7, 0, 0, 0, 0, 0]);
    expect(Array.from((s.seen[1]?.[1]?.data ?? []) as ArrayLike<number>)).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    expect(out.seq?.shape).toEqual([2, 3, 1]);
    expect(Array.from((out.seq?.data ?? []) as ArrayLike<number>)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(Array.from((out.rows?.data ?? []) as ArrayLike<number>)).toEqual([1, 2]);
    expect(s.timings.runs).toBe(1);
  });

  it('checks ids against the vocabulary before running, and int64 feeds are narrowed', async () => {
    const s = new EchoSession(false, true, { idsInput: 'ids', vocabSize: 10 });
    const bad = await s.run(feeds([[1, 12]])).catch((e: unknown) => e);
    expect(isParityError(bad, 'E_RUNTIME_TOKEN_RANGE')).toBe(true);
    expect((bad as Error).message).toBe(
      "input ids[0, 1] = 12 is outside the embedding table; expected 0 <= id < 10 (the model's vocabulary size)",
    );
    expect(s.seen.length).toBe(0);
    const f = feeds([[1, 2]]);
    await s.run({ ids: castInteger(f.ids, 'int64', 'ids'), mask: f.mask });
    expect(s.seen[0]?.[0]?.dtype).toBe('int32');
    const huge: Tensor = { dtype: 'int64', shape: [1, 1], data: BigInt64Array.of(2n ** 40n) };
    const e = await s
      .run({ ids: huge, mask: { dtype: 'int32', shape: [1, 1], data: Int32Array.of(1) } })
      .catch((x: unknown) => x);
    expect(isParityError(e, 'E_RUNTIME_FEED')).toBe(true);
    expect((e as Error).message).toBe(
      "input ids[0] = 1099511627776 does not fit the model's int32 input; expected a value in the int32 range",
    );
  });

  it('without a signature, inputs need a full positional mapping; mappings that name nothing are refused', () => {
    expect(() => new EchoSession(false, false)).toThrow(
      /SessionOptions\.inputMapping must map every one; unmapped: #0 ids, #1 mask/,
    );
    expect(() => new EchoSession(false, false, { inputMapping: { input_ids: 0 } })).toThrow(/unmapped: #1 mask/);
    expect(() => new EchoSession(false, true, { inputMapping: { input_ids: 5 } })).toThrow(
      /input mapping input_ids → 5 names no model input; the model's inputs are: #0 ids int32\[\?, \?\]; #1 mask int32\[\?, \?\]/,
    );
    const s = new EchoSession(false, false, {
      inputMapping: { input_ids: 0, attention_mask: 'mask' },
      outputMapping: { h: 0 },
    });
    expect(s.inputs.map((i) => i.name)).toEqual(['input_ids', 'attention_mask']);
    expect(s.outputs.map((o) => o.name)).toEqual(['h']);
  });
});
