import type { DType, ModelArtifact, ModelPrecision, ModelSignature, OpInfo, TensorSpec } from '@bert-parity/core';
import { traceEmbedding } from '../artifact/embedding.ts';
import type { ModelFacts } from '../artifact/facts.ts';
import { sha256 } from '../artifact/hash.ts';
import { builtinName } from './builtin-names.ts';
import type { TfliteFile, TfliteReadTensor, TfliteSubgraph } from './reader.ts';
import { BuiltinOperator } from './schema.ts';

/** schema.fbs TensorType → the harness's element types; others (string, int16, complex...) are unsupported. */
const DTYPES: Readonly<Record<number, DType>> = {
  0: 'float32',
  1: 'float16',
  2: 'int32',
  3: 'uint8',
  4: 'int64',
  6: 'bool',
  9: 'int8',
  10: 'float64',
};
const TYPE_NAMES = [
  'FLOAT32',
  'FLOAT16',
  'INT32',
  'UINT8',
  'INT64',
  'STRING',
  'BOOL',
  'INT16',
  'COMPLEX64',
  'INT8',
  'FLOAT64',
  'COMPLEX128',
  'UINT64',
  'RESOURCE',
  'VARIANT',
  'UINT32',
  'UINT16',
  'INT4',
  'BFLOAT16',
];

export interface TfliteFacts {
  readonly schemaVersion: number;
  readonly description: string;
  readonly subgraphs: number;
  /** Model metadata "min_runtime_version", written by the converter. */
  readonly minRuntimeVersion?: string;
  readonly metadataNames: readonly string[];
  readonly opcodes: readonly {
    readonly name: string;
    readonly code: number;
    readonly deprecatedBuiltinCode: number;
    readonly builtinCode: number;
    readonly version: number;
    readonly custom: boolean;
    readonly count: number;
  }[];
  readonly signatureKeys: readonly string[];
  /** Input or output tensors with a -1 in shape_signature (dynamic in the source model). */
  readonly dynamicIo: readonly string[];
  /** Buffers stored after the flatbuffer (offset/size layout of models over 2 GB). */
  readonly externalBuffers: number;
}

export function tfliteArtifact(file: TfliteFile, bytes: Uint8Array, path: string): ModelArtifact {
  const main = file.subgraphs[0] as TfliteSubgraph;
  const unsupported: { name: string; type: string }[] = [];
  const spec = (t: TfliteReadTensor, name = t.name): TensorSpec | undefined => {
    const dtype = DTYPES[t.type];
    if (dtype === undefined) {
      unsupported.push({ name, type: TYPE_NAMES[t.type] ?? `type ${t.type}` });
      return undefined;
    }
    // LiteRT.js and the interpreter allocate `shape`; shape_signature's -1 says the source was dynamic.
    const shape = t.shape.map((d, i) => (t.shapeSignature?.[i] === -1 ? null : d));
    return { name, dtype, shape };
  };
  const specs = (indices: readonly number[]) =>
    indices.flatMap((i) => {
      const s = spec(main.tensors[i] as TfliteReadTensor);
      return s === undefined ? [] : [s];
    });
  const graphIo = { inputs: specs(main.inputs), outputs: specs(main.outputs) };

  const sig = file.signatures.find((s) => s.subgraphIndex === 0) ?? file.signatures[0];
  let signature: ModelSignature | null = null;
  if (sig !== undefined) {
    const sub = file.subgraphs[sig.subgraphIndex] as TfliteSubgraph;
    const entries = (list: readonly { name: string; tensor: number }[]) =>
      list.flatMap((e) => {
        const s = spec(sub.tensors[e.tensor] as TfliteReadTensor, e.name);
        return s === undefined ? [] : [s];
      });
    signature = { key: sig.key, inputs: entries(sig.inputs), outputs: entries(sig.outputs) };
  }

  const counts = new Array<number>(file.operatorCodes.length).fill(0);
  for (const g of file.subgraphs)
    for (const op of g.operators) counts[op.opcodeIndex] = (counts[op.opcodeIndex] ?? 0) + 1;
  const opcodes = file.operatorCodes.map((c, i) => {
    const custom = c.code === BuiltinOperator.CUSTOM;
    return {
      name: custom ? (c.customCode ?? 'CUSTOM') : builtinName(c.code),
      code: c.code,
      deprecatedBuiltinCode: c.deprecatedBuiltinCode,
      builtinCode: c.builtinCode,
      version: c.version,
      custom,
      count: counts[i] ?? 0,
    };
  });
  const ops: OpInfo[] = opcodes.map((o) => ({
    name: o.name,
    version: o.version,
    count: o.count,
    ...(o.custom ? { custom: true } : {}),
  }));

  const metadataText = (name: string): string | undefined => {
    const m = file.metadata.find((x) => x.name === name);
    const b = m === undefined ? undefined : file.buffers[m.buffer];
    if (b === undefined) return undefined;
    // The converter writes the version into a 16-byte buffer padded with NULs.
    return new TextDecoder()
      .decode(bytes.subarray(b.start, b.start + Math.min(b.size, 64)))
      .replace(/\0+$/, '')
      .trim();
  };
  const minRuntimeVersion = metadataText('min_runtime_version');
  const ioTensors = [...main.inputs, ...main.outputs].map((i) => main.tensors[i] as TfliteReadTensor);
  const tflite: TfliteFacts = {
    schemaVersion: file.schemaVersion,
    description: file.description,
    subgraphs: file.subgraphs.length,
    ...(minRuntimeVersion ? { minRuntimeVersion } : {}),
    metadataNames: file.metadata.map((m) => m.name),
    opcodes,
    signatureKeys: file.signatures.map((s) => s.key),
    dynamicIo: ioTensors.filter((t) => t.shapeSignature?.includes(-1) === true).map((t) => t.name),
    externalBuffers: file.buffers.filter((b) => b.external).length,
  };

  const { precision, evidence } = tflitePrecision(file, main);
  const embedding = findEmbedding(file, main, sig);
  const facts: ModelFacts = {
    graphIo,
    ...(embedding === undefined ? {} : { embedding }),
    ...(unsupported.length > 0 ? { unsupportedIo: unsupported } : {}),
  };
  return {
    format: 'tflite',
    path,
    files: [{ path, bytes: bytes.byteLength }],
    bytes: bytes.byteLength,
    sha256: sha256(bytes),
    signature,
    precision,
    precisionEvidence: evidence,
    ops,
    metadata: { ...facts, tflite },
  };
}

/**
 * Precision from what the file stores: float16 constants expanded by DEQUANTIZE (float16 post-training
 * quantization), int8/uint8 constants with quantization parameters (dynamic-range or full-integer), and
 * int8 activations behind QUANTIZE ops (full-integer).
 */
function tflitePrecision(file: TfliteFile, main: TfliteSubgraph): { precision: ModelPrecision; evidence: string[] } {
  const bytesByType = new Map<number, number>();
  let quantizedInt8 = 0;
  let quantizedUint8 = 0;
  const constant = new Set<number>();
  main.tensors.forEach((t, i) => {
    const size = file.buffers[t.buffer]?.size ?? 0;
    if (size === 0) return;
    constant.add(i);
    bytesByType.set(t.type, (bytesByType.get(t.type) ?? 0) + size);
    if (t.quantization !== undefined && t.type === 9) quantizedInt8 += size;
    if (t.quantization !== undefined && t.type === 3) quantizedUint8 += size;
  });
  const opCount = (code: number) =>
    main.operators.filter((op) => file.operatorCodes[op.opcodeIndex]?.code === code).length;
  const dequantize = opCount(BuiltinOperator.DEQUANTIZE);
  const quantize = opCount(114); // QUANTIZE
  const int8Activations = main.tensors.filter(
    (t, i) => !constant.has(i) && (t.type === 9 || t.type === 3) && t.quantization !== undefined,
  ).length;

  const evidence: string[] = [];
  const weightSummary = [...bytesByType.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([type, n]) => `${TYPE_NAMES[type] ?? type} ${n} B`)
    .join(', ');
  evidence.push(`constant buffers: ${weightSummary || 'none'}`);
  const f16 = bytesByType.get(1) ?? 0;
  if (f16 > 0) evidence.push(`${f16} B of float16 constants, ${dequantize} DEQUANTIZE ops`);
  if (quantizedInt8 + quantizedUint8 > 0) {
    evidence.push(
      `${quantizedInt8 + quantizedUint8} B of quantized ${quantizedInt8 > 0 ? 'int8' : 'uint8'} constants (scale/zero_point)`,
    );
  }
  if (quantize > 0 || int8Activations > 0)
    evidence.push(`${quantize} QUANTIZE ops, ${int8Activations} quantized activation tensors (full-integer)`);
  const integer = quantizedInt8 + quantizedUint8 > 0;
  let precision: ModelPrecision = 'float32';
  if (integer && f16 > 0) precision = 'mixed';
  else if (integer) precision = quantizedInt8 > 0 ? 'int8' : 'uint8';
  else if (f16 > 0) precision = 'float16';
  return { precision, evidence };
}

function findEmbedding(file: TfliteFile, main: TfliteSubgraph, sig: TfliteFile['signatures'][number] | undefined) {
  const tensors = main.tensors;
  const isInt = (i: number) => [2, 4].includes(tensors[i]?.type ?? -1);
  const named = sig?.inputs.find((e) => /input_ids|input_word_ids/.test(e.name))?.tensor;
  const ids =
    named ??
    main.inputs.find((i) => /input_ids|input_word_ids/.test(tensors[i]?.name ?? '')) ??
    main.inputs.find((i) => isInt(i));
  if (ids === undefined || (sig !== undefined && sig.subgraphIndex !== 0)) return undefined;
  const key = (i: number) => String(i);
  const nodes = main.operators.map((op) => ({
    op: builtinName(file.operatorCodes[op.opcodeIndex]?.code ?? -1),
    inputs: op.inputs.map(key),
    outputs: op.outputs.map(key),
  }));
  const fact = traceEmbedding(nodes, key(ids), {
    lookups: { GATHER: { table: 0, ids: 1 }, EMBEDDING_LOOKUP: { table: 1, ids: 0 } },
    // Any op that keeps ids integer carries them (RESHAPE, CAST, a custom id normalizer).
    carriesIds: (n) => n.outputs.every((o) => isInt(Number(o))),
    tableThrough: new Set(['DEQUANTIZE']),
    constRows: (v) => {
      const t = tensors[Number(v)];
      return t !== undefined && (file.buffers[t.buffer]?.size ?? 0) > 0 && t.shape.length >= 1 ? t.shape[0] : undefined;
    },
  });
  return fact === undefined
    ? undefined
    : { ...fact, table: tensors[Number(fact.table)]?.name ?? fact.table, ids: tensors[ids]?.name ?? fact.ids };
}
