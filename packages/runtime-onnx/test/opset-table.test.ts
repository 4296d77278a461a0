import { encodeOnnxModel, OnnxDataType, OnnxGraphBuilder, parseTarget } from '@bert-parity/models';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';

/** y = x·w, valid at every opset since 13 (MatMul has not changed since). */
function matmulAt(opset: number): Uint8Array {
  const g = new OnnxGraphBuilder();
  const w = g.constant('w', OnnxDataType.FLOAT, [2, 2], new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer));
  g.opTo('MatMul', ['x', w], 'y');
  return encodeOnnxModel({
    irVersion: 10,
    opsetVersion: opset,
    producerName: 'bert-parity test',
    producerVersion: '1',
    graphName: 'g',
    inputs: [{ name: 'x', elemType: OnnxDataType.FLOAT, shape: [1, 2] }],
    outputs: [{ name: 'y', elemType: OnnxDataType.FLOAT, shape: [1, 2] }],
    initializers: g.initializers,
    nodes: g.nodes,
  });
}

describe("inspect's onnxruntime opset table against the installed onnxruntime-node", () => {
  const version = ort.env.versions.common;
  const max = parseTarget(`onnxruntime@${version}`).maxOpset as number;

  it(`onnxruntime-node ${version} runs a model stamped opset ${max}, the table's value for it`, async () => {
    const session = await ort.InferenceSession.create(matmulAt(max));
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 1]), [1, 2]) });
    expect(Array.from(out.y?.data as Float32Array)).toEqual([4, 6]);
    await session.release();
  });

  it(`and says its official support ends at opset ${max} for a model stamped ${max + 1}`, async () => {
    const error = await ort.InferenceSession.create(matmulAt(max + 1)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(
      `Opset ${max + 1} is under development and support for this is limited. The operator schemas and or other functionality may change before next ONNX release and in this case ONNX Runtime will not guarantee backward compatibility. Current official support for domain ai.onnx is till opset ${max}.`,
    );
  });
});
