import { join, resolve } from 'node:path';
import {
  elementCount,
  OUTPUT_INDEX_FILE,
  ParityError,
  preview,
  readOutputGoldens,
  type Tensor,
} from '@bert-parity/core';
import { type AnyFixtures, configSha256, FAMILIES, GENERATOR_VERSION } from '@bert-parity/fixtures';
import type { ParityConfig, ReferenceConfig } from '../config/schema.ts';
import type { FixtureSource } from './fixtures.ts';
import type { InputSet } from './inputs.ts';
import { shownPath } from './plan.ts';
import { hostPlatform } from './platform-host.ts';
import { runModel } from './run-model.ts';
import { type Outputs, rowRange } from './tensors.ts';
import { nextTurn, timeSlice } from './turn.ts';
import type { ResolvedVariant } from './variants.ts';

export interface Reference {
  kind: 'float64-fixture' | 'golden-outputs' | 'runtime';
  description: string;
  /** The outputs it has, in order. */
  outputNames: readonly string[];
  /** Rows [from, to) of an output ([to - from, ...]); golden outputs are read from disk per call, never all at once. */
  rows(output: string, from: number, to: number): Tensor;
  /** Time the reference spent inside a runtime (a runtime reference), for the report's runtime share. */
  runtimeMs: number;
  /** What produced the outputs, for a golden index. */
  producer: { name: string; version: string };
  model: { name: string; format: string; sha256: string };
  precision: 'float64' | 'float32' | 'float16' | 'int8' | 'mixed';
}

export const FIXTURE_OUTPUTS = ['last_hidden_state', 'pooler_output', 'logits'] as const;

/** A reference whose outputs are in memory (the float64 pass, a runtime's run). */
function inMemory(outputs: Outputs): Pick<Reference, 'outputNames' | 'rows'> {
  return {
    outputNames: [...outputs.keys()],
    rows: (name, from, to) => rowRange(outputs.get(name) as Tensor, from, to),
  };
}

/**
 * A fixture folder's float64 forward pass, one case at a time on its unpadded length. Padding keys get a
 * bias of -10000, whose exp underflows to exactly 0 in float64, and MobileBERT's [PAD] embedding row is
 * zero (its trigram input sees zeros past the end either way), so the real positions come out identical to
 * a padded pass at a fraction of the cost (the corpus averages 18 of 128 positions). Padding positions of
 * last_hidden_state stay 0; they are never compared.
 */
async function fixtureReference(source: FixtureSource, inputs: InputSet): Promise<Reference> {
  const fixtures = await source.load();
  const { hiddenSize: h, numLabels } = fixtures.config;
  const n = inputs.cases.length;
  const seq = inputs.maxSeqLength;
  const hidden = new Float64Array(n * seq * h);
  const pooler = new Float64Array(n * h);
  const logits = new Float64Array(n * numLabels);
  const slice = timeSlice();
  for (const [r, c] of inputs.cases.entries()) {
    if (slice.due()) await nextTurn();
    const valid = c.attentionMask.lastIndexOf(1) + 1;
    const out = fixtures.reference.forward({
      batch: 1,
      seqLength: valid,
      inputIds: c.ids.slice(0, valid),
      attentionMask: c.attentionMask.slice(0, valid),
      tokenTypeIds: c.typeIds.slice(0, valid),
    });
    hidden.set(out.lastHiddenState, r * seq * h);
    pooler.set(out.poolerOutput, r * h);
    logits.set(out.logits, r * numLabels);
  }
  const t = (shape: number[], data: Float64Array): Tensor => ({ dtype: 'float64', shape, data });
  const title = FAMILIES[fixtures.family].title;
  return {
    kind: 'float64-fixture',
    description: `float64 forward pass of the ${title} fixture (config ${fixtures.configHash}${source.dir === undefined ? '' : `, ${shownPath(source.dir)}`})`,
    ...inMemory(
      new Map([
        ['last_hidden_state', t([n, seq, h], hidden)],
        ['pooler_output', t([n, h], pooler)],
        ['logits', t([n, numLabels], logits)],
      ]),
    ),
    runtimeMs: 0,
    producer: { name: '@bert-parity/fixtures forward pass', version: String(GENERATOR_VERSION) },
    model: {
      name: `${fixtures.family} fixture ${fixtures.configHash}`,
      format: 'float64-reference',
      sha256: configSha256(fixtures.family, fixtures.config),
    },
    precision: 'float64',
  };
}

async function runtimeReference(
  ref: Extract<ReferenceConfig, { kind: 'runtime' }>,
  config: ParityConfig,
  variants: readonly ResolvedVariant[],
  inputs: InputSet,
): Promise<Reference> {
  const variant = variants.find((v) => v.name === ref.variant);
  if (variant === undefined) {
    throw new ParityError(
      'E_CONFIG',
      `reference.variant: ${JSON.stringify(ref.variant)} names no variant; expected one of ${variants.map((v) => v.name).join(', ')}`,
    );
  }
  if (variant.artifact === undefined) throw variant.error ?? new ParityError('E_MODEL_READ', variant.path);
  const runtime = config.runtimes.find((r) => r.name === ref.runtime) ?? {
    name: ref.runtime,
    batch: 16,
    optional: false,
  };
  const run = await runModel({
    artifact: variant.artifact,
    runtime,
    platform: hostPlatform.create(),
    mapping: variant.config,
    inputs,
    count: inputs.cases.length,
    latencyRuns: 0,
  });
  const precision = variant.precision === 'uint8' || variant.precision === undefined ? 'mixed' : variant.precision;
  return {
    kind: 'runtime',
    description: `${variant.name} on ${ref.runtime} (${run.environment.runtime} ${run.environment.version})`,
    ...inMemory(run.outputs),
    runtimeMs: run.runtimeMs,
    producer: { name: run.environment.runtime, version: run.environment.version },
    model: { name: variant.name, format: variant.artifact.format, sha256: variant.artifact.sha256 },
    precision,
  };
}

/** Golden outputs written by --update-golden; their inputs must be exactly these. */
function goldenReference(dir: string, inputs: InputSet, vocabSha256: string): Reference {
  const golden = readOutputGoldens(join(dir, OUTPUT_INDEX_FILE));
  const { index } = golden;
  const stale = (what: string, got: unknown, want: unknown) =>
    new ParityError(
      'E_GOLDEN_STALE',
      `${golden.path}: inputs.${what} is ${preview(got)}, this run has ${preview(want)}; regenerate with bert-parity check --update-golden`,
    );
  if (index.inputs.corpus_sha256 !== inputs.sha256)
    throw stale('corpus_sha256', index.inputs.corpus_sha256, inputs.sha256);
  if (index.inputs.vocab_sha256 !== vocabSha256) throw stale('vocab_sha256', index.inputs.vocab_sha256, vocabSha256);
  if (index.inputs.max_seq_length !== inputs.maxSeqLength) {
    throw stale('max_seq_length', index.inputs.max_seq_length, inputs.maxSeqLength);
  }
  const names = [...new Set(index.entries.map((e) => e.output))];
  const entries = new Map(index.entries.map((e) => [`${e.case}\n${e.output}`, e]));
  const entryOf = (caseId: string, name: string) => {
    const entry = entries.get(`${caseId}\n${name}`);
    if (entry === undefined) {
      throw new ParityError(
        'E_GOLDEN_STALE',
        `${golden.path} has no ${name} for case ${caseId}; regenerate with bert-parity check --update-golden`,
      );
    }
    return entry;
  };
  // Every case has every output, checked on the index before any cell runs; the arrays are read per batch.
  for (const name of names) for (const c of inputs.cases) entryOf(c.id, name);
  const rows = (name: string, from: number, to: number): Tensor => {
    const arrays = inputs.cases.slice(from, to).map((c) => golden.load(entryOf(c.id, name)));
    const first = arrays[0];
    if (first === undefined) throw new ParityError('E_METRIC_EMPTY', `${golden.path}: no cases in [${from}, ${to})`);
    const inner = elementCount(first.shape.slice(1));
    const data = new Float64Array(arrays.length * inner);
    arrays.forEach((r, i) => {
      if (r.data.length !== inner) {
        throw new ParityError(
          'E_GOLDEN_STALE',
          `${golden.path}: ${name} of case ${inputs.cases[from + i]?.id} has ${r.data.length} values, case ${inputs.cases[from]?.id} ${inner}; regenerate with bert-parity check --update-golden`,
        );
      }
      for (let k = 0; k < inner; k++) data[i * inner + k] = Number(r.data[k]);
    });
    return { dtype: 'float64', shape: [arrays.length, ...first.shape.slice(1)], data };
  };
  return {
    kind: 'golden-outputs',
    description: `golden outputs ${golden.path} (${index.model.name}, ${index.precision}, by ${index.producer.name} ${index.producer.version})`,
    outputNames: names,
    rows,
    runtimeMs: 0,
    producer: index.producer,
    model: index.model,
    precision: index.precision,
  };
}

/**
 * Default budget of the float64 reference, in multiply-adds over the whole input set: about 5 minutes at
 * FLOAT64_RATE. `pnpm fixtures:reference-cost` measured 1.1e8 to 2.6e8 multiply-adds/s (load 4 to 6 on 2
 * cores); per text of 128 positions: tiny BERT 1.3e7 (0.065 s), MobileBERT's published shape 2.7e9 (11 s),
 * bert-base's shape 1.1e10 (54 s). So the tiny fixtures fit with room to spare, MobileBERT published fits
 * on 100 corpus texts (18 positions on average: 3.7e10) but not at 128 positions, bert-base never does.
 */
export const DEFAULT_FLOAT64_BUDGET = 6e10;
/** The float64 pass's rate (multiply-adds per second) used to say what a cost means in time. */
const FLOAT64_RATE = 2e8;

/** A reference that names what computes it (auto resolved). */
type ConcreteReference = Exclude<ReferenceConfig, { kind: 'auto' | 'golden-outputs' }>;

/** What the float64 pass of each fixture folder costs on these inputs (valid positions of every case). */
async function float64Costs(sources: readonly SourceKey[], inputs: InputSet) {
  const lengths = inputs.cases.map((c) => c.attentionMask.lastIndexOf(1) + 1);
  return Promise.all(
    sources.map(async (s) => {
      const fixtures = await s.source.load();
      const family = FAMILIES[fixtures.family] as unknown as {
        multiplyAdds(config: AnyFixtures['config'], tokens: number): number;
      };
      return {
        describe: s.describe,
        multiplyAdds: lengths.reduce((t, n) => t + family.multiplyAdds(fixtures.config, n), 0),
      };
    }),
  );
}

const costText = (describe: string, multiplyAdds: number, budget: number, cases: number) =>
  `the float64 forward pass of ${describe} takes ${multiplyAdds.toExponential(1)} multiply-adds for these ${cases} inputs (about ${Math.ceil(multiplyAdds / FLOAT64_RATE / 60)} min at ${FLOAT64_RATE.toExponential(1)}/s), over maxMultiplyAdds ${budget.toExponential(1)}`;

/**
 * The reference to compute: auto becomes float64-fixture when every variant came from a fixture folder and
 * their float64 passes fit in the budget, else its runtime reference (with the reason, for the report); an
 * explicit float64-fixture over the budget is E_REFERENCE_COST, before any cell runs.
 */
async function resolveReference(
  ref: Exclude<ReferenceConfig, { kind: 'golden-outputs' }>,
  variants: readonly ResolvedVariant[],
  inputs: InputSet,
): Promise<{ ref: ConcreteReference; why?: string }> {
  if (ref.kind === 'runtime') return { ref };
  const budget = ref.maxMultiplyAdds ?? DEFAULT_FLOAT64_BUDGET;
  if (ref.kind === 'auto') {
    const runtime: ConcreteReference = { kind: 'runtime', runtime: ref.runtime, variant: ref.variant };
    const own = variants.find((v) => v.source === undefined);
    if (own !== undefined) return { ref: runtime, why: `auto: variant ${own.name} came from no fixture folder` };
    const over = (await float64Costs(await fixtureSources(variants), inputs)).find((c) => c.multiplyAdds > budget);
    if (over === undefined) return { ref: { kind: 'float64-fixture', maxMultiplyAdds: budget } };
    return { ref: runtime, why: `auto: ${costText(over.describe, over.multiplyAdds, budget, inputs.cases.length)}` };
  }
  const over = (await float64Costs(await fixtureSources(variants), inputs)).find((c) => c.multiplyAdds > budget);
  if (over !== undefined) {
    throw new ParityError(
      'E_FLOAT64_BUDGET',
      `reference float64-fixture: ${costText(over.describe, over.multiplyAdds, budget, inputs.cases.length)}; expected reference { kind: 'auto', runtime, variant } (the float64 pass where it fits, else that runtime), a runtime reference, golden outputs computed once with --update-golden, or a larger maxMultiplyAdds`,
    );
  }
  return { ref };
}

/** A runtime reference chosen by auto says so in its description. */
function noting(reference: Reference, why: string | undefined): Reference {
  return why === undefined ? reference : { ...reference, description: `${reference.description} (${why})` };
}

/** The one reference a golden set is computed from: a runtime, or the one fixture folder every variant came from. */
export async function computeReference(
  ref: ReferenceConfig,
  config: ParityConfig,
  baseDir: string,
  variants: readonly ResolvedVariant[],
  inputs: InputSet,
  vocabSha256: string,
): Promise<Reference> {
  if (ref.kind === 'golden-outputs') return goldenReference(resolve(baseDir, ref.dir), inputs, vocabSha256);
  const { ref: chosen, why } = await resolveReference(ref, variants, inputs);
  if (chosen.kind === 'runtime') return noting(await runtimeReference(chosen, config, variants, inputs), why);
  const sources = await fixtureSources(variants);
  if (sources.length !== 1) {
    throw new ParityError(
      'E_CONFIG',
      `reference float64-fixture for golden outputs needs the variants to come from one fixture; they come from ${sources.map((s) => s.describe).join(' and ')}; expected one fixture family and config per golden set`,
    );
  }
  return fixtureReference((sources[0] as SourceKey).source, inputs);
}

interface SourceKey {
  key: string;
  describe: string;
  source: FixtureSource;
}

/**
 * The distinct fixture folders of the variants, each opened (its manifest checked against its config
 * hash). A variant that came from no fixture folder, or whose folder does not check, is E_CONFIG: the
 * float64 reference would otherwise be some other model's.
 */
async function fixtureSources(variants: readonly ResolvedVariant[]): Promise<SourceKey[]> {
  const found = new Map<string, SourceKey>();
  for (const v of variants) {
    if (v.source === undefined) {
      throw new ParityError(
        'E_CONFIG',
        `reference float64-fixture: variant ${v.name} (${shownPath(v.path)}) came from no fixture folder (no bert-parity manifest.json at or above it); expected fixture variants, files written by pnpm fixtures:build --out DIR, or reference kind runtime or golden-outputs for your own models`,
      );
    }
    let fixtures: AnyFixtures;
    try {
      fixtures = await v.source.load();
    } catch (e) {
      if (!(e instanceof ParityError)) throw e;
      throw new ParityError('E_CONFIG', `reference float64-fixture: variant ${v.name}: ${e.message}`, { cause: e });
    }
    const key = `${fixtures.family}:${fixtures.configHash}`;
    if (!found.has(key))
      found.set(key, { key, describe: `${fixtures.family} (config ${fixtures.configHash})`, source: v.source });
  }
  return [...found.values()];
}

/** What each model cell is compared with: one reference for the run, or one per fixture folder. */
export interface References {
  /** The reference of a variant, computed when first asked for (once per fixture folder). */
  forVariant(variant: ResolvedVariant): Promise<Reference>;
  /** For the report: the kind and what the cells were compared with. */
  summary(): { kind: Reference['kind']; description: string } | undefined;
  /** Time spent inside runtimes by a runtime reference. */
  runtimeMs(): Promise<number>;
}

/**
 * Prepares the run's references. float64-fixture follows each variant's fixture folder and checks them
 * all here, before any cell runs; the others compute one reference, when the first cell needs it.
 */
export async function prepareReferences(
  ref: ReferenceConfig,
  config: ParityConfig,
  baseDir: string,
  variants: readonly ResolvedVariant[],
  inputs: InputSet,
  vocabSha256: string,
): Promise<References> {
  const computed = new Map<string, Promise<Reference>>();
  const settled: Reference[] = [];
  const remember = (key: string, make: () => Promise<Reference>) => {
    let p = computed.get(key);
    if (p === undefined) {
      p = make();
      computed.set(key, p);
      p.then((r) => settled.push(r)).catch(() => undefined);
    }
    return p;
  };
  const resolved: { ref: ReferenceConfig; why?: string | undefined } =
    ref.kind === 'golden-outputs' ? { ref } : await resolveReference(ref, variants, inputs);
  if (resolved.ref.kind === 'float64-fixture') {
    const sources = await fixtureSources(variants);
    const byVariant = new Map<ResolvedVariant, SourceKey>();
    for (const v of variants) {
      const fixtures = await (v.source as FixtureSource).load();
      byVariant.set(v, sources.find((s) => s.key === `${fixtures.family}:${fixtures.configHash}`) as SourceKey);
    }
    return {
      forVariant: (v) => {
        const s = byVariant.get(v) as SourceKey;
        return remember(s.key, () => fixtureReference(s.source, inputs));
      },
      summary: () =>
        settled.length === 0
          ? undefined
          : {
              kind: 'float64-fixture',
              description:
                settled.length === 1
                  ? (settled[0] as Reference).description
                  : `the float64 forward pass of each variant's fixture: ${settled.map((r) => r.description.replace(/^float64 forward pass of the /, '')).join('; ')}`,
            },
      runtimeMs: async () => 0,
    };
  }
  const one = () =>
    remember('run', async () =>
      noting(await computeReference(resolved.ref, config, baseDir, variants, inputs, vocabSha256), resolved.why),
    );
  return {
    forVariant: one,
    summary: () => {
      const r = settled[0];
      return r === undefined ? undefined : { kind: r.kind, description: r.description };
    },
    runtimeMs: async () => (computed.size === 0 ? 0 : ((await one().catch(() => undefined))?.runtimeMs ?? 0)),
  };
}
