import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ParityError } from '@bert-parity/core';
import { BertTokenizer, Vocabulary } from '@bert-parity/tokenizer';
import type { LoadedConfig } from '../config/load.ts';
import type { PlatformName } from '../config/schema.ts';
import { summarize } from '../report/summary.ts';
import { type Cell, type ParityReport, REPORT_SCHEMA } from '../report/types.ts';
import { applyBaseline, readBaseline } from './baseline.ts';
import { writeGoldenOutputs } from './golden.ts';
import { corpusInputs, type InputSet, labelledInputs, textInputs } from './inputs.ts';
import { runLane } from './lanes.ts';
import { runModelCell } from './model-cell.ts';
import { filterRuntimes, planCells, type RuntimeFilter, type Shard, shardCells, shownPath } from './plan.ts';
import { platformConcurrency, RunPlatforms } from './platforms.ts';
import { type Progress, silentProgress } from './progress.ts';
import { computeReference, prepareReferences, type Reference } from './reference.ts';
import { runTokenizerCell } from './tokenizer-cell.ts';
import { type ResolvedVariant, resolveVariants } from './variants.ts';

export interface CheckOptions {
  shard?: Shard | undefined;
  /** Run only some runtimes' cells, or leave some out (applied before sharding). */
  runtimes?: RuntimeFilter | undefined;
  /** Run on this platform only, as the config declares it (maxCases) but never optional: asked for, it must run. */
  platform?: PlatformName | undefined;
  /** Recompute the golden outputs from reference.source and write them before comparing. */
  updateGolden?: boolean | undefined;
  /** An earlier report.json: each model cell gets the change of its drift since then. */
  baseline?: string | undefined;
  progress?: Progress | undefined;
}

const TOOL_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

function readInputs(loaded: LoadedConfig, tokenizer: BertTokenizer): InputSet {
  const { inputs } = loaded.config;
  if (inputs.labels !== undefined && inputs.texts !== undefined) {
    throw new ParityError('E_CONFIG', 'inputs: both labels and texts are given; expected one of them');
  }
  if (inputs.labels !== undefined) {
    return labelledInputs(resolve(loaded.baseDir, inputs.labels), inputs.labels, inputs, tokenizer);
  }
  if (inputs.texts !== undefined) {
    return textInputs(resolve(loaded.baseDir, inputs.texts), inputs.texts, inputs, tokenizer);
  }
  return corpusInputs(resolve(loaded.baseDir, inputs.corpus), inputs.corpus, inputs, tokenizer);
}

/** What every run needs before its cells: the tokenizer, the encoded inputs and the variants' models. */
export interface RunSetup {
  tokenizer: BertTokenizer;
  vocabPath: string;
  vocabSha256: string;
  inputs: InputSet;
  variants: ResolvedVariant[];
}

export async function setUpRun(loaded: LoadedConfig): Promise<RunSetup> {
  const { config, baseDir } = loaded;
  const vocabPath = resolve(baseDir, config.tokenizer.vocab);
  const special = config.tokenizer.specialTokens ?? {};
  const tokenizer = new BertTokenizer(Vocabulary.fromFile(vocabPath), {
    lowercase: config.tokenizer.lowercase,
    ...(special.unk === undefined ? {} : { unkToken: special.unk }),
    ...(special.cls === undefined ? {} : { clsToken: special.cls }),
    ...(special.sep === undefined ? {} : { sepToken: special.sep }),
    ...(special.pad === undefined ? {} : { padToken: special.pad }),
    ...(special.mask === undefined ? {} : { maskToken: special.mask }),
  });
  const vocabSha256 = createHash('sha256').update(readFileSync(vocabPath)).digest('hex');
  const inputs = readInputs(loaded, tokenizer);
  const variants = await resolveVariants(config, baseDir);
  return { tokenizer, vocabPath, vocabSha256, inputs, variants };
}

/**
 * --update-golden: computes reference.source and writes it to reference.dir as golden outputs. Returns
 * the reference it wrote (its runtime time counts in the report).
 */
export async function updateGoldenOutputs(loaded: LoadedConfig, setup: RunSetup): Promise<Reference> {
  const { config, baseDir } = loaded;
  const ref = config.reference;
  if (ref.kind !== 'golden-outputs') {
    throw new ParityError(
      'E_USAGE',
      `--update-golden writes golden outputs, but reference.kind is ${ref.kind}; expected reference: { kind: 'golden-outputs', dir, source }`,
    );
  }
  const source = await computeReference(ref.source, config, baseDir, setup.variants, setup.inputs, setup.vocabSha256);
  writeGoldenOutputs(resolve(baseDir, ref.dir), source, setup.inputs, {
    path: setup.vocabPath,
    sha256: setup.vocabSha256,
    lowercase: config.tokenizer.lowercase,
  });
  return source;
}

/** The report's reference when no model cell computed one (every cell errored or was skipped). */
function referenceSummary(loaded: LoadedConfig): ParityReport['reference'] {
  const ref = loaded.config.reference;
  if (ref.kind === 'runtime') return { kind: 'runtime', description: `${ref.variant} on ${ref.runtime}` };
  if (ref.kind === 'golden-outputs') return { kind: 'golden-outputs', description: `golden outputs in ${ref.dir}` };
  if (ref.kind === 'auto') {
    return {
      kind: 'runtime',
      description: `auto, not computed: the float64 forward pass where it fits, else ${ref.variant} on ${ref.runtime}`,
    };
  }
  return { kind: 'float64-fixture', description: "float64 forward pass of each variant's fixture" };
}

/**
 * Runs the configured matrix and returns the report. Each platform's cells start in plan order, as many
 * at once as the platform takes (one on the host: runtimes such as tfjs hold process-global state), the
 * platforms side by side; the report lists the cells in plan order. A failing cell never stops the
 * others. Each reference is computed once, when the first model cell that needs it runs (float64-fixture:
 * one per fixture folder).
 */
export async function runCheck(loaded: LoadedConfig, options: CheckOptions = {}): Promise<ParityReport> {
  const start = performance.now();
  const { config, baseDir } = loaded;
  const progress = options.progress ?? silentProgress;
  const setup = await setUpRun(loaded);
  const { inputs, variants, vocabSha256 } = setup;
  // --platform keeps what the config says of that platform (maxCases) except optional: asked for, it must run.
  const chosen = config.platforms.find((p) => p.name === options.platform);
  const platforms =
    options.platform === undefined ? config.platforms : [{ ...chosen, name: options.platform, optional: false }];
  const plans = shardCells(
    filterRuntimes(planCells(config, baseDir, variants, platforms), options.runtimes),
    options.shard,
  );

  // One lane per platform, the platforms side by side (this process, a browser, a device); tokenizer
  // cells run in the host's lane. Within a lane cells start in plan order, as many at once as the
  // platform takes (host: one) and never two of one runtime (see runLane).
  const lanes = new Map<PlatformName, { index: number; plan: (typeof plans)[number]; runtime: string | undefined }[]>();
  plans.forEach((plan, index) => {
    const lane = plan.kind === 'model' ? plan.platform : 'host';
    const runtime = plan.kind === 'model' ? plan.runtime.name : undefined;
    lanes.set(lane, [...(lanes.get(lane) ?? []), { index, plan, runtime }]);
  });
  const results: Cell[] = [];
  const laneMs: number[] = [];
  // Platforms start what they need (a browser, a server) at their first cell, or ahead, while the
  // references are prepared, when told what the run will open; all of it stops when the run ends.
  const running = new RunPlatforms();
  running.prepare(plans.flatMap((p) => (p.kind === 'model' ? [p] : [])));
  let references: Awaited<ReturnType<typeof prepareReferences>>;
  try {
    if (options.updateGolden === true) await updateGoldenOutputs(loaded, setup);
    // float64-fixture checks every variant's fixture folder here, before any cell runs.
    references = await prepareReferences(config.reference, config, baseDir, variants, inputs, vocabSha256);
    const forVariant = references.forVariant;
    progress.start(plans.length);
    await Promise.all(
      [...lanes].map(async ([name, lane]) => {
        const t0 = performance.now();
        await runLane(lane, platformConcurrency(name), async ({ index, plan }) => {
          progress.cellStarted(plan.id);
          const cell =
            plan.kind === 'model'
              ? await runModelCell(plan, config, inputs, forVariant, running.get(plan.platform))
              : await runTokenizerCell(plan, setup);
          results[index] = cell;
          progress.cellDone(cell);
        });
        laneMs.push(performance.now() - t0);
      }),
    );
    progress.stop();
  } finally {
    await running.close();
  }
  const cells = results;
  if (options.baseline !== undefined) applyBaseline(cells, readBaseline(options.baseline));

  const wallMs = performance.now() - start;
  const runtimeMs =
    cells.reduce((t, c) => t + (c.kind === 'model' ? c.runtimeMs : 0), 0) + (await references.runtimeMs());
  const report: ParityReport = {
    schema: REPORT_SCHEMA,
    createdAt: new Date().toISOString(),
    tool: { name: 'bert-parity', version: TOOL_VERSION },
    config: { path: loaded.path === null ? null : shownPath(loaded.path), sha256: loaded.sha256 },
    reference: references.summary() ?? referenceSummary(loaded),
    inputs: {
      source: inputs.source,
      count: inputs.cases.length,
      maxSeqLength: inputs.maxSeqLength,
      labelled: inputs.labelled,
    },
    cells,
    summary: summarize(cells),
    // The share of the run's time spent inside the runtimes, counting the time platforms ran side by
    // side once per platform (so it stays a share of the time the platforms were busy).
    timing: { wallMs, runtimeMs, runtimeShare: runtimeShareOf(runtimeMs, wallMs, laneMs) },
  };
  if (options.shard !== undefined) report.shard = options.shard;
  const filter = runtimeFilterOf(options.runtimes);
  if (filter !== undefined) report.runtimeFilter = filter;
  return report;
}

/** The filter as the report records it (what `report merge --require-shards` checks), or undefined. */
function runtimeFilterOf(filter: RuntimeFilter | undefined): ParityReport['runtimeFilter'] {
  const only = [...(filter?.only ?? [])];
  const skip = [...(filter?.skip ?? [])];
  if (only.length === 0 && skip.length === 0) return undefined;
  return { ...(only.length > 0 ? { only } : {}), ...(skip.length > 0 ? { skip } : {}) };
}

function runtimeShareOf(runtimeMs: number, wallMs: number, laneMs: readonly number[]): number {
  const parallelMs = laneMs.reduce((t, ms) => t + ms, 0) - Math.max(0, ...laneMs);
  const busyMs = wallMs + parallelMs;
  return busyMs > 0 ? runtimeMs / busyMs : 0;
}

/** 2 when any cell errored (the results are incomplete), else 1 when any failed, else 0. */
export function exitCodeOf(report: ParityReport): 0 | 1 | 2 {
  if (report.summary.error > 0) return 2;
  return report.summary.fail > 0 ? 1 : 0;
}
