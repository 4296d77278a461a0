import { ParityError } from '@bert-parity/core';
import onnxProto from 'onnx-proto';
import { readModelFile } from '../load.ts';
import { type ExternalRef, readExternal, resolveExternal } from './external.ts';
import { decodeOnnx } from './reader.ts';
import {
  ONNX_ELEMENT_BYTES,
  ONNX_TYPE_NAMES,
  type OnnxAttribute,
  OnnxDataType,
  type OnnxGraph,
  type OnnxInitializer,
  type OnnxModel,
  type OnnxNode,
  type OnnxValueInfo,
} from './types.ts';

const { onnx } = onnxProto;
type ITensor = onnxProto.onnx.ITensorProto;
type IGraph = onnxProto.onnx.IGraphProto;
type IValueInfo = onnxProto.onnx.IValueInfoProto;
type IAttribute = onnxProto.onnx.IAttributeProto;
type Long = { low: number; high: number; unsigned: boolean; toString(): string };

/** A model decoded whole: every initializer's bytes in memory, external data read from its files. */
export interface DecodedOnnx {
  readonly model: OnnxModel;
  /** Data files the initializers came from (absolute paths), empty when every tensor was inside the model. */
  readonly externalFiles: readonly string[];
}

const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL
const MAX_DEPTH = 32;

/** A Long (or number) as a number when exact, else as a bigint. */
function int64(v: number | Long | null | undefined): number | bigint {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = Number(v.toString());
  return Number.isSafeInteger(n) ? n : BigInt(v.toString());
}

const safe = (v: number | Long | null | undefined, fail: (why: string) => never, what: string): number => {
  const n = int64(v);
  if (typeof n === 'bigint' || !Number.isSafeInteger(n)) fail(`${what} ${String(n)} is out of range`);
  return n as number;
};

class Decoder {
  readonly externalFiles = new Set<string>();

  constructor(private readonly path: string) {}

  fail(message: string): never {
    throw new ParityError('E_MODEL_CORRUPT', `ONNX file ${this.path}: ${message}`);
  }

  unsupported(message: string): never {
    throw new ParityError('E_MODEL_UNSUPPORTED', `ONNX file ${this.path}: ${message}`);
  }

  dataType(t: number, what: string): OnnxDataType {
    if (Object.hasOwn(ONNX_ELEMENT_BYTES, t)) return t as OnnxDataType;
    const name = ONNX_TYPE_NAMES[t];
    if (name === undefined) this.fail(`${what} has element type ${t}, which onnx.proto does not define`);
    return this.unsupported(`${what} has element type ${name}; expected a numeric or bool tensor`);
  }

  /** Any TensorProto storage (raw_data, typed fields, external data) as packed little-endian bytes. */
  tensor(t: ITensor, what: string): OnnxInitializer {
    const name = t.name ?? '';
    const label = `${what} ${name}`.trim();
    const dataType = this.dataType(t.dataType ?? 0, label);
    const dims = (t.dims ?? []).map((d) => safe(d, (m) => this.fail(`${label}: ${m}`), 'dim'));
    if (dims.some((d) => d < 0)) this.fail(`${label} has dims [${dims.join(', ')}]`);
    if (t.segment !== null && t.segment !== undefined) this.unsupported(`${label} is a segment of a larger tensor`);
    const count = dims.reduce((a, b) => a * b, 1);
    const width = ONNX_ELEMENT_BYTES[dataType];
    const bytes = count * width;
    const typeName = ONNX_TYPE_NAMES[dataType];
    const expectBytes = (have: number, where: string) => {
      if (have !== bytes) {
        this.fail(`${label} has ${have} bytes of ${where}; dims [${dims.join(', ')}] of ${typeName} need ${bytes}`);
      }
    };
    if (t.dataLocation === EXTERNAL) {
      const ref: ExternalRef = resolveExternal(this.path, name, t.externalData ?? []);
      expectBytes(ref.length, 'external data');
      this.externalFiles.add(ref.file);
      return { name, dataType, dims, raw: readExternal(ref) };
    }
    if (t.rawData !== null && t.rawData !== undefined && t.rawData.byteLength > 0) {
      expectBytes(t.rawData.byteLength, 'raw_data');
      return { name, dataType, dims, raw: new Uint8Array(t.rawData) };
    }
    const raw = new Uint8Array(bytes);
    const view = new DataView(raw.buffer);
    const typed = <T>(values: readonly T[] | null | undefined, field: string, put: (i: number, v: T) => void) => {
      const list = values ?? [];
      if (list.length !== count) {
        this.fail(`${label} has ${list.length} values in ${field}; dims [${dims.join(', ')}] need ${count}`);
      }
      for (const [i, v] of list.entries()) put(i, v);
    };
    const big = (v: number | Long) => BigInt(typeof v === 'number' ? v : v.toString());
    switch (dataType) {
      case OnnxDataType.FLOAT:
        typed(t.floatData, 'float_data', (i, v) => view.setFloat32(i * 4, v, true));
        break;
      case OnnxDataType.DOUBLE:
        typed(t.doubleData, 'double_data', (i, v) => view.setFloat64(i * 8, v, true));
        break;
      case OnnxDataType.INT64:
        typed(t.int64Data, 'int64_data', (i, v) => view.setBigInt64(i * 8, big(v), true));
        break;
      case OnnxDataType.UINT32:
        typed(t.uint64Data, 'uint64_data', (i, v) => view.setUint32(i * 4, Number(big(v)), true));
        break;
      case OnnxDataType.UINT64:
        typed(t.uint64Data, 'uint64_data', (i, v) => view.setBigUint64(i * 8, BigInt.asUintN(64, big(v)), true));
        break;
      default:
        // int32_data holds every narrower type, float16/bfloat16 as their bit patterns (onnx.proto).
        typed(t.int32Data, 'int32_data', (i, v) => {
          if (width === 4) view.setInt32(i * 4, v, true);
          else if (width === 2) view.setUint16(i * 2, v & 0xffff, true);
          else view.setUint8(i, v & 0xff);
        });
    }
    return { name, dataType, dims, raw };
  }

  valueInfo(v: IValueInfo, what: string, required: true): OnnxValueInfo;
  valueInfo(v: IValueInfo, what: string, required: false): OnnxValueInfo | undefined;
  valueInfo(v: IValueInfo, what: string, required: boolean): OnnxValueInfo | undefined {
    const name = v.name ?? '';
    const tensor = v.type?.tensorType;
    if (tensor === null || tensor === undefined) {
      return required ? this.unsupported(`${what} ${name} is not a tensor (sequence, map or optional)`) : undefined;
    }
    const elem = tensor.elemType ?? 0;
    if (!Object.hasOwn(ONNX_ELEMENT_BYTES, elem)) {
      // Throws for a graph input or output; a value_info entry is only a hint and is left out.
      if (required) this.dataType(elem, `${what} ${name}`);
      return undefined;
    }
    const shape =
      tensor.shape === null || tensor.shape === undefined
        ? null
        : (tensor.shape.dim ?? []).map((d) => {
            if (d.dimParam) return d.dimParam;
            // Decoded messages carry set fields as own properties; a dim with neither is unknown.
            return Object.hasOwn(d, 'dimValue') ? safe(d.dimValue, (m) => this.fail(`${name}: ${m}`), 'dim') : null;
          });
    return { name, elemType: elem as OnnxDataType, shape };
  }

  attribute(a: IAttribute, node: string, depth: number): OnnxAttribute {
    const T = onnx.AttributeProto.AttributeType;
    const name = a.name ?? '';
    const what = `attribute ${name} of node ${node}`;
    if (a.refAttrName) this.unsupported(`${what} refers to a function attribute (${a.refAttrName})`);
    let type = a.type ?? T.UNDEFINED;
    if (type === T.UNDEFINED) {
      // Old exporters leave the type out; the field that is set says it.
      if (Object.hasOwn(a, 'f')) type = T.FLOAT;
      else if (Object.hasOwn(a, 'i')) type = T.INT;
      else if (Object.hasOwn(a, 's')) type = T.STRING;
      else if (a.t) type = T.TENSOR;
      else if (a.g) type = T.GRAPH;
      else if ((a.floats ?? []).length > 0) type = T.FLOATS;
      else if ((a.ints ?? []).length > 0) type = T.INTS;
      else if ((a.strings ?? []).length > 0) type = T.STRINGS;
      else if ((a.tensors ?? []).length > 0) type = T.TENSORS;
      else if ((a.graphs ?? []).length > 0) type = T.GRAPHS;
    }
    const text = (b: Uint8Array | null | undefined) => new TextDecoder().decode(b ?? new Uint8Array());
    switch (type) {
      case T.INT:
        return { kind: 'int', value: int64(a.i) };
      case T.FLOAT:
        return { kind: 'float', value: a.f ?? 0 };
      case T.INTS:
        return { kind: 'ints', value: (a.ints ?? []).map(int64) };
      case T.FLOATS:
        return { kind: 'floats', value: [...(a.floats ?? [])] };
      case T.STRING:
        return { kind: 'string', value: text(a.s) };
      case T.STRINGS:
        return { kind: 'strings', value: (a.strings ?? []).map(text) };
      case T.TENSOR:
        return { kind: 'tensor', value: this.tensor(a.t ?? {}, `tensor of ${what}`) };
      case T.TENSORS:
        return { kind: 'tensors', value: (a.tensors ?? []).map((t) => this.tensor(t, `tensor of ${what}`)) };
      case T.GRAPH:
        return { kind: 'graph', value: this.graph(a.g ?? {}, depth + 1) };
      case T.GRAPHS:
        return { kind: 'graphs', value: (a.graphs ?? []).map((g) => this.graph(g, depth + 1)) };
      default:
        return this.unsupported(`${what} has attribute type ${type} (sparse tensors and type protos are not read)`);
    }
  }

  node(n: onnxProto.onnx.INodeProto, depth: number): OnnxNode {
    const name = n.name ?? '';
    const attributes: Record<string, OnnxAttribute> = {};
    for (const a of n.attribute ?? []) attributes[a.name ?? ''] = this.attribute(a, name || (n.opType ?? ''), depth);
    const domain = n.domain ?? '';
    return {
      name,
      opType: n.opType ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      ...(Object.keys(attributes).length === 0 ? {} : { attributes }),
      ...(domain === '' || domain === 'ai.onnx' ? {} : { domain }),
      ...(n.docString ? { docString: n.docString } : {}),
    };
  }

  graph(g: IGraph, depth: number): OnnxGraph {
    if (depth > MAX_DEPTH) this.fail(`graphs nest deeper than ${MAX_DEPTH} levels`);
    if ((g.sparseInitializer ?? []).length > 0) this.unsupported(`graph ${g.name ?? ''} has sparse initializers`);
    const initializers = (g.initializer ?? []).map((t) => this.tensor(t, 'initializer'));
    const stored = new Set(initializers.map((t) => t.name));
    const valueInfo = (g.valueInfo ?? []).flatMap((v) => this.valueInfo(v, 'value_info', false) ?? []);
    return {
      name: g.name ?? '',
      // IR < 4 lists initializers among the inputs as well; they are constants, not inputs.
      inputs: (g.input ?? []).filter((v) => !stored.has(v.name ?? '')).map((v) => this.valueInfo(v, 'input', true)),
      outputs: (g.output ?? []).map((v) => this.valueInfo(v, 'output', true)),
      initializers,
      nodes: (g.node ?? []).map((n) => this.node(n, depth)),
      ...(valueInfo.length === 0 ? {} : { valueInfo }),
    };
  }
}

/**
 * Decodes a ModelProto completely (graph, attributes, subgraphs, every initializer's bytes, external data
 * read from the files it names) into the writer's model type, so a transformation can change it and
 * `encodeOnnxModel` write it back. Malformed input is E_MODEL_CORRUPT; valid ONNX this type cannot hold
 * (string tensors, sparse initializers, local functions, training info) is E_MODEL_UNSUPPORTED.
 */
export function decodeOnnxModel(bytes: Uint8Array, path: string): DecodedOnnx {
  const m = decodeOnnx(bytes, path);
  const d = new Decoder(path);
  if ((m.functions ?? []).length > 0) d.unsupported(`it defines ${m.functions.length} local function(s)`);
  if ((m.trainingInfo ?? []).length > 0) d.unsupported('it carries training info');
  let opsetVersion: number | undefined;
  const opsetImports: { domain: string; version: number }[] = [];
  for (const o of m.opsetImport ?? []) {
    const version = safe(o.version, (msg) => d.fail(`opset_import: ${msg}`), 'version');
    const domain = o.domain ?? '';
    if (domain === '' || domain === 'ai.onnx') opsetVersion = version;
    else opsetImports.push({ domain, version });
  }
  if (opsetVersion === undefined) d.unsupported('it imports no default-domain (ai.onnx) opset');
  const graph = d.graph(m.graph as IGraph, 0);
  const metadata: Record<string, string> = {};
  for (const p of m.metadataProps ?? []) metadata[p.key ?? ''] = p.value ?? '';
  const model: OnnxModel = {
    irVersion: safe(m.irVersion, (msg) => d.fail(`ir_version: ${msg}`), 'ir_version'),
    opsetVersion: opsetVersion as number,
    ...(opsetImports.length === 0 ? {} : { opsetImports }),
    producerName: m.producerName ?? '',
    producerVersion: m.producerVersion ?? '',
    graphName: graph.name,
    ...(m.docString ? { docString: m.docString } : {}),
    inputs: graph.inputs,
    outputs: graph.outputs,
    initializers: graph.initializers,
    nodes: graph.nodes,
    ...(graph.valueInfo === undefined ? {} : { valueInfo: graph.valueInfo }),
    ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
  };
  return { model, externalFiles: [...d.externalFiles] };
}

/**
 * Reads an ONNX file whole (see decodeOnnxModel). A file over protobuf's 2 GiB limit cannot be a valid
 * ModelProto: such models keep their weights in external data files.
 */
export function readOnnxModelFile(path: string): DecodedOnnx {
  return decodeOnnxModel(readModelFile(path), path);
}
