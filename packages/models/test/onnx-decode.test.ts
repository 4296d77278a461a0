import { existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath, thrown } from '@bert-parity/core/testing';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import {
  decodeOnnxModel,
  EXTERNAL_DATA_ALIGNMENT,
  encodeOnnxModel,
  loadModelSync,
  OnnxDataType,
  type OnnxModel,
  PROTOBUF_MAX_BYTES,
  readOnnxModelFile,
  writeOnnxFile,
} from '../src/index.ts';
import { tempDir, tinyOnnxModel } from './helpers/tiny.ts';

const { onnx } = onnxProto;
const ORT_TOY = sharedPath('models/ort-bert_toy_optimized.onnx');

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const roundTrip = (m: OnnxModel) => decodeOnnxModel(encodeOnnxModel(m), 'mem.onnx').model;

/** A model with every attribute kind, a nested graph reading an outer value, unknown dims and rank. */
function richModel(): OnnxModel {
  const f32 = (v: number[]) => bytesOf(new Float32Array(v));
  const branch = (name: string, value: number) => ({
    name,
    inputs: [],
    outputs: [{ name: `${name}_out`, elemType: OnnxDataType.FLOAT, shape: [2] }],
    initializers: [{ name: `${name}_c`, dataType: OnnxDataType.FLOAT, dims: [2], raw: f32([value, value]) }],
    nodes: [{ name: `${name}_add`, opType: 'Add', inputs: ['x', `${name}_c`], outputs: [`${name}_out`] }],
  });
  return {
    irVersion: 8,
    opsetVersion: 17,
    opsetImports: [{ domain: 'com.microsoft', version: 1 }],
    producerName: 'test',
    producerVersion: '2',
    graphName: 'rich',
    docString: 'doc',
    inputs: [
      { name: 'x', elemType: OnnxDataType.FLOAT, shape: [2] },
      { name: 'flag', elemType: OnnxDataType.BOOL, shape: null },
      { name: 'ids', elemType: OnnxDataType.INT64, shape: ['batch', null] },
    ],
    outputs: [{ name: 'y', elemType: OnnxDataType.FLOAT, shape: [2] }],
    initializers: [],
    valueInfo: [{ name: 'k', elemType: OnnxDataType.FLOAT16, shape: [1] }],
    nodes: [
      {
        name: 'k',
        opType: 'Constant',
        inputs: [],
        outputs: ['k'],
        attributes: {
          value: {
            kind: 'tensor',
            value: { name: 'k_t', dataType: OnnxDataType.FLOAT16, dims: [1], raw: bytesOf(new Uint16Array([0x3c00])) },
          },
        },
      },
      {
        name: 'odd',
        opType: 'Fancy',
        domain: 'com.microsoft',
        inputs: ['x', 'k'],
        outputs: ['fancy'],
        docString: 'custom',
        attributes: {
          i: { kind: 'int', value: 9223372036854775807n },
          is: { kind: 'ints', value: [-1, 9223372036854775807n] },
          f: { kind: 'float', value: 0.5 },
          fs: { kind: 'floats', value: [1.5, -2] },
          s: { kind: 'string', value: 'héllo' },
          ss: { kind: 'strings', value: ['a', 'ß'] },
          ts: {
            kind: 'tensors',
            value: [{ name: 't', dataType: OnnxDataType.INT8, dims: [2], raw: new Uint8Array([1, 255]) }],
          },
        },
      },
      {
        name: 'if',
        opType: 'If',
        inputs: ['flag'],
        outputs: ['y'],
        attributes: {
          then_branch: { kind: 'graph', value: branch('then', 1) },
          else_branch: { kind: 'graph', value: branch('else', -1) },
        },
      },
    ],
    metadata: { a: 'b' },
  };
}

describe('decodeOnnxModel', () => {
  it('gives back what encodeOnnxModel wrote: attributes of every kind, subgraphs, domains, dims, metadata', () => {
    expect(roundTrip(richModel())).toEqual(richModel());
    expect(roundTrip(tinyOnnxModel())).toEqual(tinyOnnxModel());
  });

  it('reads typed TensorProto fields (float_data, double_data, int64_data, int32_data, uint64_data) as raw bytes', () => {
    const bytes = onnx.ModelProto.encode({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        initializer: [
          { name: 'f', dataType: 1, dims: [2], floatData: [1.5, -2] },
          { name: 'd', dataType: 11, dims: [1], doubleData: [0.1] },
          { name: 'l', dataType: 7, dims: [2], int64Data: [-1, 5] },
          { name: 'h', dataType: 10, dims: [2], int32Data: [0x3c00, 0xc000] },
          { name: 'b', dataType: 3, dims: [2], int32Data: [-1, 7] },
          { name: 'u', dataType: 12, dims: [1], uint64Data: [4294967295] },
          { name: 'e', dataType: 1, dims: [0] },
        ],
        output: [{ name: 'f', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } }],
      },
    }).finish();
    const raw = Object.fromEntries(
      decodeOnnxModel(bytes, 'typed.onnx').model.initializers.map((t) => [t.name, [...t.raw]]),
    );
    expect(raw).toEqual({
      f: [...bytesOf(new Float32Array([1.5, -2]))],
      d: [...bytesOf(new Float64Array([0.1]))],
      l: [...bytesOf(new BigInt64Array([-1n, 5n]))],
      h: [...bytesOf(new Uint16Array([0x3c00, 0xc000]))],
      b: [255, 7],
      u: [255, 255, 255, 255],
      e: [],
    });
  });

  it('refuses typed data whose count disagrees with the dims, and string tensors, with coded errors', () => {
    const model = (initializer: Record<string, unknown>) =>
      onnx.ModelProto.encode({
        irVersion: 7,
        opsetImport: [{ version: 13 }],
        graph: { name: 'g', initializer: [initializer] },
      }).finish();
    const short = thrown(() =>
      decodeOnnxModel(model({ name: 'w', dataType: 1, dims: [3], floatData: [1, 2] }), 'short.onnx'),
    );
    expect([short.code, short.message]).toEqual([
      'E_MODEL_CORRUPT',
      'ONNX file short.onnx: initializer w has 2 values in float_data; dims [3] need 3',
    ]);
    const raw = thrown(() =>
      decodeOnnxModel(model({ name: 'w', dataType: 1, dims: [3], rawData: new Uint8Array(8) }), 'raw.onnx'),
    );
    expect(raw.message).toBe('ONNX file raw.onnx: initializer w has 8 bytes of raw_data; dims [3] of FLOAT need 12');
    const text = thrown(() =>
      decodeOnnxModel(model({ name: 's', dataType: 8, dims: [1], stringData: [new Uint8Array([97])] }), 's.onnx'),
    );
    expect([text.code, text.message]).toEqual([
      'E_MODEL_UNSUPPORTED',
      'ONNX file s.onnx: initializer s has element type STRING; expected a numeric or bool tensor',
    ]);
  });

  it('reads a real torch.onnx export whole: Constant tensors, 94 initializers, nodes in the file order', (ctx) => {
    if (!existsSync(ORT_TOY)) ctx.skip(`${ORT_TOY} is absent (../shared/models is not committed)`);
    const { model, externalFiles } = readOnnxModelFile(ORT_TOY);
    expect(externalFiles).toEqual([]);
    expect([model.irVersion, model.opsetVersion, model.producerName]).toEqual([4, 12, 'pytorch']);
    expect(model.initializers).toHaveLength(94);
    expect(model.nodes).toHaveLength(384);
    const constant = model.nodes.find((n) => n.name === 'op_min_node_10');
    expect(constant?.attributes?.value).toEqual({
      kind: 'tensor',
      value: expect.objectContaining({ dataType: OnnxDataType.FLOAT, dims: [2] }),
    });
    // The exporter appended the position-id subgraph after its consumer: ONNX requires sorted nodes, and the
    // writer says which value is read before it is defined instead of writing a file runtimes may refuse.
    const e = thrown(() => encodeOnnxModel(model));
    expect([e.code, e.message]).toEqual([
      'E_MODEL_WRITE',
      'ONNX node Expand_9 (Expand) reads from_slice_01, which nothing defines before it',
    ]);
  });
});

describe('external data', () => {
  it('writes large initializers to one aligned data file that the reader and decoder read back', () => {
    const dir = tempDir();
    const big = bytesOf(Float32Array.from({ length: 600 }, (_, i) => i / 7));
    const model: OnnxModel = {
      ...tinyOnnxModel(),
      initializers: [
        ...tinyOnnxModel().initializers,
        { name: 'big_a', dataType: OnnxDataType.FLOAT, dims: [600], raw: big },
        { name: 'big_b', dataType: OnnxDataType.FLOAT, dims: [600], raw: big.slice().reverse() },
      ],
    };
    const path = join(dir, 'model.onnx');
    const written = writeOnnxFile(path, model, { externalData: { location: 'model.onnx_data' } });
    expect(written.files.map((f) => [f.path, f.bytes])).toEqual([
      [path, statSync(path).size],
      [join(dir, 'model.onnx_data'), EXTERNAL_DATA_ALIGNMENT + 2400],
    ]);
    expect(statSync(join(dir, 'model.onnx_data')).size).toBe(EXTERNAL_DATA_ALIGNMENT + 2400);
    const stored = onnx.ModelProto.decode(readFileSync(path)).graph?.initializer?.find((t) => t.name === 'big_b');
    expect(stored?.externalData?.map((e) => [e.key, e.value])).toEqual([
      ['location', 'model.onnx_data'],
      ['offset', String(EXTERNAL_DATA_ALIGNMENT)],
      ['length', '2400'],
    ]);
    const decoded = readOnnxModelFile(path);
    expect(decoded.externalFiles).toEqual([join(dir, 'model.onnx_data')]);
    expect(decoded.model).toEqual(model);
    const artifact = loadModelSync(path);
    expect(artifact.files).toEqual([
      { path, bytes: statSync(path).size },
      { path: join(dir, 'model.onnx_data'), bytes: EXTERNAL_DATA_ALIGNMENT + 2400 },
    ]);
    expect(artifact.precisionEvidence[0]).toBe('initializers: FLOAT 4880 B');
  });

  it('refuses external data whose length disagrees with the dims', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'w.bin'), new Uint8Array(12));
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ version: 13 }],
      graph: {
        name: 'g',
        initializer: [
          {
            name: 'w',
            dataType: 1,
            dims: [2],
            dataLocation: 1,
            externalData: [
              { key: 'location', value: 'w.bin' },
              { key: 'length', value: '12' },
            ],
          },
        ],
      },
    }).finish();
    writeFileSync(join(dir, 'm.onnx'), bytes);
    const want = `ONNX file ${join(dir, 'm.onnx')}: initializer w has 12 bytes of external data; dims [2] of FLOAT need 8`;
    for (const e of [
      thrown(() => loadModelSync(join(dir, 'm.onnx'))),
      thrown(() => readOnnxModelFile(join(dir, 'm.onnx'))),
    ]) {
      expect([e.code, e.message]).toEqual(['E_MODEL_CORRUPT', want]);
    }
  });

  it("refuses a file over protobuf's 2 GiB limit before reading it, naming external data as the fix", () => {
    const path = join(tempDir(), 'huge.onnx');
    writeFileSync(path, new Uint8Array([0x08, 0x07, 0x12, 0x00]));
    truncateSync(path, PROTOBUF_MAX_BYTES + 1); // sparse: no disk space used
    const want = `ONNX file ${path} has ${PROTOBUF_MAX_BYTES + 1} bytes, over protobuf's limit of ${PROTOBUF_MAX_BYTES} for one ModelProto; expected the weights in an external data file (onnx.save_model(..., save_as_external_data=True))`;
    for (const e of [thrown(() => loadModelSync(path)), thrown(() => readOnnxModelFile(path))]) {
      expect([e.code, e.message]).toEqual(['E_MODEL_CORRUPT', want]);
    }
  });
});

describe('encodeOnnxModel', () => {
  it('lists initializers among the inputs for IR < 4, as that IR requires', () => {
    const m = { ...tinyOnnxModel(), irVersion: 3 };
    const inputs = onnx.ModelProto.decode(encodeOnnxModel(m)).graph?.input?.map((i) => i.name);
    expect(inputs).toEqual(['input_ids', ...m.initializers.map((t) => t.name)]);
    expect(roundTrip(m).inputs).toEqual(m.inputs);
  });
});
