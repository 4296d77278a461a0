import { join } from 'node:path';
import { thrown } from '@bert-parity/core/testing';
import { OnnxDataType, OnnxGraphBuilder, type OnnxModel, type OnnxNode, writeOnnxFile } from '@bert-parity/models';
import { describe, expect, it } from 'vitest';
import { convertToFloat16, toFloat16Clipped } from '../src/index.ts';
import { f32, seeded, tempDir, tfLike, torchLike } from '../testing/exporters.ts';
import { bertFeeds, ort, relL2, runOnnx } from './helpers/ort.ts';

const node = (m: OnnxModel, name: string) => m.nodes.find((n) => n.name === name);
const init = (m: OnnxModel, name: string) => m.initializers.find((t) => t.name === name);

describe('toFloat16Clipped (onnxconverter-common convert_np_to_float16)', () => {
  it('raises tiny magnitudes to 1e-7, lowers big finite ones to 1e4, keeps 0, infinities and NaN', () => {
    const { bits, clipped } = toFloat16Clipped(
      Float32Array.from([1e-12, -1e-12, 0, 1e5, -3.4e38, Number.NEGATIVE_INFINITY, Number.NaN, 0.1]),
      { minPositive: 1e-7, maxFinite: 1e4 },
    );
    // 1e-7 rounds to the float16 subnormal 2·2^-24 (0x0002); 1e4 to 10000 (0x70e2); 0.1 to 0x2e66.
    expect([...bits].map((b) => b.toString(16))).toEqual(['2', '8002', '0', '70e2', 'f0e2', 'fc00', '7e00', '2e66']);
    expect(clipped).toBe(4);
  });
});

describe('convertToFloat16 on a graph shaped like torch.onnx output', () => {
  const { model, report } = convertToFloat16(torchLike());

  it('converts weights and Constant tensors, keeps Min (block list) in float32 with casts around it', () => {
    expect(init(model, 'embeddings.word_embeddings.weight')?.dataType).toBe(OnnxDataType.FLOAT16);
    expect(node(model, 'sqrt2')?.attributes?.value).toEqual({
      kind: 'tensor',
      value: { name: 'sqrt2', dataType: OnnxDataType.FLOAT16, dims: [], raw: new Uint8Array([0xa8, 0x3d]) },
    });
    expect(report.blockedNodes).toEqual(['Min']);
    // Only Min reads max_positions: it stays float32 and loses nothing.
    expect(report.keptFloat32).toEqual(['max_positions']);
    expect(init(model, 'max_positions')?.dataType).toBe(OnnxDataType.FLOAT);
    const min = node(model, 'Min');
    expect(min?.inputs).toEqual(['Cast_output_fp32', 'max_positions']);
    // Cast(shape → FLOAT) became Cast(→ FLOAT16), so the Min input needs one Cast back up.
    expect(node(model, 'Cast')?.attributes?.to).toEqual({ kind: 'int', value: OnnxDataType.FLOAT16 });
    // 4 initializers (max_positions stays) and 5 Constant scalars.
    expect(report.convertedConstants).toBe(9);
  });

  it('keeps float32 graph outputs (keep_io_types): the results are cast back under their own names', () => {
    expect(model.outputs.map((o) => o.elemType)).toEqual([OnnxDataType.FLOAT, OnnxDataType.FLOAT]);
    const casts = model.nodes.filter((n) => n.outputs[0] === 'prediction_scores' || n.outputs[0] === 'scores');
    expect(casts.map((n) => [n.opType, n.inputs[0], n.attributes?.to])).toEqual([
      ['Cast', 'graph_output_cast_1', { kind: 'int', value: OnnxDataType.FLOAT }],
      ['Cast', 'graph_output_cast_0', { kind: 'int', value: OnnxDataType.FLOAT }],
    ]);
  });

  it('runs in onnxruntime within float16 drift of the float32 model', async () => {
    const dir = tempDir();
    writeOnnxFile(join(dir, 'f32.onnx'), torchLike());
    writeOnnxFile(join(dir, 'f16.onnx'), model);
    const feeds = bertFeeds({ ids: 'input_ids', mask: 'attention_mask' }, 2, 8, 20);
    const ref = await runOnnx(join(dir, 'f32.onnx'), feeds);
    const got = await runOnnx(join(dir, 'f16.onnx'), feeds);
    const drift = relL2(got.prediction_scores as never, ref.prediction_scores as never);
    expect(drift).toBeGreaterThan(1e-5);
    expect(drift).toBeLessThan(2e-3);
  });
});

describe('convertToFloat16 on other exporters and options', () => {
  it('casts a float32 graph input once where non-blocked nodes read it, and converts a mixed-precision Cast', async () => {
    const { model, report } = convertToFloat16(tfLike());
    expect(report.castsInserted).toBe(2); // graph_input_cast_0 and the output cast
    const inputCast = model.nodes.find((n) => n.outputs[0] === 'graph_input_cast_0');
    expect(inputCast?.inputs).toEqual(['features']);
    // Cast(float16 kernel → FLOAT) now casts to FLOAT16, a no-op the runtime removes.
    expect(node(model, 'Cast')?.attributes?.to).toEqual({ kind: 'int', value: OnnxDataType.FLOAT16 });
    const dir = tempDir();
    writeOnnxFile(join(dir, 'f32.onnx'), tfLike());
    writeOnnxFile(join(dir, 'f16.onnx'), model);
    const x = new ort.Tensor('float32', seeded(2 * 4 * 8, 11), [2, 4, 8]);
    const ref = await runOnnx(join(dir, 'f32.onnx'), { features: x });
    const got = await runOnnx(join(dir, 'f16.onnx'), { features: x });
    expect(relL2(got.logits as never, ref.logits as never)).toBeLessThan(2e-3);
  });

  it('without keep_io_types, float inputs and outputs become float16', () => {
    const { model } = convertToFloat16(tfLike(), { keepIoTypes: false });
    expect([...model.inputs, ...model.outputs].map((v) => v.elemType)).toEqual([
      OnnxDataType.FLOAT16,
      OnnxDataType.FLOAT16,
    ]);
    expect(model.nodes.filter((n) => n.opType === 'Cast')).toHaveLength(1);
  });

  it('a node block list keeps that node in float32', () => {
    const { model, report } = convertToFloat16(tfLike(), { nodeBlockList: ['square/MatMul'] });
    expect(report.blockedNodes).toEqual(['square/MatMul']);
    const blocked = node(model, 'square/MatMul');
    expect(blocked?.inputs).toEqual(['Add_output_fp32', 'square/kernel_fp32']);
    // square/kernel is also read by ReduceMean (converted), so it is float16 and cast up for the blocked MatMul.
    expect(init(model, 'square/kernel')?.dataType).toBe(OnnxDataType.FLOAT16);
  });

  it('refuses a model that computes in float16 already, control flow, and ops it cannot type', () => {
    const twice = thrown(() => convertToFloat16(convertToFloat16(tfLike()).model, {}, 'f16.onnx'));
    expect([twice.code, twice.message]).toEqual([
      'E_DERIVE_INPUT',
      'f16.onnx already computes in float16 (node graph_input_cast_0_node casts to FLOAT16 and 9 more); expected a float32 model to derive from',
    ]);
    const g = new OnnxGraphBuilder();
    const w = g.constant('w', OnnxDataType.FLOAT, [2], f32([1, 2]));
    g.opTo('Fancy', ['x', w], 'y');
    const custom: OnnxModel = {
      irVersion: 8,
      opsetVersion: 17,
      producerName: 't',
      producerVersion: '1',
      graphName: 'g',
      inputs: [{ name: 'x', elemType: OnnxDataType.FLOAT, shape: [2] }],
      outputs: [{ name: 'z', elemType: OnnxDataType.FLOAT, shape: [2] }],
      initializers: g.initializers,
      nodes: [
        { ...(g.nodes[0] as OnnxNode), domain: 'com.example' },
        { name: 'r', opType: 'Relu', inputs: ['y'], outputs: ['z'] },
      ],
    };
    const e = thrown(() => convertToFloat16(custom, {}, 'custom.onnx'));
    expect(e.message).toBe(
      'custom.onnx: cannot tell the element type of y, output 0 of node Fancy (com.example.Fancy); expected a standard ONNX op or a value_info entry for it',
    );
    // A value_info entry for the custom op's output is enough.
    const typed = { ...custom, valueInfo: [{ name: 'y', elemType: OnnxDataType.FLOAT, shape: [2] }] };
    expect(convertToFloat16(typed).model.valueInfo).toEqual([
      { name: 'y', elemType: OnnxDataType.FLOAT16, shape: [2] },
    ]);
    const loop: OnnxModel = {
      ...custom,
      nodes: [
        {
          name: 'if',
          opType: 'If',
          inputs: ['x'],
          outputs: ['z'],
          attributes: {
            then_branch: { kind: 'graph', value: { name: 'b', inputs: [], outputs: [], initializers: [], nodes: [] } },
          },
        },
      ],
    };
    expect(thrown(() => convertToFloat16(loop, {}, 'if.onnx')).message).toBe(
      'if.onnx: node if (If) holds a subgraph; control flow (If, Loop, Scan) is not converted',
    );
  });
});
