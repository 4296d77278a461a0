import { relative } from 'node:path';
import { ParityError, type Tensor } from '@bert-parity/core';
import { AccuracyTally, OutputComparison, paddingKeep, toFloat64 } from '@bert-parity/metrics';
import type { ParityConfig, PlatformConfig, PlatformName, RuntimeConfig } from '../config/schema.ts';
import type { ModelCell, OutputResult } from '../report/types.ts';
import { boundFor } from './bounds.ts';
import { type InputSet, maskOf } from './inputs.ts';
import type { Platform } from './platform.ts';
import type { Reference } from './reference.ts';
import { runModel } from './run-model.ts';
import type { ResolvedVariant } from './variants.ts';

export interface ModelCellPlan {
  kind: 'model';
  id: string;
  variant: ResolvedVariant;
  runtime: RuntimeConfig;
  platform: PlatformName;
  /** The platform as the config declares it (optional, maxCases). */
  on: PlatformConfig;
}

export function errorOf(e: unknown): { code: string; message: string } {
  if (e instanceof ParityError) return { code: e.code, message: e.message };
  return { code: 'E_INTERNAL', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

/**
 * Compares a cell's outputs with the reference batch by batch, as the runtime produces them: running
 * statistics per output (OutputComparison, AccuracyTally), so no output is kept once compared.
 */
function cellComparison(config: ParityConfig, plan: ModelCellPlan, reference: Reference, inputs: InputSet) {
  const precision = plan.variant.precision ?? 'mixed';
  const compared = reference.outputNames.map((name) => {
    const bound = boundFor(config, precision, name, plan.variant.config.bounds);
    if (bound === undefined) {
      throw new ParityError(
        'E_CONFIG',
        `bounds.${precision}: no bound for output ${name}; expected bounds.${precision}.${name} or bounds.${precision}["*"]`,
      );
    }
    const classifier = config.classifierOutputs.includes(name);
    return {
      name,
      token: config.tokenOutputs.includes(name),
      comparison: new OutputComparison(name, bound, classifier ? { top1: true } : {}),
      scoresAccuracy: classifier && inputs.labelled,
      accuracy: undefined as AccuracyTally | undefined,
    };
  });
  return {
    add(outputs: Readonly<Record<string, Tensor>>, from: number, to: number): void {
      for (const o of compared) {
        const { name, token, comparison } = o;
        const actual = outputs[name];
        if (actual === undefined) {
          throw new ParityError(
            'E_RUNTIME_MAPPING',
            `${plan.variant.name} on ${plan.runtime.name} has no output ${name} (its outputs: ${Object.keys(outputs).join(', ')}); expected every reference output, or an outputMapping naming it`,
          );
        }
        const ref = reference.rows(name, from, to);
        comparison.add(actual, ref, token ? paddingKeep(maskOf(inputs, from, to), actual.shape, name) : undefined);
        if (o.scoresAccuracy) {
          o.accuracy ??= new AccuracyTally(ref.shape[ref.shape.length - 1] ?? 1, name);
          const labels = inputs.cases.slice(from, to).map((c) => c.label ?? -1);
          o.accuracy.add(toFloat64(actual, name), toFloat64(ref, name), labels);
        }
      }
    },
    finish(): { results: OutputResult[]; accuracy?: ModelCell['accuracy'] } {
      let accuracy: ModelCell['accuracy'];
      const results = compared.map((o) => {
        const extras = o.accuracy === undefined ? {} : { accuracy: o.accuracy.result() };
        if (extras.accuracy !== undefined) accuracy = extras.accuracy;
        return o.comparison.result(extras);
      });
      return accuracy === undefined ? { results } : { results, accuracy };
    },
  };
}

/** Loads, runs, compares and judges one cell; any failure becomes status "error" with its code. */
export async function runModelCell(
  plan: ModelCellPlan,
  config: ParityConfig,
  inputs: InputSet,
  reference: (variant: ResolvedVariant) => Promise<Reference>,
  platform: Platform,
): Promise<ModelCell> {
  const start = performance.now();
  const v = plan.variant;
  const cell: ModelCell = {
    kind: 'model',
    id: plan.id,
    variant: v.name,
    format: v.format ?? 'onnx',
    precision: v.precision ?? 'mixed',
    modelPath: relative(process.cwd(), v.path) || v.path,
    modelBytes: v.artifact?.bytes ?? 0,
    modelSha256: v.artifact?.sha256 ?? '',
    runtime: plan.runtime.name,
    platform: plan.platform,
    status: 'error',
    outputs: [],
    wallMs: 0,
    runtimeMs: 0,
  };
  try {
    if (v.artifact === undefined) throw v.error ?? new ParityError('E_MODEL_READ', `cannot read model ${v.path}`);
    const count = Math.min(
      inputs.cases.length,
      plan.runtime.maxCases ?? Number.POSITIVE_INFINITY,
      plan.on.maxCases ?? Number.POSITIVE_INFINITY,
    );
    const ref = await reference(v);
    cell.reference = ref.description;
    const comparison = cellComparison(config, plan, ref, inputs);
    const run = await runModel({
      artifact: v.artifact,
      runtime: plan.runtime,
      platform,
      mapping: v.config,
      inputs,
      count,
      latencyRuns: plan.runtime.latencyRuns ?? config.latencyRuns,
      onBatch: (outputs, from, to) => comparison.add(outputs, from, to),
    });
    cell.environment = run.environment;
    cell.runtimeMs = run.runtimeMs;
    if (run.latency !== undefined) cell.latency = run.latency;
    const { results, accuracy } = comparison.finish();
    cell.outputs = results;
    if (accuracy !== undefined) cell.accuracy = accuracy;
    cell.status = results.every((r) => r.pass) ? 'pass' : 'fail';
  } catch (e) {
    cell.error = errorOf(e);
    // A runtime marked optional (e.g. tfjs-node, whose install needs a download) may be absent, and so may
    // a platform marked optional (a browser) or an optional variant's generator (the torch.onnx.export
    // files need python3-torch): skipped, saying why.
    const absent =
      (plan.runtime.optional && cell.error.code === 'E_RUNTIME_UNAVAILABLE') ||
      (plan.on.optional && cell.error.code === 'E_PLATFORM_UNAVAILABLE') ||
      (v.config.optional && cell.error.code === 'E_GENERATOR_UNAVAILABLE');
    cell.status = absent ? 'skipped' : 'error';
  }
  cell.wallMs = performance.now() - start;
  return cell;
}
