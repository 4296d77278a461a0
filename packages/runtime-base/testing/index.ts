import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DType, ModelArtifact, ModelSignature, NamedTensors, TensorSpec } from '@bert-parity/core';
import { type BertInputs, drift, type FixtureFile, type Fixtures, maskedPositions } from '@bert-parity/fixtures';

/**
 * A ModelArtifact for a fixture file, from what the fixture catalog declares (format, precision, signature,
 * embedding rows), for tests written before the model readers exist. It does not read the model.
 */
export function fixtureArtifact(
  fixtures: Fixtures,
  format: FixtureFile['format'],
  precision: FixtureFile['precision'],
  variant: FixtureFile['variant'] = 'standard',
): ModelArtifact {
  const file = fixtures.files.find((f) => f.format === format && f.precision === precision && f.variant === variant);
  if (file === undefined) throw new Error(`no fixture ${format}/${precision}/${variant}`);
  const c = fixtures.config;
  const h = c.hiddenSize;
  const spec = (name: string, dtype: DType, shape: (number | null)[]): TensorSpec => ({ name, dtype, shape });
  const ids = (dtype: DType, shape: (number | null)[]) =>
    ['input_ids', 'attention_mask', 'token_type_ids'].map((n) => spec(n, dtype, shape));
  const outs = (b: number | null, s: number | null) => [
    spec('last_hidden_state', 'float32', [b, s, h]),
    spec('pooler_output', 'float32', [b, h]),
    spec('logits', 'float32', [b, c.numLabels]),
  ];
  let signature: ModelSignature | null;
  if (format === 'onnx') signature = { inputs: ids('int64', [null, null]), outputs: outs(null, null) };
  else if (format === 'tfjs-graph') signature = { inputs: ids('int32', [null, null]), outputs: outs(null, null) };
  else if (variant === 'no-signature') signature = null;
  else {
    const s = c.staticSeqLength;
    signature = { inputs: ids('int32', [1, s]), outputs: outs(1, s), key: 'serving_default' };
  }
  const bytes = readFileSync(file.path);
  return {
    format,
    path: file.path,
    files: [{ path: file.path, bytes: statSync(file.path).size }],
    bytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    signature,
    precision: precision === 'uint8' ? 'uint8' : precision,
    precisionEvidence: ['fixture catalog'],
    ops: [],
    // The shape the model readers record (metadata.embedding); the ids input is named as the runtime sees it.
    metadata: {
      embedding: {
        table: 'word_embeddings',
        rows: variant === 'small-embedding' ? c.smallEmbeddingRows : c.vocabSize,
        op: 'Gather',
        ids: format === 'tflite' && variant === 'no-signature' ? 'serving_default_input_ids:0' : 'input_ids',
      },
    },
  };
}

/** relL2 of each BERT output against the float64 reference (last_hidden_state over mask-1 positions). */
export function bertDrift(
  outputs: NamedTensors,
  fixtures: Fixtures,
  inputs: BertInputs,
): { last_hidden_state: number; pooler_output: number; logits: number } {
  const ref = fixtures.reference.forward(inputs);
  const f = (name: string) => {
    const t = outputs[name];
    if (t === undefined) throw new Error(`no output ${name}; got ${Object.keys(outputs).join(', ')}`);
    return t.data as Float32Array;
  };
  return {
    last_hidden_state: drift(
      f('last_hidden_state'),
      ref.lastHiddenState,
      maskedPositions(inputs.attentionMask, fixtures.config.hiddenSize),
    ).relL2,
    pooler_output: drift(f('pooler_output'), ref.poolerOutput).relL2,
    logits: drift(f('logits'), ref.logits).relL2,
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
