import { z } from 'zod';

/**
 * The report's shape as readers check it (`readReport`, so `report merge` and `report render`): every
 * field the renderers use, with its type. A report that passes renders in every format; one that does not
 * is E_REPORT_SCHEMA naming the field. Objects keep unknown keys (a newer bert-parity may add fields
 * within schema version 1). Drift numbers may be NaN or ±Infinity (written as strings, read back as numbers).
 */
const anyNumber = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });
const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();
const text = z.string();

const stats = z.looseObject({
  elements: count,
  maxAbs: anyNumber,
  meanAbs: anyNumber,
  relL2: anyNumber,
  cosine: anyNumber,
  sqnrDb: anyNumber,
  top1Agreement: anyNumber.optional(),
  mismatches: count,
  nonFinite: count,
  nan: count.optional(),
  minPassingAtol: anyNumber,
  minPassingRtol: anyNumber,
});

const bound = z.looseObject({
  relL2: anyNumber.optional(),
  maxAbs: anyNumber.optional(),
  cosineMin: anyNumber.optional(),
  top1AgreementMin: anyNumber.optional(),
  atol: anyNumber.optional(),
  rtol: anyNumber.optional(),
  accuracyDropMax: anyNumber.optional(),
});

/** |a − r| per decade: one more edge than counts, edges in order (the HTML chart draws one bar per count). */
const histogram = z
  .looseObject({ log10Edges: z.array(z.number()).max(1000), counts: z.array(count).max(1000) })
  .refine((h) => h.log10Edges.length === h.counts.length + 1, 'expected one more edge than counts');

const output = z.looseObject({
  output: text,
  stats,
  bound,
  pass: z.boolean(),
  failures: z.array(text),
  histogram: histogram.optional(),
});

const status = z.enum(['pass', 'fail', 'error', 'skipped']);
const error = z.looseObject({ code: text, message: text });

const modelCell = z.looseObject({
  kind: z.literal('model'),
  id: text,
  variant: text,
  format: text,
  precision: text,
  modelPath: text,
  modelBytes: count,
  modelSha256: text,
  runtime: text,
  platform: text,
  environment: z
    .looseObject({
      runtime: text,
      version: text,
      backend: text,
      threads: count.optional(),
      simd: z.boolean().optional(),
    })
    .optional(),
  status,
  error: error.optional(),
  outputs: z.array(output),
  latency: z
    .looseObject({
      medianMs: ms,
      p90Ms: ms,
      runs: count,
      batch: count,
      clock: z.enum(['host', 'device']).optional(),
    })
    .optional(),
  accuracy: z.looseObject({ value: anyNumber, reference: anyNumber, delta: anyNumber }).optional(),
  wallMs: ms,
  runtimeMs: ms,
  baselineDelta: z.record(text, z.looseObject({ relL2: anyNumber, maxAbs: anyNumber })).optional(),
});

const tokenizerCell = z.looseObject({
  kind: z.literal('tokenizer'),
  id: text,
  impl: text,
  golden: text,
  status,
  error: error.optional(),
  cases: count,
  agree: count,
  mismatches: z.array(z.looseObject({ id: text, field: text, firstDiff: z.number().int() })),
  wallMs: ms,
});

export const reportSchema = z.looseObject({
  schema: text,
  createdAt: text,
  tool: z.looseObject({ name: text, version: text }),
  config: z.looseObject({ path: text.nullable(), sha256: text }),
  reference: z.looseObject({ kind: z.enum(['float64-fixture', 'golden-outputs', 'runtime']), description: text }),
  inputs: z.looseObject({ source: text, count: count, maxSeqLength: count, labelled: z.boolean() }),
  shard: z.looseObject({ index: z.number().int().positive(), total: z.number().int().positive() }).optional(),
  runtimeFilter: z.looseObject({ only: z.array(text).optional(), skip: z.array(text).optional() }).optional(),
  cells: z.array(z.discriminatedUnion('kind', [modelCell, tokenizerCell])),
  summary: z.looseObject({ pass: count, fail: count, error: count, skipped: count }),
  timing: z.looseObject({ wallMs: ms, runtimeMs: ms, runtimeShare: anyNumber }),
});
