import { join } from 'node:path';
import { thrown } from '@bert-parity/core/testing';
import { OnnxDataType, type OnnxModel, writeOnnxFile } from '@bert-parity/models';
import { describe, expect, it } from 'vitest';
import { quantizeDynamicInt8, quantizeSymmetric } from '../src/index.ts';
import { seeded, tempDir, tfLike, torchLike } from '../testing/exporters.ts';
import { bertFeeds, ort, relL2, runOnnx } from './helpers/ort.ts';

const int8s = (t: { raw: Uint8Array } | undefined) => [...new Int8Array((t?.raw ?? new Uint8Array()).slice().buffer)];
const floats = (t: { raw: Uint8Array } | undefined) => [
  ...new Float32Array((t?.raw ?? new Uint8Array()).slice().buffer),
];
const init = (m: OnnxModel, name: string) => m.initializers.find((t) => t.name === name);

describe('quantizeSymmetric (quantize_dynamic QInt8 weights)', () => {
  it('scale = 2·absmax / 254 stored as float32, values rounded from float32 quotients', () => {
    const { scale, q } = quantizeSymmetric(Float32Array.from([-1.27, 0.5, 0.013, 0.015, 0]), false);
    expect(scale).toBe(Math.fround(0.01));
    expect([...q]).toEqual([-127, 50, 1, 2, 0]);
  });

  it('reduce_range uses [-64, 64] and rounds halves to even, as numpy does', () => {
    // absmax 1 → scale 2/128 = 2^-6 exactly, so x / scale is exact and the .5 cases are true ties.
    const s = 2 ** -6;
    const { scale, q } = quantizeSymmetric(Float32Array.from([1, -0.5, 2.5 * s, 3.5 * s, -2.5 * s, -3.5 * s]), true);
    expect(scale).toBe(s);
    expect([...q]).toEqual([64, -32, 2, 4, -2, -4]);
  });

  it('an all-zero weight gets scale 1 (no division by zero) and only zeros', () => {
    const { scale, q } = quantizeSymmetric(new Float32Array(4), false);
    expect([scale, ...q]).toEqual([1, 0, 0, 0, 0]);
  });
});

describe('quantizeDynamicInt8 on graphs shaped like tf2onnx / keras2onnx output', () => {
  const { model, report } = quantizeDynamicInt8(tfLike());

  it('folds weights read through Identity, Reshape and Cast, quantizes a shared kernel once and leaves Gemm float', () => {
    expect(report.quantized).toBe(6);
    expect(report.weights).toBe(5);
    expect(report.folded).toEqual([
      'dense/MatMul/ReadVariableOp_output (Identity of dense/kernel)',
      'Reshape_output (Reshape of dense_1/kernel)',
      'Cast_output (Cast of dense_2/kernel_fp16)',
    ]);
    expect(report.skipped).toEqual([]);
    const ops = model.nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'MatMulInteger')).toHaveLength(6);
    expect(ops.filter((o) => o === 'MatMul')).toHaveLength(0);
    expect(ops).toContain('Gemm');
    // The two MatMuls reading shared/kernel share its quantized tensor and their activation's DynamicQuantizeLinear.
    const shared = model.nodes.filter((n) => n.opType === 'MatMulInteger' && n.inputs[1] === 'shared/kernel_quantized');
    expect(shared).toHaveLength(2);
    expect(new Set(shared.map((n) => n.inputs[0]))).toEqual(new Set(['dense_2/MatMul_output_quantized']));
    expect(model.nodes.filter((n) => n.opType === 'DynamicQuantizeLinear')).toHaveLength(5);
  });

  it('keeps a kernel another op reads as float32 beside its int8 copy, and drops the folded-away originals', () => {
    expect(init(model, 'square/kernel')?.dataType).toBe(OnnxDataType.FLOAT);
    expect(init(model, 'square/kernel_quantized')?.dataType).toBe(OnnxDataType.INT8);
    expect(init(model, 'dense/kernel')).toBeUndefined();
    expect(init(model, 'dense_2/kernel_fp16')).toBeUndefined();
    expect(model.nodes.map((n) => n.opType)).not.toContain('Identity');
    expect(report.keptFloat).toBe(2); // square/kernel and the Gemm head
  });

  it('writes the weight as quantize_dynamic does: int8 values, float32 scale, zero point 0', () => {
    const w = seeded(64, 8, 0.5);
    const expected = quantizeSymmetric(w, false);
    expect(int8s(init(model, 'shared/kernel_quantized'))).toEqual([...expected.q]);
    expect(floats(init(model, 'shared/kernel_scale'))).toEqual([expected.scale]);
    expect(init(model, 'shared/kernel_zero_point')).toEqual({
      name: 'shared/kernel_zero_point',
      dataType: OnnxDataType.INT8,
      dims: [],
      raw: new Uint8Array(1),
    });
  });

  it('runs in onnxruntime within int8 drift of the float32 model', async () => {
    const dir = tempDir();
    writeOnnxFile(join(dir, 'f32.onnx'), tfLike());
    writeOnnxFile(join(dir, 'int8.onnx'), model);
    const x = new ort.Tensor('float32', seeded(2 * 4 * 8, 11), [2, 4, 8]);
    const ref = await runOnnx(join(dir, 'f32.onnx'), { features: x });
    const got = await runOnnx(join(dir, 'int8.onnx'), { features: x });
    const drift = relL2(got.logits as never, ref.logits as never);
    expect(drift).toBeGreaterThan(0);
    expect(drift).toBeLessThan(3e-2);
  });

  it('per channel: one scale and zero point per output column', () => {
    const per = quantizeDynamicInt8(tfLike(), { perChannel: true });
    expect(per.report.perChannel).toBe(true);
    expect(init(per.model, 'shared/kernel_scale')?.dims).toEqual([8]);
    expect(init(per.model, 'shared/kernel_zero_point')?.dims).toEqual([8]);
    const w = seeded(64, 8, 0.5);
    const column = Float32Array.from({ length: 8 }, (_, i) => w[i * 8 + 3] as number);
    expect(floats(init(per.model, 'shared/kernel_scale'))[3]).toBe(quantizeSymmetric(column, false).scale);
  });
});

describe('quantizeDynamicInt8 on a graph shaped like torch.onnx output', () => {
  it('quantizes the dense layer and the decoder tied to the embeddings through Transpose, skips activation products', async () => {
    const { model, report } = quantizeDynamicInt8(torchLike());
    expect(report.quantized).toBe(2);
    expect(report.folded).toEqual(['Transpose_1_output (Transpose of embeddings.word_embeddings.weight)']);
    expect(report.skipped).toEqual([{ node: 'MatMul_1', reason: 'B is not a constant (activation × activation)' }]);
    // The table stays float32 for the Gather; its transposed int8 copy serves the decoder.
    expect(init(model, 'embeddings.word_embeddings.weight')?.dataType).toBe(OnnxDataType.FLOAT);
    expect(init(model, 'Transpose_1_output_quantized')?.dims).toEqual([8, 20]);
    const dir = tempDir();
    writeOnnxFile(join(dir, 'f32.onnx'), torchLike());
    writeOnnxFile(join(dir, 'int8.onnx'), model);
    const feeds = bertFeeds({ ids: 'input_ids', mask: 'attention_mask' }, 2, 8, 20);
    const ref = await runOnnx(join(dir, 'f32.onnx'), feeds);
    const got = await runOnnx(join(dir, 'int8.onnx'), feeds);
    expect(relL2(got.prediction_scores as never, ref.prediction_scores as never)).toBeLessThan(3e-2);
  });

  it('refuses models below opset 11, already quantized or float16 ones, with what to do', () => {
    const old = thrown(() => quantizeDynamicInt8({ ...torchLike(), opsetVersion: 10 }, {}, 'old.onnx'));
    expect([old.code, old.message]).toEqual([
      'E_DERIVE_INPUT',
      'old.onnx uses opset 10; DynamicQuantizeLinear needs opset 11 or newer (re-export the model at opset ≥ 11)',
    ]);
    const twice = thrown(() => quantizeDynamicInt8(quantizeDynamicInt8(tfLike()).model, {}, 'q.onnx'));
    expect(twice.message).toBe(
      'q.onnx is already quantized (node features_QuantizeLinear is DynamicQuantizeLinear); expected a float32 model to derive from',
    );
  });
});
