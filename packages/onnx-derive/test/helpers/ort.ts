import { measure } from '@bert-parity/metrics';
import * as ort from 'onnxruntime-node';

export type Feeds = Record<string, ort.Tensor>;
export type Outputs = Record<string, { dims: readonly number[]; data: Float32Array }>;

/** Runs a model file with onnxruntime-node (from its path, so external data resolves beside it). */
export async function runOnnx(path: string, feeds: Feeds): Promise<Outputs> {
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, logSeverityLevel: 4 });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dims: t.dims, data: t.data as Float32Array }]));
  } finally {
    await session.release();
  }
}

export function relL2(actual: Outputs[string], reference: Outputs[string]): number {
  const t = (o: Outputs[string]) => ({ dtype: 'float32' as const, shape: [...o.dims], data: o.data });
  return measure(t(actual), t(reference)).stats.relL2;
}

/** BERT feeds of `batch` rows × `seq` tokens, ids cycling below `vocab`; names as the model calls them. */
export function bertFeeds(
  names: { ids: string; mask?: string; types?: string },
  batch: number,
  seq: number,
  vocab: number,
): Feeds {
  const n = batch * seq;
  const feeds: Feeds = {
    [names.ids]: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: n }, (_, i) => BigInt(1 + ((i * 7) % (vocab - 1)))),
      [batch, seq],
    ),
  };
  // The second row's last quarter is padding, so masked positions are exercised too.
  if (names.mask) {
    feeds[names.mask] = new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: n }, (_, i) => (i >= seq && i % seq >= (3 * seq) / 4 ? 0n : 1n)),
      [batch, seq],
    );
  }
  if (names.types) feeds[names.types] = new ort.Tensor('int64', new BigInt64Array(n), [batch, seq]);
  return feeds;
}

export { ort };
