import { ParityError } from '@bert-parity/core';
import type { TfDType, TfjsArtifacts, TfjsGraphModel, TfjsNode, TfjsSignatureEntry, TfjsWeight } from './types.ts';

/** tfjs-converter's default shard size (--weight_shard_size_bytes): 4 MiB. */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

const STORED_BYTES = { float32: 4, int32: 4, float16: 2, uint8: 1 } as const;

/**
 * Writes a TF.js graph model in the layout tfjs-converter produces: model.json with format "graph-model",
 * generatedBy/convertedBy, modelTopology (a GraphDef in JSON: node list of name/op/input/attr, plus library
 * and versions), the signature, and one weights-manifest group whose weights are concatenated in manifest
 * order and cut into shards `group1-shard{i}of{n}.bin` of at most `shardBytes` (a weight may span shards,
 * as the converter does). Each weight becomes a Const node carrying only dtype and shape; values live in
 * the shards.
 */
export function writeTfjsGraphModel(model: TfjsGraphModel, shardBytes = DEFAULT_SHARD_BYTES): TfjsArtifacts {
  validate(model);
  const constNodes: TfjsNode[] = model.weights.map((w) => ({
    name: w.name,
    op: 'Const',
    attr: {
      value: { tensor: { dtype: tfDType(w.dtype), tensorShape: shapeJson(w.shape) } },
      dtype: { type: tfDType(w.dtype) },
    },
  }));
  const total = model.weights.reduce((n, w) => n + w.data.byteLength, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const w of model.weights) {
    all.set(w.data, offset);
    offset += w.data.byteLength;
  }
  const count = Math.max(1, Math.ceil(total / shardBytes));
  const shards = Array.from({ length: count }, (_, i) => ({
    path: `group1-shard${i + 1}of${count}.bin`,
    bytes: all.slice(i * shardBytes, Math.min(total, (i + 1) * shardBytes)),
  }));
  const json = {
    format: 'graph-model',
    generatedBy: model.generatedBy,
    convertedBy: model.convertedBy,
    modelTopology: { node: [...constNodes, ...model.nodes], library: {}, versions: {} },
    signature: { inputs: signatureJson(model.signature.inputs), outputs: signatureJson(model.signature.outputs) },
    ...(model.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: model.userDefinedMetadata }),
    weightsManifest: [
      {
        paths: shards.map((s) => s.path),
        weights: model.weights.map((w) => ({
          name: w.name,
          shape: [...w.shape],
          dtype: w.dtype,
          ...(w.quantization === undefined ? {} : { quantization: w.quantization }),
        })),
      },
    ],
  };
  return { modelJson: JSON.stringify(json), shards };
}

function tfDType(dtype: TfjsWeight['dtype']): TfDType {
  return dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32';
}

function shapeJson(shape: readonly number[]): { dim?: { size: string }[] } {
  return shape.length === 0 ? {} : { dim: shape.map((d) => ({ size: String(d) })) };
}

function signatureJson(entries: Readonly<Record<string, TfjsSignatureEntry>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(entries).map(([key, e]) => [key, { name: e.name, dtype: e.dtype, tensorShape: shapeJson(e.shape) }]),
  );
}

function validate(model: TfjsGraphModel): void {
  const names = new Set<string>();
  for (const w of model.weights) {
    const elements = w.shape.reduce((a, b) => a * b, 1);
    const expected = elements * STORED_BYTES[w.quantization?.dtype ?? w.dtype];
    if (w.data.byteLength !== expected) {
      throw new ParityError(
        'E_MODEL_WRITE',
        `TF.js weight ${w.name} has ${w.data.byteLength} bytes; expected ${expected} for shape [${w.shape.join(', ')}]`,
      );
    }
    if (w.quantization !== undefined && w.dtype !== 'float32') {
      throw new ParityError(
        'E_MODEL_WRITE',
        `TF.js weight ${w.name} is ${w.dtype}; only float32 weights are quantized`,
      );
    }
    if (names.has(w.name)) throw new ParityError('E_MODEL_WRITE', `TF.js node name ${w.name} is used twice`);
    names.add(w.name);
  }
  for (const n of model.nodes) {
    if (names.has(n.name)) throw new ParityError('E_MODEL_WRITE', `TF.js node name ${n.name} is used twice`);
    names.add(n.name);
  }
  for (const n of model.nodes) {
    for (const input of n.input ?? []) {
      const node = input.replace(/^\^/, '').split(':')[0] as string;
      if (!names.has(node))
        throw new ParityError('E_MODEL_WRITE', `TF.js node ${n.name} reads ${input}, which no node defines`);
    }
  }
}
