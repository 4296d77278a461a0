import { ParityError } from '@bert-parity/core';
import onnxProto from 'onnx-proto';
import { type OnnxAttribute, OnnxDataType, type OnnxModel, type OnnxValueInfo } from './types.ts';

const { onnx } = onnxProto;

const BYTES_PER_ELEMENT: Readonly<Record<number, number>> = {
  [OnnxDataType.FLOAT]: 4,
  [OnnxDataType.UINT8]: 1,
  [OnnxDataType.INT8]: 1,
  [OnnxDataType.INT32]: 4,
  [OnnxDataType.INT64]: 8,
  [OnnxDataType.BOOL]: 1,
  [OnnxDataType.FLOAT16]: 2,
};

/**
 * Serializes a model to ONNX protobuf bytes (onnx.proto's ModelProto). Checks what would otherwise only
 * fail inside a runtime: initializer sizes against dims, and that every node input is produced somewhere.
 * The output is deterministic: fields are written in a fixed order from the given arrays.
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  validate(model);
  const message = {
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    docString: model.docString ?? '',
    opsetImport: [{ domain: '', version: model.opsetVersion }],
    metadataProps: Object.entries(model.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: model.graphName,
      node: model.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        domain: '',
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes ?? {}).map(([name, a]) => encodeAttribute(name, a)),
      })),
      initializer: model.initializers.map((t) => ({
        name: t.name,
        dataType: t.dataType,
        dims: [...t.dims],
        rawData: t.raw,
      })),
      input: model.inputs.map(valueInfo),
      output: model.outputs.map(valueInfo),
    },
  };
  return onnx.ModelProto.encode(message).finish();
}

function encodeAttribute(name: string, a: OnnxAttribute): Record<string, unknown> {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
  }
}

function valueInfo(v: OnnxValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.elemType,
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function validate(model: OnnxModel): void {
  const known = new Set<string>(['']); // '' marks an omitted optional input
  for (const i of model.inputs) known.add(i.name);
  for (const t of model.initializers) {
    const count = t.dims.reduce((a, b) => a * b, 1);
    const expected = count * (BYTES_PER_ELEMENT[t.dataType] ?? Number.NaN);
    if (t.raw.byteLength !== expected) {
      throw new ParityError(
        'E_MODEL_WRITE',
        `ONNX initializer ${t.name} has ${t.raw.byteLength} bytes; expected ${expected} for dims [${t.dims.join(', ')}]`,
      );
    }
    if (known.has(t.name)) throw new ParityError('E_MODEL_WRITE', `ONNX name ${t.name} is defined twice`);
    known.add(t.name);
  }
  for (const n of model.nodes) {
    for (const input of n.inputs) {
      if (!known.has(input)) {
        throw new ParityError(
          'E_MODEL_WRITE',
          `ONNX node ${n.name} (${n.opType}) reads ${input}, which nothing defines before it`,
        );
      }
    }
    for (const output of n.outputs) {
      if (known.has(output)) throw new ParityError('E_MODEL_WRITE', `ONNX name ${output} is defined twice`);
      known.add(output);
    }
  }
  for (const o of model.outputs) {
    if (!known.has(o.name)) throw new ParityError('E_MODEL_WRITE', `ONNX graph output ${o.name} is never produced`);
  }
}
