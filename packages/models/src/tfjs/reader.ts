import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import {
  type DType,
  type ModelArtifact,
  type ModelPrecision,
  ParityError,
  preview,
  type TensorSpec,
} from '@bert-parity/core';
import { traceEmbedding } from '../artifact/embedding.ts';
import type { ModelFacts } from '../artifact/facts.ts';
import { sha256 } from '../artifact/hash.ts';

/** TensorFlow DataType names (GraphDef JSON) → the harness's element types. */
const TF_DTYPES: Readonly<Record<string, DType>> = {
  DT_FLOAT: 'float32',
  DT_HALF: 'float16',
  DT_DOUBLE: 'float64',
  DT_INT32: 'int32',
  DT_INT64: 'int64',
  DT_INT8: 'int8',
  DT_UINT8: 'uint8',
  DT_BOOL: 'bool',
};
/** Bytes per stored element in the shards: the quantization dtype when set, else the weight's dtype. */
const STORED_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  float16: 2,
  uint16: 2,
  uint8: 1,
  int8: 1,
  bool: 1,
  complex64: 8,
  int64: 8,
};

export interface TfjsFacts {
  readonly format: string;
  readonly generatedBy: string;
  readonly convertedBy: string;
  readonly weights: number;
  readonly shards: readonly string[];
  /** Manifest quantization dtypes in use (tfjs-converter --quantize_float16/uint8/uint16). */
  readonly quantization: readonly string[];
  /**
   * Ops of the nodes inside modelTopology.library.function bodies (control flow v2 branches and loop bodies),
   * with the function names they occur in; modelTopology.node ops are the artifact's `ops`.
   */
  readonly functionOps: readonly {
    readonly name: string;
    readonly count: number;
    readonly functions: readonly string[];
  }[];
}

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype?: string };
}

/** A string field as it is; anything else shown with preview (String() of a deeply nested array overflows). */
function text(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : preview(value);
}

/** table[key] for a string key the table itself defines ("constructor" or "__proto__" are not dtypes). */
function lookup<T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** True when the text parses as a TF.js graph model's model.json. */
export function looksLikeTfjs(text: string): boolean {
  return /^\s*\{/.test(text) && /"modelTopology"|"weightsManifest"|"graph-model"/.test(text.slice(0, 1_000_000));
}

/**
 * Reads a TF.js graph model: model.json (format, modelTopology GraphDef, signature, weightsManifest) and
 * checks every shard: inside the model's folder, present, and together exactly as large as the manifest's
 * weights need (what tfjs's loader would otherwise fail on, or silently misread).
 */
export function readTfjs(path: string, bytes: Uint8Array): ModelArtifact {
  const fail = (code: 'E_MODEL_CORRUPT' | 'E_MODEL_READ', message: string): never => {
    throw new ParityError(code, `TF.js model ${path}: ${message}`);
  };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<string, unknown>;
  } catch (cause) {
    throw new ParityError(
      'E_MODEL_CORRUPT',
      `TF.js model ${path} is not valid UTF-8 JSON: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    fail('E_MODEL_CORRUPT', 'model.json is not a JSON object');
  const topology = json.modelTopology as { node?: unknown; library?: unknown } | undefined;
  const nodes = Array.isArray(topology?.node)
    ? (topology.node as unknown[])
    : fail('E_MODEL_CORRUPT', 'modelTopology.node is missing; expected a graph model');
  const graph = nodes.map((n, i) => {
    const node = n as { name?: unknown; op?: unknown; input?: unknown };
    if (typeof node?.name !== 'string' || typeof node.op !== 'string')
      fail('E_MODEL_CORRUPT', `node ${i} has no name or op`);
    const inputs = Array.isArray(node.input) ? node.input.filter((x): x is string => typeof x === 'string') : [];
    return {
      name: node.name as string,
      op: node.op as string,
      inputs: inputs.map(nodeOf),
      outputs: [node.name as string],
    };
  });

  const dir = dirname(resolve(path));
  const manifest = Array.isArray(json.weightsManifest) ? (json.weightsManifest as unknown[]) : [];
  const weights = new Map<string, ManifestWeight>();
  const shards: { path: string; bytes: number }[] = [];
  const quantization = new Set<string>();
  manifest.forEach((g, gi) => {
    const group = g as { paths?: unknown; weights?: unknown };
    const paths = Array.isArray(group?.paths)
      ? group.paths
      : fail('E_MODEL_CORRUPT', `weightsManifest[${gi}].paths is missing`);
    const list = Array.isArray(group.weights)
      ? group.weights
      : fail('E_MODEL_CORRUPT', `weightsManifest[${gi}].weights is missing`);
    let need = 0;
    list.forEach((w, wi) => {
      const weight = w as ManifestWeight;
      const shape = weight?.shape;
      if (
        typeof weight?.name !== 'string' ||
        !Array.isArray(shape) ||
        !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
      ) {
        fail('E_MODEL_CORRUPT', `weightsManifest[${gi}].weights[${wi}] has no name or a bad shape ${preview(shape)}`);
      }
      const stored = weight.quantization?.dtype ?? weight.dtype;
      // Both must name a dtype: the stored one sizes the shard, the other is what it dequantizes to.
      for (const dtype of [weight.dtype, stored]) {
        if (lookup(STORED_BYTES, dtype) === undefined)
          fail('E_MODEL_CORRUPT', `weight ${weight.name} has dtype ${preview(dtype)}; expected a numeric dtype`);
      }
      if (weight.quantization?.dtype !== undefined) quantization.add(weight.quantization.dtype);
      const width = lookup(STORED_BYTES, stored) as number;
      need += shape.reduce((a, b) => a * b, 1) * (width as number);
      weights.set(weight.name, weight);
    });
    let have = 0;
    for (const p of paths) {
      if (typeof p !== 'string')
        fail('E_MODEL_CORRUPT', `weightsManifest[${gi}].paths holds ${preview(p)}; expected file names`);
      const target = resolve(dir, p as string);
      const rel = relative(dir, target);
      if (isAbsolute(p as string) || rel.startsWith('..') || isAbsolute(rel) || /^[a-z]+:\/\//i.test(p as string)) {
        fail(
          'E_MODEL_READ',
          `weight path ${preview(p)} escapes the model folder ${dir}; shards must sit beside model.json`,
        );
      }
      if (!existsSync(target)) fail('E_MODEL_READ', `weight shard ${p} does not exist in ${dir}`);
      const size = statSync(target).size;
      have += size;
      shards.push({ path: target, bytes: size });
    }
    if (have !== need) {
      fail(
        'E_MODEL_CORRUPT',
        `weightsManifest[${gi}] shards hold ${have} bytes; its ${list.length} weights need ${need}`,
      );
    }
  });

  const unsupported: { name: string; type: string }[] = [];
  const entries = (raw: unknown): TensorSpec[] => {
    if (raw === null || typeof raw !== 'object') return [];
    return Object.entries(raw as Record<string, unknown>).flatMap(([key, value]) => {
      const e = (value ?? {}) as { dtype?: unknown; tensorShape?: { dim?: unknown } | null };
      const dtype = lookup(TF_DTYPES, e.dtype);
      if (dtype === undefined) {
        unsupported.push({ name: key, type: typeof e.dtype === 'string' ? e.dtype : preview(e.dtype) });
        return [];
      }
      const dims = e.tensorShape?.dim;
      const shape = (Array.isArray(dims) ? dims : []).map((d: { size?: unknown } | null) => {
        // tfjs-converter writes sizes as strings ("-1" for unknown); anything else is unknown too.
        const size = d?.size;
        const n = typeof size === 'string' || typeof size === 'number' ? Number(size) : Number.NaN;
        return Number.isSafeInteger(n) && n >= 0 ? n : null;
      });
      return [{ name: key, dtype, shape }];
    });
  };
  const sig = json.signature as { inputs?: unknown; outputs?: unknown } | undefined;
  const inputs = entries(sig?.inputs);
  const outputs = entries(sig?.outputs);
  const signature = sig === undefined ? null : { inputs, outputs };

  const counts = new Map<string, number>();
  for (const n of graph) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  const ops = [...counts.entries()].map(([name, count]) => ({ name, count }));

  const { precision, evidence } = tfjsPrecision(weights, quantization);
  const idsKey =
    inputs.find((i) => /input_ids|input_word_ids/.test(i.name)) ?? inputs.find((i) => i.dtype.startsWith('int'));
  const idsTensor =
    idsKey === undefined
      ? undefined
      : ((sig?.inputs ?? {}) as Record<string, { name?: unknown } | undefined>)[idsKey.name]?.name;
  const embedding =
    typeof idsTensor !== 'string'
      ? undefined
      : traceEmbedding(graph, nodeOf(idsTensor), {
          lookups: {
            GatherV2: { table: 0, ids: 1 },
            ResourceGather: { table: 0, ids: 1 },
            Gather: { table: 0, ids: 1 },
          },
          carriesIds: (n) => ['Cast', 'Reshape', 'Identity', 'ExpandDims', 'Squeeze'].includes(n.op),
          tableThrough: new Set(['Identity', 'Cast']),
          constRows: (v) => weights.get(v)?.shape[0],
        });

  const facts: ModelFacts = {
    graphIo: { inputs, outputs },
    ...(embedding === undefined ? {} : { embedding: { ...embedding, ids: idsKey?.name ?? embedding.ids } }),
    ...(unsupported.length > 0 ? { unsupportedIo: unsupported } : {}),
  };
  const tfjs: TfjsFacts = {
    format: text(json.format),
    generatedBy: text(json.generatedBy),
    convertedBy: text(json.convertedBy),
    weights: weights.size,
    shards: shards.map((s) => s.path),
    quantization: [...quantization],
    functionOps: libraryOps(topology?.library),
  };
  const files = [{ path, bytes: bytes.byteLength }, ...shards];
  return {
    format: 'tfjs-graph',
    path,
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    sha256: sha256(bytes),
    signature,
    precision,
    precisionEvidence: evidence,
    ops,
    metadata: { ...facts, tfjs },
  };
}

export function readTfjsFile(path: string): ModelArtifact {
  return readTfjs(path, readFileSync(path));
}

/**
 * Counts the ops of library.function[].nodeDef[] (tfjs-converter maps these as well as the top-level nodes).
 * Entries without a string op are skipped: tfjs does not run a function it cannot parse either way.
 */
function libraryOps(library: unknown): TfjsFacts['functionOps'] {
  const fns = (library as { function?: unknown } | null | undefined)?.function;
  if (!Array.isArray(fns)) return [];
  const byOp = new Map<string, { count: number; functions: Set<string> }>();
  fns.forEach((f, fi) => {
    const fn = f as { signature?: { name?: unknown }; nodeDef?: unknown } | null;
    const fname = typeof fn?.signature?.name === 'string' ? fn.signature.name : `function[${fi}]`;
    if (!Array.isArray(fn?.nodeDef)) return;
    for (const n of fn.nodeDef as unknown[]) {
      const op = (n as { op?: unknown } | null)?.op;
      if (typeof op !== 'string') continue;
      const entry = byOp.get(op) ?? { count: 0, functions: new Set<string>() };
      entry.count += 1;
      entry.functions.add(fname);
      byOp.set(op, entry);
    }
  });
  return [...byOp].map(([name, e]) => ({ name, count: e.count, functions: [...e.functions] }));
}

/** "name:1" and "^name" (control input) both refer to node "name". */
function nodeOf(input: string): string {
  return input.replace(/^\^/, '').replace(/:\d+$/, '');
}

function tfjsPrecision(
  weights: ReadonlyMap<string, ManifestWeight>,
  quantization: ReadonlySet<string>,
): { precision: ModelPrecision; evidence: string[] } {
  const byStored = new Map<string, number>();
  for (const w of weights.values()) {
    const stored = w.quantization?.dtype ? `${w.dtype} stored as ${w.quantization.dtype}` : w.dtype;
    byStored.set(stored, (byStored.get(stored) ?? 0) + 1);
  }
  const evidence = [`manifest weights: ${[...byStored.entries()].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`];
  if (quantization.size > 0)
    evidence.push(`manifest quantization: ${[...quantization].join(', ')} (dequantized to float32 on load)`);
  let precision: ModelPrecision = 'float32';
  if (quantization.size > 1) precision = 'mixed';
  else if (quantization.has('float16')) precision = 'float16';
  else if (quantization.has('uint8')) precision = 'uint8';
  else if (quantization.size === 1) precision = 'mixed';
  return { precision, evidence };
}
