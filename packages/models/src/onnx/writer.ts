import { ParityError } from '@bert-parity/core';
import onnxProto from 'onnx-proto';
import {
  ONNX_ELEMENT_BYTES,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxInitializer,
  type OnnxModel,
  type OnnxNode,
  type OnnxValueInfo,
} from './types.ts';

const { onnx } = onnxProto;

/** onnx's own default size_threshold: smaller tensors stay inside the model file when weights go external. */
export const EXTERNAL_DATA_MIN_BYTES = 1024;
/** External tensors start on this boundary, so a runtime may map the file page by page. */
export const EXTERNAL_DATA_ALIGNMENT = 4096;
/** protobuf cannot serialize or parse one message larger than 2 GiB - 1 bytes; ONNX files obey the same limit. */
export const PROTOBUF_MAX_BYTES = 2 ** 31 - 1;

/** An ONNX file too large to be one ModelProto: its weights belong in an external data file. */
export function protobufLimitError(path: string, size: number): ParityError {
  return new ParityError(
    'E_MODEL_CORRUPT',
    `ONNX file ${path} has ${size} bytes, over protobuf's limit of ${PROTOBUF_MAX_BYTES} for one ModelProto; expected the weights in an external data file (onnx.save_model(..., save_as_external_data=True))`,
  );
}

/** Where one initializer's bytes go in the external data file (onnx.proto: location, offset, length). */
export interface ExternalPlacement {
  readonly offset: number;
  readonly length: number;
}

/** A model whose large initializers live in one external data file. */
export interface ExternalLayout {
  /** The data file's name, relative to the model file (TensorProto.external_data "location"). */
  readonly location: string;
  /** Initializer name → its bytes in the data file. */
  readonly placements: ReadonlyMap<string, ExternalPlacement>;
  /** Size of the data file (the last tensor's end). */
  readonly bytes: number;
}

/**
 * Lays out external data as onnx's save_model(..., save_as_external_data=True, all_tensors_to_one_file=True)
 * does: every top-level initializer of at least `minBytes` goes to one file, in graph order, each starting
 * at a multiple of EXTERNAL_DATA_ALIGNMENT.
 */
export function externalLayout(model: OnnxModel, location: string, minBytes = EXTERNAL_DATA_MIN_BYTES): ExternalLayout {
  if (location === '' || location.includes('/') || location.includes('\\') || location === '.' || location === '..') {
    throw new ParityError(
      'E_MODEL_WRITE',
      `external data location ${JSON.stringify(location)}; expected a plain file name beside the model`,
    );
  }
  const placements = new Map<string, ExternalPlacement>();
  let end = 0;
  for (const t of model.initializers) {
    if (t.raw.byteLength < minBytes) continue;
    const offset = Math.ceil(end / EXTERNAL_DATA_ALIGNMENT) * EXTERNAL_DATA_ALIGNMENT;
    placements.set(t.name, { offset, length: t.raw.byteLength });
    end = offset + t.raw.byteLength;
  }
  return { location, placements, bytes: end };
}

/**
 * Serializes a model to ONNX protobuf bytes (onnx.proto's ModelProto). Checks what would otherwise only
 * fail inside a runtime: initializer sizes against dims, and that every node input is produced before it is
 * read (graphs must be topologically sorted; nested graphs may read values of the graphs around them).
 * The output is deterministic: fields are written in a fixed order from the given arrays. With `external`,
 * the placed initializers are written as references into that layout's data file (their bytes are not in
 * the result; `writeOnnxFile` writes both files).
 */
export function encodeOnnxModel(model: OnnxModel, external?: ExternalLayout): Uint8Array {
  validateGraph(
    {
      name: model.graphName,
      inputs: model.inputs,
      outputs: model.outputs,
      initializers: model.initializers,
      nodes: model.nodes,
    },
    new Set(),
    'graph',
  );
  // IR < 4 requires every initializer to be listed as a graph input too.
  const initializerInputs =
    model.irVersion < 4 ? model.initializers.map((t) => ({ name: t.name, elemType: t.dataType, shape: t.dims })) : [];
  const message = {
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    docString: model.docString ?? '',
    opsetImport: [{ domain: '', version: model.opsetVersion }, ...(model.opsetImports ?? [])],
    metadataProps: Object.entries(model.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: model.graphName,
      node: model.nodes.map(encodeNode),
      initializer: model.initializers.map((t) => encodeTensor(t, external)),
      input: [...model.inputs, ...initializerInputs].map(valueInfo),
      output: model.outputs.map(valueInfo),
      ...(model.valueInfo === undefined ? {} : { valueInfo: model.valueInfo.map(valueInfo) }),
    },
  };
  let bytes: Uint8Array;
  try {
    bytes = onnx.ModelProto.encode(message).finish();
  } catch (cause) {
    throw new ParityError('E_MODEL_WRITE', `ONNX graph ${model.graphName} cannot be serialized: ${String(cause)}`, {
      cause,
    });
  }
  if (bytes.byteLength > PROTOBUF_MAX_BYTES) {
    throw new ParityError(
      'E_MODEL_WRITE',
      `ONNX graph ${model.graphName} serializes to ${bytes.byteLength} bytes, over protobuf's limit of ${PROTOBUF_MAX_BYTES} for one message; expected its weights in an external data file (writeOnnxFile with externalData)`,
    );
  }
  return bytes;
}

function encodeNode(n: OnnxNode): Record<string, unknown> {
  return {
    name: n.name,
    opType: n.opType,
    domain: n.domain ?? '',
    input: [...n.inputs],
    output: [...n.outputs],
    attribute: Object.entries(n.attributes ?? {}).map(([name, a]) => encodeAttribute(name, a)),
    ...(n.docString === undefined ? {} : { docString: n.docString }),
  };
}

function encodeTensor(t: OnnxInitializer, external?: ExternalLayout): Record<string, unknown> {
  const placed = external?.placements.get(t.name);
  if (placed === undefined || external === undefined) {
    return { name: t.name, dataType: t.dataType, dims: [...t.dims], rawData: t.raw };
  }
  return {
    name: t.name,
    dataType: t.dataType,
    dims: [...t.dims],
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: external.location },
      { key: 'offset', value: String(placed.offset) },
      { key: 'length', value: String(placed.length) },
    ],
  };
}

function encodeGraph(g: OnnxGraph): Record<string, unknown> {
  return {
    name: g.name,
    node: g.nodes.map(encodeNode),
    initializer: g.initializers.map((t) => encodeTensor(t)),
    input: g.inputs.map(valueInfo),
    output: g.outputs.map(valueInfo),
    ...(g.valueInfo === undefined ? {} : { valueInfo: g.valueInfo.map(valueInfo) }),
  };
}

/** int64 attribute values: numbers within the safe range, else a decimal string protobufjs turns into a Long. */
const int64 = (v: number | bigint): number | string => (typeof v === 'bigint' ? v.toString() : v);

function encodeAttribute(name: string, a: OnnxAttribute): Record<string, unknown> {
  const T = onnx.AttributeProto.AttributeType;
  const utf8 = (s: string) => new TextEncoder().encode(s);
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: int64(a.value) };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: a.value.map(int64) };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: utf8(a.value) };
    case 'strings':
      return { name, type: T.STRINGS, strings: a.value.map(utf8) };
    case 'tensor':
      return { name, type: T.TENSOR, t: encodeTensor(a.value) };
    case 'tensors':
      return { name, type: T.TENSORS, tensors: a.value.map((t) => encodeTensor(t)) };
    case 'graph':
      return { name, type: T.GRAPH, g: encodeGraph(a.value) };
    case 'graphs':
      return { name, type: T.GRAPHS, graphs: a.value.map(encodeGraph) };
  }
}

function valueInfo(v: OnnxValueInfo): Record<string, unknown> {
  const dim = (d: number | string | null) =>
    d === null ? {} : typeof d === 'number' ? { dimValue: d } : { dimParam: d };
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.elemType,
        ...(v.shape === null ? {} : { shape: { dim: v.shape.map(dim) } }),
      },
    },
  };
}

function checkTensor(t: OnnxInitializer, where: string): void {
  const count = t.dims.reduce((a, b) => a * b, 1);
  const expected = count * (ONNX_ELEMENT_BYTES[t.dataType] ?? Number.NaN);
  if (t.raw.byteLength !== expected) {
    throw new ParityError(
      'E_MODEL_WRITE',
      `ONNX ${where} ${t.name} has ${t.raw.byteLength} bytes; expected ${expected} for dims [${t.dims.join(', ')}]`,
    );
  }
}

/** Every value read is defined before it (by an input, initializer, earlier node or an enclosing graph). */
function validateGraph(g: OnnxGraph, outer: ReadonlySet<string>, where: string): void {
  const known = new Set<string>(['']); // '' marks an omitted optional input
  const define = (name: string) => {
    if (known.has(name))
      throw new ParityError(
        'E_MODEL_WRITE',
        `ONNX name ${name} is defined twice${where === 'graph' ? '' : ` in ${where}`}`,
      );
    known.add(name);
  };
  for (const i of g.inputs) define(i.name);
  for (const t of g.initializers) {
    checkTensor(t, 'initializer');
    define(t.name);
  }
  for (const n of g.nodes) {
    for (const input of n.inputs) {
      if (!known.has(input) && !outer.has(input)) {
        throw new ParityError(
          'E_MODEL_WRITE',
          `ONNX node ${n.name} (${n.opType}) reads ${input}, which nothing defines before it`,
        );
      }
    }
    for (const [name, a] of Object.entries(n.attributes ?? {})) {
      if (a.kind === 'tensor') checkTensor(a.value, `attribute ${name} of node ${n.name}:`);
      if (a.kind === 'tensors') for (const t of a.value) checkTensor(t, `attribute ${name} of node ${n.name}:`);
      const subgraphs = a.kind === 'graph' ? [a.value] : a.kind === 'graphs' ? a.value : [];
      for (const sub of subgraphs) validateGraph(sub, new Set([...outer, ...known]), `${where} > ${n.name}.${name}`);
    }
    for (const output of n.outputs) if (output !== '') define(output);
  }
  for (const o of g.outputs) {
    if (!known.has(o.name) && !outer.has(o.name)) {
      throw new ParityError('E_MODEL_WRITE', `ONNX graph output ${o.name} is never produced`);
    }
  }
}
