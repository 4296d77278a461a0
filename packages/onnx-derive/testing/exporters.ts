/**
 * Small graphs shaped like real exporters' output (torch.onnx, tf2onnx / keras2onnx), built with the
 * project's graph builder, for tests of the derivations and of `bert-parity init`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toFloat16Array } from '@bert-parity/core';
import { OnnxDataType, OnnxGraphBuilder, type OnnxModel, type OnnxValueInfo } from '@bert-parity/models';

export const tempDir = () => mkdtempSync(join(tmpdir(), 'onnx-derive-'));

/** Seeded values in [-scale, scale) (xorshift32), so weights differ but tests stay deterministic. */
export function seeded(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32 - 0.5) * 2 * scale;
  });
}

export const f32 = (values: ArrayLike<number>) => new Uint8Array(Float32Array.from(values).buffer);
export const i64 = (values: readonly number[]) => new Uint8Array(BigInt64Array.from(values, BigInt).buffer);

function model(
  g: OnnxGraphBuilder,
  name: string,
  inputs: OnnxValueInfo[],
  outputs: OnnxValueInfo[],
  opset = 13,
): OnnxModel {
  return {
    irVersion: 7,
    opsetVersion: opset,
    producerName: name,
    producerVersion: 'test',
    graphName: name,
    inputs,
    outputs,
    initializers: g.initializers,
    nodes: g.nodes,
  };
}

const H = 8;
const ids: OnnxValueInfo = { name: 'input_ids', elemType: OnnxDataType.INT64, shape: ['batch', 'sequence'] };
const mask: OnnxValueInfo = { name: 'attention_mask', elemType: OnnxDataType.INT64, shape: ['batch', 'sequence'] };

/**
 * Shaped like torch.onnx's BERT exports: weights stored transposed as initializers feeding MatMul, scalars
 * as Constant nodes, the mask cast to float, an Erf GELU, a decoder tied to the word embeddings through
 * Transpose (so that table is read by Gather and, folded, by a MatMul), and the position ids built by a
 * Cast → Min → Cast chain on the shape (Min stays float32 in float16 conversion).
 */
export function torchLike(): OnnxModel {
  const g = new OnnxGraphBuilder();
  const vocab = 20;
  const emb = g.constant(
    'embeddings.word_embeddings.weight',
    OnnxDataType.FLOAT,
    [vocab, H],
    f32(seeded(vocab * H, 1)),
  );
  const constant = (name: string, value: number) =>
    g.op(
      'Constant',
      [],
      { value: { kind: 'tensor', value: { name, dataType: OnnxDataType.FLOAT, dims: [], raw: f32([value]) } } },
      name,
    );
  const x = g.op('Gather', [emb, 'input_ids'], { axis: { kind: 'int', value: 0 } });
  // Sequence length clamped by a float Min on the shape, as torch's position-id export writes it.
  const len = g.op('Cast', [g.op('Shape', ['input_ids'])], { to: { kind: 'int', value: OnnxDataType.FLOAT } });
  const limit = g.constant('max_positions', OnnxDataType.FLOAT, [2], f32([64, 64]));
  const clamped = g.op('Cast', [g.op('Min', [len, limit])], { to: { kind: 'int', value: OnnxDataType.INT64 } });
  const seqLen = g.op('Slice', [
    clamped,
    g.constant('one', OnnxDataType.INT64, [1], i64([1])),
    g.constant('two', OnnxDataType.INT64, [1], i64([2])),
  ]);
  const positions = g.constant(
    'embeddings.position_embeddings.weight',
    OnnxDataType.FLOAT,
    [64, H],
    f32(seeded(64 * H, 2, 0.1)),
  );
  const pos = g.op('Slice', [
    positions,
    g.constant('zero', OnnxDataType.INT64, [1], i64([0])),
    seqLen,
    g.constant('axis0', OnnxDataType.INT64, [1], i64([0])),
  ]);
  let h = g.op('Add', [x, pos]);
  const maskBias = g.op('Mul', [
    g.op('Sub', [
      constant('one_f', 1),
      g.op('Cast', ['attention_mask'], { to: { kind: 'int', value: OnnxDataType.FLOAT } }),
    ]),
    constant('neg', -10000),
  ]);
  const w1 = g.constant('encoder.dense.weight_transposed', OnnxDataType.FLOAT, [H, H], f32(seeded(H * H, 3, 0.5)));
  const b1 = g.constant('encoder.dense.bias', OnnxDataType.FLOAT, [H], f32(seeded(H, 4, 0.1)));
  h = g.op('Add', [g.op('MatMul', [h, w1]), b1]);
  const gelu = g.op('Mul', [
    g.op('Mul', [
      h,
      g.op('Add', [g.op('Erf', [g.op('Div', [h, constant('sqrt2', Math.SQRT2)])]), constant('one_g', 1)]),
    ]),
    constant('half', 0.5),
  ]);
  // Scores of each position against the first: an activation × activation MatMul (never quantized).
  const scores = g.op('MatMul', [gelu, g.op('Transpose', [gelu], { perm: { kind: 'ints', value: [0, 2, 1] } })]);
  g.opTo(
    'Add',
    [scores, g.op('Unsqueeze', [maskBias, g.constant('axes1', OnnxDataType.INT64, [1], i64([1]))])],
    'scores',
  );
  const decoder = g.op('Transpose', [emb], { perm: { kind: 'ints', value: [1, 0] } });
  g.opTo('MatMul', [gelu, decoder], 'prediction_scores');
  return model(
    g,
    'torch_like',
    [ids, mask],
    [
      { name: 'prediction_scores', elemType: OnnxDataType.FLOAT, shape: ['batch', 'sequence', vocab] },
      { name: 'scores', elemType: OnnxDataType.FLOAT, shape: ['batch', 'sequence', 'sequence'] },
    ],
  );
}

/**
 * Shaped like tf2onnx / keras2onnx output: kernels read through Identity (ReadVariableOp), a kernel stored
 * [1, H, H] and Reshape'd to [H, H], a float16 kernel Cast to float (mixed-precision Keras), one kernel
 * shared by two MatMuls, a bias read by both an Add and a MatMul, and a Gemm head (left float32).
 */
export function tfLike(): OnnxModel {
  const g = new OnnxGraphBuilder();
  const x = 'features';
  const read = g.op(
    'Identity',
    [g.constant('dense/kernel', OnnxDataType.FLOAT, [H, H], f32(seeded(H * H, 5, 0.5)))],
    undefined,
    'dense/MatMul/ReadVariableOp',
  );
  const a = g.op('MatMul', [x, read], undefined, 'dense/MatMul');
  const k3 = g.constant('dense_1/kernel', OnnxDataType.FLOAT, [1, H, H], f32(seeded(H * H, 6, 0.5)));
  const b = g.op(
    'MatMul',
    [a, g.op('Reshape', [k3, g.constant('dense_1/shape', OnnxDataType.INT64, [2], i64([H, H]))])],
    undefined,
    'dense_1/MatMul',
  );
  const k16 = g.constant(
    'dense_2/kernel_fp16',
    OnnxDataType.FLOAT16,
    [H, H],
    new Uint8Array(toFloat16Array(seeded(H * H, 7, 0.5)).buffer),
  );
  const c = g.op(
    'MatMul',
    [b, g.op('Cast', [k16], { to: { kind: 'int', value: OnnxDataType.FLOAT } })],
    undefined,
    'dense_2/MatMul',
  );
  const shared = g.constant('shared/kernel', OnnxDataType.FLOAT, [H, H], f32(seeded(H * H, 8, 0.5)));
  const d = g.op('MatMul', [c, shared], undefined, 'shared/MatMul');
  const e = g.op('MatMul', [c, shared], undefined, 'shared_1/MatMul');
  // A kernel also read by another op (its column means as the bias): quantized for the MatMul, kept for ReduceMean.
  const square = g.constant('square/kernel', OnnxDataType.FLOAT, [H, H], f32(seeded(H * H, 9, 0.5)));
  const bias = g.op('ReduceMean', [square], {
    axes: { kind: 'ints', value: [0] },
    keepdims: { kind: 'int', value: 0 },
  });
  const f = g.op(
    'Add',
    [g.op('MatMul', [g.op('Add', [d, e]), square], undefined, 'square/MatMul'), bias],
    undefined,
    'square/BiasAdd',
  );
  const head = g.constant('head/kernel', OnnxDataType.FLOAT, [2, H], f32(seeded(2 * H, 10, 0.5)));
  g.opTo(
    'Gemm',
    [g.op('ReduceMean', [f], { axes: { kind: 'ints', value: [1] }, keepdims: { kind: 'int', value: 0 } }), head],
    'logits',
    { transB: { kind: 'int', value: 1 } },
  );
  return model(
    g,
    'tf_like',
    [{ name: x, elemType: OnnxDataType.FLOAT, shape: ['batch', 4, H] }],
    [{ name: 'logits', elemType: OnnxDataType.FLOAT, shape: ['batch', 2] }],
  );
}
