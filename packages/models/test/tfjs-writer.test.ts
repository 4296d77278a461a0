import { describe, expect, it } from 'vitest';
import { TfjsGraphBuilder, writeTfjsGraphModel } from '../src/index.ts';

describe('writeTfjsGraphModel', () => {
  it('writes the graph-model layout with Const nodes and a quantization-aware manifest', () => {
    const g = new TfjsGraphBuilder();
    g.weight({ name: 'w', shape: [3], dtype: 'float32', data: new Uint8Array(12) });
    g.weight({ name: 'h', shape: [4], dtype: 'float32', data: new Uint8Array(8), quantization: { dtype: 'float16' } });
    g.weight({
      name: 'q',
      shape: [5],
      dtype: 'float32',
      data: new Uint8Array(5),
      quantization: { dtype: 'uint8', min: -1, scale: 0.5 },
    });
    g.op('Placeholder', [], { dtype: { type: 'DT_FLOAT' } }, 'x');
    g.op('AddV2', ['x', 'w'], { T: { type: 'DT_FLOAT' } });
    const art = writeTfjsGraphModel(
      {
        generatedBy: 'g',
        convertedBy: 'c',
        nodes: g.nodes,
        weights: g.weights,
        signature: { inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT', shape: [-1, 3] } }, outputs: {} },
      },
      10,
    );
    const json = JSON.parse(art.modelJson);
    expect(json.format).toBe('graph-model');
    expect(json.modelTopology.node[0]).toEqual({
      name: 'w',
      op: 'Const',
      attr: {
        value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }] } } },
        dtype: { type: 'DT_FLOAT' },
      },
    });
    expect(json.weightsManifest[0].weights).toEqual([
      { name: 'w', shape: [3], dtype: 'float32' },
      { name: 'h', shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'q', shape: [5], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.5 } },
    ]);
    expect(json.signature.inputs.x).toEqual({
      name: 'x:0',
      dtype: 'DT_FLOAT',
      tensorShape: { dim: [{ size: '-1' }, { size: '3' }] },
    });
    // 12 + 8 + 5 = 25 bytes in shards of 10: weights span shard boundaries, as tfjs-converter writes them.
    expect(art.shards.map((s) => [s.path, s.bytes.byteLength])).toEqual([
      ['group1-shard1of3.bin', 10],
      ['group1-shard2of3.bin', 10],
      ['group1-shard3of3.bin', 5],
    ]);
    expect(json.weightsManifest[0].paths).toEqual(art.shards.map((s) => s.path));
  });

  it('rejects stored bytes that do not match the quantized dtype', () => {
    const g = new TfjsGraphBuilder();
    g.weight({ name: 'h', shape: [4], dtype: 'float32', data: new Uint8Array(16), quantization: { dtype: 'float16' } });
    expect(() =>
      writeTfjsGraphModel({
        generatedBy: '',
        convertedBy: '',
        nodes: [],
        weights: g.weights,
        signature: { inputs: {}, outputs: {} },
      }),
    ).toThrow('TF.js weight h has 16 bytes; expected 8 for shape [4]');
  });
});
