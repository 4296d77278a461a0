import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  BuiltinOperator,
  encodeOnnxModel,
  encodeTfliteModel,
  OnnxDataType,
  OnnxGraphBuilder,
  type OnnxModel,
  TfliteGraphBuilder,
  type TfliteModel,
  TfliteTensorType,
  writeTfjsGraphModel,
} from '../../src/index.ts';

const f32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);

/** ids [1, 4] int32 (dynamic sequence) → GATHER from a [rows, 2] table → GELU; signature optional. */
export function tinyTfliteModel(
  options: {
    rows?: number;
    signature?: boolean;
    gelu?: { builtin: number; version: number } | { custom: string; version: number };
  } = {},
): TfliteModel {
  const rows = options.rows ?? 10;
  const g = new TfliteGraphBuilder();
  const ids = g.tensors.length;
  g.tensors.push({
    name: 'serving_default_input_ids:0',
    type: TfliteTensorType.INT32,
    shape: [1, 4],
    shapeSignature: [1, -1],
  });
  const table = g.tensor('word_embeddings', TfliteTensorType.INT8, [rows, 2], {
    data: new Uint8Array(rows * 2).fill(3),
    quantization: { scale: Array(rows).fill(0.5), zeroPoint: Array(rows).fill(0), quantizedDimension: 0 },
  });
  const deq = g.op({ builtin: BuiltinOperator.DEQUANTIZE, version: 2 }, [table], {
    name: 'table_f',
    type: TfliteTensorType.FLOAT32,
    shape: [rows, 2],
  });
  const gathered = g.op({ builtin: BuiltinOperator.GATHER, version: 1 }, [deq, ids], {
    name: 'gathered',
    type: TfliteTensorType.FLOAT32,
    shape: [1, 4, 2],
  });
  const out = g.op(options.gelu ?? { builtin: BuiltinOperator.GELU, version: 1 }, [gathered], {
    name: 'hidden',
    type: TfliteTensorType.FLOAT32,
    shape: [1, 4, 2],
  });
  return {
    description: 'tiny',
    subgraphName: 'main',
    tensors: g.tensors,
    inputs: [ids],
    outputs: [out],
    operators: g.operators,
    signatures:
      options.signature === false
        ? []
        : [
            {
              key: 'serving_default',
              inputs: [{ name: 'input_ids', tensor: ids }],
              outputs: [{ name: 'last_hidden_state', tensor: out }],
            },
          ],
    metadata: [{ name: 'min_runtime_version', data: new TextEncoder().encode('2.9.0\0\0\0\0\0\0\0\0\0\0\0') }],
  };
}

export const tinyTflite = (options?: Parameters<typeof tinyTfliteModel>[0]) =>
  encodeTfliteModel(tinyTfliteModel(options));

/** input_ids int64 [batch, sequence] → Gather from a [rows, 2] float table → Relu. */
export function tinyOnnxModel(rows = 10): OnnxModel {
  const g = new OnnxGraphBuilder();
  const table = g.constant('word_embeddings', OnnxDataType.FLOAT, [rows, 2], f32(Array(rows * 2).fill(1)));
  const gathered = g.op('Gather', [table, 'input_ids'], { axis: { kind: 'int', value: 0 } });
  g.opTo('Relu', [gathered], 'last_hidden_state');
  return {
    irVersion: 7,
    opsetVersion: 13,
    producerName: 'test',
    producerVersion: '1',
    graphName: 'tiny',
    inputs: [{ name: 'input_ids', elemType: OnnxDataType.INT64, shape: ['batch', 'sequence'] }],
    outputs: [{ name: 'last_hidden_state', elemType: OnnxDataType.FLOAT, shape: ['batch', 'sequence', 2] }],
    initializers: g.initializers,
    nodes: g.nodes,
  };
}

export const tinyOnnx = (rows?: number) => encodeOnnxModel(tinyOnnxModel(rows));

/** A tfjs graph model folder in a temp dir; returns the model.json path. */
export function tinyTfjsDir(quantize?: 'float16'): string {
  const art = writeTfjsGraphModel({
    generatedBy: 'test',
    convertedBy: 'test',
    nodes: [
      { name: 'input_ids', op: 'Placeholder', attr: { dtype: { type: 'DT_INT32' } } },
      { name: 'gathered', op: 'GatherV2', input: ['table', 'input_ids', 'axis'] },
      { name: 'Identity', op: 'Identity', input: ['gathered'] },
    ],
    weights: [
      quantize === 'float16'
        ? {
            name: 'table',
            shape: [10, 2],
            dtype: 'float32',
            data: new Uint8Array(40),
            quantization: { dtype: 'float16' },
          }
        : { name: 'table', shape: [10, 2], dtype: 'float32', data: f32(Array(20).fill(1)) },
      { name: 'axis', shape: [], dtype: 'int32', data: new Uint8Array(4) },
    ],
    signature: {
      inputs: { input_ids: { name: 'input_ids:0', dtype: 'DT_INT32', shape: [-1, -1] } },
      outputs: { last_hidden_state: { name: 'Identity:0', dtype: 'DT_FLOAT', shape: [-1, -1, 2] } },
    },
  });
  const dir = tempDir();
  writeFileSync(join(dir, 'model.json'), art.modelJson);
  for (const s of art.shards) writeFileSync(join(dir, s.path), s.bytes);
  return join(dir, 'model.json');
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bp-models-'));
}

export function writeFiles(dir: string, files: Record<string, Uint8Array | string>): void {
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), data);
  }
}
