import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ModelArtifact, NamedTensors } from '@bert-parity/core';
import type { BertInputs, FixtureFile, Fixtures } from '@bert-parity/fixtures';
import { float64Tensor, measure, paddingKeep } from '@bert-parity/metrics';
import { loadModelSync } from '@bert-parity/models';

/** The ModelArtifact of a fixture file, read by the model readers (@bert-parity/models loadModelSync). */
export function fixtureArtifact(
  fixtures: Fixtures,
  format: FixtureFile['format'],
  precision: FixtureFile['precision'],
  variant: FixtureFile['variant'] = 'standard',
): ModelArtifact {
  const file = fixtures.files.find((f) => f.format === format && f.precision === precision && f.variant === variant);
  if (file === undefined) throw new Error(`no fixture ${format}/${precision}/${variant}`);
  return loadModelSync(file.path);
}

/** relL2 of each BERT output against the float64 reference (last_hidden_state over mask-1 positions). */
export function bertDrift(
  outputs: NamedTensors,
  fixtures: Fixtures,
  inputs: BertInputs,
): { last_hidden_state: number; pooler_output: number; logits: number } {
  const ref = fixtures.reference.forward(inputs);
  const relL2 = (name: string, reference: Float64Array, keep?: Uint8Array) => {
    const t = outputs[name];
    if (t === undefined) throw new Error(`no output ${name}; got ${Object.keys(outputs).join(', ')}`);
    const r = float64Tensor(reference, t.shape);
    return measure(t, r, keep === undefined ? {} : { keep }).stats.relL2;
  };
  const hiddenShape = [inputs.batch, inputs.seqLength, fixtures.config.hiddenSize];
  return {
    last_hidden_state: relL2('last_hidden_state', ref.lastHiddenState, paddingKeep(inputs.attentionMask, hiddenShape)),
    pooler_output: relL2('pooler_output', ref.poolerOutput),
    logits: relL2('logits', ref.logits),
  };
}

/** Largest relL2 over the three outputs. */
export function worstDrift(d: Record<string, number>): number {
  return Math.max(...Object.values(d));
}

/** Heap, external and array-buffer bytes after a full GC (vitest workers have no --expose-gc by default). */
export function gcMemory(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

export function rssBytes(): number {
  return process.memoryUsage().rss;
}

export { coded } from '@bert-parity/core/testing';
