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
import { corpusInputs, type InputSet, labelledInputs } from './inputs.ts';
import { runModelCell } from './model-cell.ts';
import { planCells, type Shard, shardCells, shownPath } from './plan.ts';
import { RunPlatforms } from './platforms.ts';
import { type Progress, silentProgress } from './progress.ts';
import { computeReference, type Reference } from './reference.ts';
import { runTokenizerCell } from './tokenizer-cell.ts';
import { resolveVariants } from './variants.ts';

export interface CheckOptions {
  shard?: Shard | undefined;
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
  if (inputs.labels !== undefined) {
    return labelledInputs(resolve(loaded.baseDir, inputs.labels), inputs.labels, inputs, tokenizer);
  }
  return corpusInputs(resolve(loaded.baseDir, inputs.corpus), inputs.corpus, inputs, tokenizer);
}

function referenceSummary(loaded: LoadedConfig): ParityReport['reference'] {
  const ref = loaded.config.reference;
  if (ref.kind === 'runtime') return { kind: 'runtime', description: `${ref.variant} on ${ref.runtime}` };
  if (ref.kind === 'golden-outputs') return { kind: 'golden-outputs', description: `golden outputs in ${ref.dir}` };
  return { kind: 'float64-fixture', description: 'float64 forward pass of the seeded tiny BERT' };
}

/**
 * Runs the configured matrix and returns the report. Each platform's cells run one after another in plan
 * order (runtimes such as tfjs hold process-global state), the platforms side by side; the report lists
 * the cells in plan order. A failing cell never stops the others. The reference is
 * computed once, when the first model cell needs it.
 */
export async function runCheck(loaded: LoadedConfig, options: CheckOptions = {}): Promise<ParityReport> {
  const start = performance.now();
  const { config, baseDir } = loaded;
  const progress = options.progress ?? silentProgress;
  const vocabPath = resolve(baseDir, config.tokenizer.vocab);
  const tokenizer = new BertTokenizer(Vocabulary.fromFile(vocabPath), { lowercase: config.tokenizer.lowercase });
  const vocabSha256 = createHash('sha256').update(readFileSync(vocabPath)).digest('hex');
  const inputs = readInputs(loaded, tokenizer);
  const variants = await resolveVariants(config, baseDir);
  // --platform keeps what the config says of that platform (maxCases) except optional: asked for, it must run.
  const chosen = config.platforms.find((p) => p.name === options.platform);
  const platforms =
    options.platform === undefined ? config.platforms : [{ ...chosen, name: options.platform, optional: false }];
  const plans = shardCells(planCells(config, baseDir, variants, platforms), options.shard);

  if (options.updateGolden === true) {
    const ref = config.reference;
    if (ref.kind !== 'golden-outputs') {
      throw new ParityError(
        'E_USAGE',
        `--update-golden writes golden outputs, but reference.kind is ${ref.kind}; expected reference: { kind: 'golden-outputs', dir, source }`,
      );
    }
    const source = await computeReference(ref.source, config, baseDir, variants, inputs, vocabSha256);
    writeGoldenOutputs(resolve(baseDir, ref.dir), source, inputs, {
      path: vocabPath,
      sha256: vocabSha256,
      lowercase: config.tokenizer.lowercase,
    });
  }

  let referencePromise: Promise<Reference> | undefined;
  const reference = () => {
    referencePromise ??= computeReference(config.reference, config, baseDir, variants, inputs, vocabSha256);
    return referencePromise;
  };

  const results: Cell[] = [];
  // One lane per platform: a platform's cells run one after another in plan order (runtimes such as
  // tfjs hold process-global state), while different platforms (this process, a browser, a device) run
  // side by side. Tokenizer cells run in the host's lane.
  const lanes = new Map<string, { index: number; plan: (typeof plans)[number] }[]>();
  plans.forEach((plan, index) => {
    const lane = plan.kind === 'model' ? plan.platform : 'host';
    lanes.set(lane, [...(lanes.get(lane) ?? []), { index, plan }]);
  });
  const laneMs: number[] = [];
  // Platforms start what they need (a browser, a server) at their first cell; all of it stops here.
  const running = new RunPlatforms();
  try {
    progress.start(plans.length);
    await Promise.all(
      [...lanes.values()].map(async (lane) => {
        const t0 = performance.now();
        for (const { index, plan } of lane) {
          progress.cellStarted(plan.id);
          const cell =
            plan.kind === 'tokenizer'
              ? await runTokenizerCell(plan)
              : await runModelCell(plan, config, inputs, reference, running.get(plan.platform));
          results[index] = cell;
          progress.cellDone(cell);
        }
        laneMs.push(performance.now() - t0);
      }),
    );
    progress.stop();
  } finally {
    await running.close();
  }
  const cells = results;
  if (options.baseline !== undefined) applyBaseline(cells, readBaseline(options.baseline));

  const settled = referencePromise === undefined ? undefined : await referencePromise.catch(() => undefined);
  const wallMs = performance.now() - start;
  const runtimeMs = cells.reduce((t, c) => t + (c.kind === 'model' ? c.runtimeMs : 0), 0) + (settled?.runtimeMs ?? 0);
  const report: ParityReport = {
    schema: REPORT_SCHEMA,
    createdAt: new Date().toISOString(),
    tool: { name: 'bert-parity', version: TOOL_VERSION },
    config: { path: loaded.path === null ? null : shownPath(loaded.path), sha256: loaded.sha256 },
    reference:
      settled === undefined ? referenceSummary(loaded) : { kind: settled.kind, description: settled.description },
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
  return report;
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
