import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import {
  type DType,
  type ModelArtifact,
  type ModelPrecision,
  type OpInfo,
  ParityError,
  preview,
  type TensorSpec,
} from '@bert-parity/core';
import onnxProto from 'onnx-proto';
import { traceEmbedding } from '../artifact/embedding.ts';
import type { ModelFacts } from '../artifact/facts.ts';
import { sha256 } from '../artifact/hash.ts';

const { onnx } = onnxProto;

/** TensorProto.DataType → the harness's element types (onnx.proto). */
const DTYPES: Readonly<Record<number, DType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
};
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
};
const ELEMENT_BYTES: Readonly<Record<number, number>> = {
  1: 4,
  2: 1,
  3: 1,
  4: 2,
  5: 2,
  6: 4,
  7: 8,
  9: 1,
  10: 2,
  11: 8,
  12: 4,
  13: 8,
  16: 2,
};

/** Domains every ONNX runtime implements; anything else needs a runtime that registers it. */
export const STANDARD_ONNX_DOMAINS: ReadonlySet<string> = new Set(['ai.onnx', 'ai.onnx.ml']);
/** Ops whose presence means the graph computes in integers (QDQ, dynamic and QLinear quantization). */
const QUANT_OPS = new Set([
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'MatMulInteger',
  'ConvInteger',
  'QLinearMatMul',
  'QLinearConv',
  'QAttention',
  'QGemm',
  'DynamicQuantizeMatMul',
  'MatMulNBits',
  'QOrderedMatMul',
]);
/** Nested graphs (If/Loop/Scan bodies) are followed this deep; deeper nesting is refused. */
const MAX_GRAPH_DEPTH = 32;

export interface OnnxFacts {
  readonly irVersion: number;
  readonly producer: string;
  readonly opsetImports: readonly { readonly domain: string; readonly version: number }[];
  readonly initializers: number;
  readonly externalData: readonly string[];
}

type Proto = onnxProto.onnx.ModelProto;
type GraphProto = onnxProto.onnx.IGraphProto;

/** The first byte of a ModelProto as every exporter writes it: field 1 (ir_version) varint, or another known field. */
export function looksLikeOnnx(bytes: Uint8Array): boolean {
  const tag = bytes[0];
  // ir_version(1, varint) 0x08, producer_name(2) 0x12, producer_version(3) 0x1a, domain(4) 0x22,
  // model_version(5, varint) 0x28, doc_string(6) 0x32, graph(7) 0x3a, opset_import(8) 0x42.
  return tag !== undefined && [0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42].includes(tag);
}

function num(v: number | { toString(): string } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : Number(v.toString());
}

/** Decodes ModelProto bytes; protobufjs errors (RangeError, "index out of range", stack overflow) become E_MODEL_CORRUPT. */
export function decodeOnnx(bytes: Uint8Array, what: string): Proto {
  let model: Proto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    // Nesting (subgraphs in attributes) deep enough to overflow the decoder's stack is not a sane model either.
    if (cause instanceof RangeError && /call stack/i.test(cause.message)) {
      throw new ParityError(
        'E_MODEL_CORRUPT',
        `ONNX file ${what} nests messages too deep to decode (the decoder ran out of stack); expected graphs nested at most a few levels`,
        { cause },
      );
    }
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ParityError('E_MODEL_CORRUPT', `ONNX file ${what} is not a valid ModelProto: ${reason}`, { cause });
  }
  if (model.graph === null || model.graph === undefined) {
    throw new ParityError('E_MODEL_CORRUPT', `ONNX file ${what} has no graph; expected a ModelProto with a GraphProto`);
  }
  return model;
}

/** Reads an ONNX model (bytes of `path`); external data files are checked against the model's folder. */
export function readOnnx(bytes: Uint8Array, path: string): ModelArtifact {
  const model = decodeOnnx(bytes, path);
  const graph = model.graph as GraphProto;
  const fail = (message: string): never => {
    throw new ParityError('E_MODEL_CORRUPT', `ONNX file ${path}: ${message}`);
  };

  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) opsets.set(normalizeDomain(o.domain ?? ''), num(o.version));

  // Initializers: sizes, dtypes, external data.
  const initializers = new Map<string, { dataType: number; dims: number[] }>();
  const bytesByType = new Map<number, number>();
  const external = new Map<string, number>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    const dataType = t.dataType ?? 0;
    const dims = (t.dims ?? []).map(num);
    if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`initializer ${name} has dims [${dims.join(', ')}]`);
    initializers.set(name, { dataType, dims });
    const count = dims.reduce((a, b) => a * b, 1);
    const width = ELEMENT_BYTES[dataType];
    let stored = 0;
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
      stored = checkExternal(path, name, t.externalData ?? [], external);
    } else if (t.rawData !== undefined && t.rawData !== null && t.rawData.byteLength > 0) {
      stored = t.rawData.byteLength;
      if (width !== undefined && stored !== count * width) {
        fail(
          `initializer ${name} has ${stored} bytes of raw_data; dims [${dims.join(', ')}] of ${TYPE_NAMES[dataType]} need ${count * width}`,
        );
      }
    } else if (width !== undefined) {
      stored = count * width;
    }
    bytesByType.set(dataType, (bytesByType.get(dataType) ?? 0) + stored);
  }

  // Ops, including nested graphs.
  const counts = new Map<string, { name: string; domain: string; count: number }>();
  const nodes: { op: string; inputs: string[]; outputs: string[] }[] = [];
  const walk = (g: GraphProto, depth: number) => {
    if (depth > MAX_GRAPH_DEPTH) fail(`graphs nest deeper than ${MAX_GRAPH_DEPTH} levels`);
    for (const n of g.node ?? []) {
      const domain = normalizeDomain(n.domain ?? '');
      const op = n.opType ?? '';
      const key = `${domain}::${op}`;
      const entry = counts.get(key) ?? { name: op, domain, count: 0 };
      entry.count++;
      counts.set(key, entry);
      if (depth === 0) nodes.push({ op, inputs: n.input ?? [], outputs: n.output ?? [] });
      for (const a of n.attribute ?? []) {
        if (a.g) walk(a.g, depth + 1);
        for (const sub of a.graphs ?? []) walk(sub, depth + 1);
      }
    }
  };
  walk(graph, 0);
  const ops: OpInfo[] = [...counts.values()].map((o) => {
    const version = opsets.get(o.domain);
    return {
      name: o.name,
      domain: o.domain,
      count: o.count,
      ...(version === undefined ? {} : { version }),
      ...(STANDARD_ONNX_DOMAINS.has(o.domain) ? {} : { custom: true }),
    };
  });

  // Signature: graph inputs that are not initializers (IR < 4 lists initializers as inputs too).
  const unsupported: { name: string; type: string }[] = [];
  const spec = (v: onnxProto.onnx.IValueInfoProto): TensorSpec | undefined => {
    const name = v.name ?? '';
    const tensor = v.type?.tensorType;
    const elem = tensor?.elemType ?? 0;
    const dtype = DTYPES[elem];
    if (tensor === null || tensor === undefined || dtype === undefined) {
      unsupported.push({ name, type: tensor ? (TYPE_NAMES[elem] ?? `type ${elem}`) : 'non-tensor' });
      return undefined;
    }
    const dims = tensor.shape?.dim ?? [];
    // Decoded messages carry set fields as own properties; a dim with neither is unknown (null, unnamed).
    const shape = dims.map((d) => (!d.dimParam && Object.hasOwn(d, 'dimValue') ? num(d.dimValue) : null));
    const dimNames = dims.map((d) => (d.dimParam ? d.dimParam : null));
    return dimNames.some((n) => n !== null) ? { name, dtype, shape, dimNames } : { name, dtype, shape };
  };
  const specs = (list: onnxProto.onnx.IValueInfoProto[]) =>
    list.flatMap((v) => {
      const s = spec(v);
      return s === undefined ? [] : [s];
    });
  const inputs = specs((graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')));
  const outputs = specs(graph.output ?? []);

  const { precision, evidence } = onnxPrecision(bytesByType, counts);
  const idsInput =
    inputs.find((i) => /input_ids|input_word_ids/.test(i.name)) ??
    inputs.find((i) => i.dtype === 'int64' || i.dtype === 'int32');
  const embedding =
    idsInput === undefined
      ? undefined
      : traceEmbedding(nodes, idsInput.name, {
          lookups: { Gather: { table: 0, ids: 1 } },
          carriesIds: (n) => ['Cast', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity', 'Flatten'].includes(n.op),
          tableThrough: new Set(['DequantizeLinear', 'Cast', 'Identity']),
          constRows: (v) => initializers.get(v)?.dims[0],
        });

  const facts: ModelFacts = {
    graphIo: { inputs, outputs },
    ...(embedding === undefined ? {} : { embedding }),
    ...(unsupported.length > 0 ? { unsupportedIo: unsupported } : {}),
  };
  const onnxFacts: OnnxFacts = {
    irVersion: num(model.irVersion),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    opsetImports: [...opsets.entries()].map(([domain, version]) => ({ domain, version })),
    initializers: initializers.size,
    externalData: [...external.keys()],
  };
  const files = [
    { path, bytes: bytes.byteLength },
    ...[...external.entries()].map(([p, n]) => ({ path: p, bytes: n })),
  ];
  return {
    format: 'onnx',
    path,
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    sha256: sha256(bytes),
    signature: { inputs, outputs },
    precision,
    precisionEvidence: evidence,
    ops,
    metadata: { ...facts, onnx: onnxFacts },
  };
}

function normalizeDomain(domain: string): string {
  return domain === '' ? 'ai.onnx' : domain;
}

/**
 * An initializer stored outside the model (onnx.proto external data: location, offset, length): the file
 * must be inside the model's folder, exist, and hold offset + length bytes. Returns the bytes it covers.
 */
function checkExternal(
  modelPath: string,
  name: string,
  entries: onnxProto.onnx.IStringStringEntryProto[],
  seen: Map<string, number>,
): number {
  const get = (k: string) => entries.find((e) => e.key === k)?.value ?? undefined;
  const location = get('location');
  const dir = dirname(resolve(modelPath));
  if (location === undefined || location === '') {
    throw new ParityError(
      'E_MODEL_CORRUPT',
      `ONNX file ${modelPath}: initializer ${name} is external but names no location`,
    );
  }
  const target = resolve(dir, location);
  const rel = relative(dir, target);
  if (isAbsolute(location) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ParityError(
      'E_MODEL_READ',
      `ONNX file ${modelPath}: initializer ${name} points at external data ${preview(location)}, outside the model folder ${dir}`,
    );
  }
  if (!existsSync(target)) {
    throw new ParityError(
      'E_MODEL_READ',
      `ONNX file ${modelPath}: external data ${location} of initializer ${name} does not exist`,
    );
  }
  const size = statSync(target).size;
  const offset = Number(get('offset') ?? 0);
  const length = get('length') === undefined ? size - offset : Number(get('length'));
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new ParityError(
      'E_MODEL_READ',
      `ONNX file ${modelPath}: initializer ${name} reads bytes ${get('offset') ?? 0}+${get('length') ?? '?'} of ${location}, which has ${size}`,
    );
  }
  seen.set(target, size);
  return length;
}

function onnxPrecision(
  bytesByType: ReadonlyMap<number, number>,
  counts: ReadonlyMap<string, { name: string; count: number }>,
): { precision: ModelPrecision; evidence: string[] } {
  const quantOps = [...counts.values()].filter((o) => QUANT_OPS.has(o.name));
  const f32 = bytesByType.get(1) ?? 0;
  const f16 = bytesByType.get(10) ?? 0;
  const i8 = bytesByType.get(3) ?? 0;
  const u8 = bytesByType.get(2) ?? 0;
  const summary = [...bytesByType.entries()]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${TYPE_NAMES[t] ?? t} ${n} B`)
    .join(', ');
  const evidence = [`initializers: ${summary || 'none'}`];
  if (quantOps.length > 0)
    evidence.push(`quantization ops: ${quantOps.map((o) => `${o.name} x${o.count}`).join(', ')}`);
  const integer = quantOps.length > 0 && i8 + u8 > 0;
  let precision: ModelPrecision = 'float32';
  if (integer && f16 > 0) precision = 'mixed';
  else if (integer) precision = i8 >= u8 ? 'int8' : 'uint8';
  else if (f16 > 0) precision = f16 >= f32 ? 'float16' : 'mixed';
  if (f16 > 0 && !integer) evidence.push(`float16 initializers ${f16} B vs float32 ${f32} B`);
  return { precision, evidence };
}
