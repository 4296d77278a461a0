import { isParityError } from '@bert-parity/core';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { encodeOnnxModel, OnnxDataType, OnnxGraphBuilder, type OnnxModel } from '../src/index.ts';

const { onnx } = onnxProto;

function tinyModel(): OnnxModel {
  const g = new OnnxGraphBuilder();
  const w = g.constant('w', OnnxDataType.FLOAT, [2, 2], new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer));
  g.opTo('MatMul', ['x', w], 'y');
  return {
    irVersion: 7,
    opsetVersion: 13,
    producerName: 'test',
    producerVersion: '1',
    graphName: 'g',
    inputs: [{ name: 'x', elemType: OnnxDataType.FLOAT, shape: ['batch', 2] }],
    outputs: [{ name: 'y', elemType: OnnxDataType.FLOAT, shape: ['batch', 2] }],
    initializers: g.initializers,
    nodes: g.nodes,
    metadata: { k: 'v' },
  };
}

describe('encodeOnnxModel', () => {
  it('writes a ModelProto that decodes back with opset, dims, dim_param and raw data', () => {
    const m = onnx.ModelProto.decode(encodeOnnxModel(tinyModel()));
    expect(Number(m.irVersion)).toBe(7);
    expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    expect((m.graph?.node ?? []).map((n) => [n.opType, n.input, n.output])).toEqual([['MatMul', ['x', 'w'], ['y']]]);
    const init = m.graph?.initializer?.[0];
    expect((init?.dims ?? []).map(Number)).toEqual([2, 2]);
    expect(Array.from(new Float32Array(Uint8Array.from(init?.rawData ?? []).buffer))).toEqual([1, 2, 3, 4]);
    expect(m.graph?.input?.[0]?.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue))).toEqual([
      'batch',
      2,
    ]);
    expect(m.metadataProps.map((p) => [p.key, p.value])).toEqual([['k', 'v']]);
  });

  it('is deterministic', () => {
    expect(Buffer.from(encodeOnnxModel(tinyModel())).equals(Buffer.from(encodeOnnxModel(tinyModel())))).toBe(true);
  });

  it('rejects an initializer whose byte size does not match its dims', () => {
    const m = tinyModel();
    const bad = { ...m, initializers: m.initializers.map((t) => ({ ...t, dims: [3, 2] })) };
    expect(() => encodeOnnxModel(bad)).toThrow('ONNX initializer w has 16 bytes; expected 24 for dims [3, 2]');
  });

  it('rejects a node reading an undefined value with E_MODEL_WRITE', () => {
    const m = tinyModel();
    try {
      encodeOnnxModel({ ...m, nodes: [{ name: 'n', opType: 'Relu', inputs: ['nope'], outputs: ['y'] }] });
      expect.unreachable();
    } catch (e) {
      expect(isParityError(e, 'E_MODEL_WRITE')).toBe(true);
      expect(String(e)).toContain('ONNX node n (Relu) reads nope');
    }
  });
});
