import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { thrown } from '@bert-parity/core/testing';
import { Builder } from 'flatbuffers';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import {
  detectFormat,
  factsOf,
  inspectFindings,
  loadModelSync,
  parseTarget,
  readModelBytes,
  readTfliteFile,
  type TfjsFacts,
  type TfliteFacts,
} from '../src/index.ts';
import { tempDir, tinyOnnx, tinyTfjsDir, tinyTflite, writeFiles } from './helpers/tiny.ts';

describe('TFLite reader', () => {
  it('reads signature, shape_signature, quantization, opcodes, metadata and the embedding table', () => {
    const a = readModelBytes(tinyTflite(), 'tiny.tflite');
    expect(a.format).toBe('tflite');
    expect(a.signature).toEqual({
      key: 'serving_default',
      inputs: [{ name: 'input_ids', dtype: 'int32', shape: [1, null] }],
      outputs: [{ name: 'last_hidden_state', dtype: 'float32', shape: [1, 4, 2] }],
    });
    expect(a.precision).toBe('int8');
    expect(a.ops).toEqual([
      { name: 'DEQUANTIZE', version: 2, count: 1 },
      { name: 'GATHER', version: 1, count: 1 },
      { name: 'GELU', version: 1, count: 1 },
    ]);
    const t = a.metadata.tflite as TfliteFacts;
    expect(t.minRuntimeVersion).toBe('2.9.0');
    // GELU (150) is written as deprecated 127 + builtin_code 150; the real code is the larger one.
    expect(t.opcodes[2]).toMatchObject({ code: 150, deprecatedBuiltinCode: 127, builtinCode: 150 });
    expect(t.dynamicIo).toEqual(['serving_default_input_ids:0']);
    expect(factsOf(a).embedding).toEqual({
      table: 'word_embeddings',
      rows: 10,
      op: 'GATHER',
      ids: 'serving_default_input_ids:0',
    });
    const file = readTfliteFile(tinyTflite(), 'tiny.tflite');
    expect(file.subgraphs[0]?.tensors[1]?.quantization).toEqual({
      scale: Array(10).fill(0.5),
      zeroPoint: Array(10).fill(0),
      quantizedDimension: 0,
    });
  });

  it('reports missing signatures, too-new ops and out-of-range codes against a target', () => {
    const codes = (bytes: Uint8Array, target?: string) =>
      inspectFindings(readModelBytes(bytes, 'm.tflite'), target ? { target: parseTarget(target) } : {}).map(
        (f) => `${f.severity}:${f.code}`,
      );
    expect(codes(tinyTflite({ signature: false }))).toEqual(['warning:TFLITE_NO_SIGNATURE']);
    expect(codes(tinyTflite(), 'tflite@2.4')).toEqual([
      'error:TFLITE_BUILTIN_OUT_OF_RANGE',
      'error:TFLITE_MIN_RUNTIME',
    ]);
    expect(codes(tinyTflite(), 'tflite@2.9')).toEqual([]);
    expect(codes(tinyTflite({ gelu: { builtin: 150, version: 3 } }))).toEqual(['error:TFLITE_OP_VERSION']);
    // Custom ops: the four stock TFLite registers pass; any other is an error naming it.
    for (const custom of ['NumericVerify', 'Mfcc', 'AudioSpectrogram', 'TFLite_Detection_PostProcess']) {
      expect(codes(tinyTflite({ gelu: { custom, version: 1 } })), custom).toEqual([]);
    }
    expect(codes(tinyTflite({ gelu: { custom: 'FastBertNormalize', version: 1 } }))).toEqual(['error:CUSTOM_OP']);
    expect(codes(tinyTflite(), 'litert@2.5.3')).toEqual(['error:DYNAMIC_SHAPE_FIXED_RUNTIME']);
    expect(codes(tinyTflite(), 'onnxruntime@1.30')).toEqual(['error:TARGET_FORMAT']);
  });

  it('reads buffers stored after the flatbuffer (offset/size) and refuses ones past the end', () => {
    const build = (offset: bigint, size: bigint) => {
      const b = new Builder(256);
      const buffer = (fields: () => void) => {
        b.startObject(3);
        fields();
        return b.endObject();
      };
      const empty = buffer(() => {});
      const big = buffer(() => {
        b.addFieldInt64(1, offset, 0n);
        b.addFieldInt64(2, size, 0n);
      });
      const offsets = (list: number[]) => {
        b.startVector(4, list.length, 4);
        for (const o of [...list].reverse()) b.addOffset(o);
        return b.endVector();
      };
      const buffers = offsets([empty, big]);
      b.startObject(5);
      const subgraph = b.endObject();
      const subgraphs = offsets([subgraph]);
      b.startObject(8);
      b.addFieldInt32(0, 3, 0);
      b.addFieldOffset(2, subgraphs, 0);
      b.addFieldOffset(4, buffers, 0);
      b.finish(b.endObject(), 'TFL3');
      const fb = b.asUint8Array();
      const file = new Uint8Array(fb.byteLength + 32);
      file.set(fb);
      return { file, dataAt: fb.byteLength };
    };
    const ok = build(2n, 1n); // same layout, so its length says where the trailing data starts
    const inside = build(BigInt(ok.dataAt), 32n);
    expect(readTfliteFile(inside.file, 'big.tflite').buffers[1]).toEqual({
      start: inside.dataAt,
      size: 32,
      external: true,
    });
    const past = build(BigInt(ok.dataAt), 33n);
    const e = thrown(() => readTfliteFile(past.file, 'big.tflite'));
    expect(e.code).toBe('E_MODEL_CORRUPT');
    expect(e.message).toBe(
      `TFLite file big.tflite: buffer 1 points at bytes ${ok.dataAt}..${ok.dataAt + 33}; the file has ${past.file.byteLength}`,
    );
  });
});

describe('ONNX reader', () => {
  it('reads dim_param as null with its name, the opset and the embedding rows', () => {
    const a = readModelBytes(tinyOnnx(), 'tiny.onnx');
    expect(a.signature).toEqual({
      inputs: [{ name: 'input_ids', dtype: 'int64', shape: [null, null], dimNames: ['batch', 'sequence'] }],
      outputs: [
        { name: 'last_hidden_state', dtype: 'float32', shape: [null, null, 2], dimNames: ['batch', 'sequence', null] },
      ],
    });
    expect(a.ops).toEqual([
      { name: 'Gather', domain: 'ai.onnx', version: 13, count: 1 },
      { name: 'Relu', domain: 'ai.onnx', version: 13, count: 1 },
    ]);
    expect(factsOf(a).embedding?.rows).toBe(10);
    const findings = inspectFindings(a, { vocabSize: 11, vocabSource: 'vocab.txt' });
    expect(findings).toEqual([
      {
        code: 'EMBEDDING_SMALLER_THAN_VOCAB',
        severity: 'error',
        message:
          'embedding table word_embeddings has 10 rows but vocab.txt has 11 ids: ids ≥ 10 fail in Gather ("gather index out of bounds")',
        hint: 'use the vocabulary the model was trained with, or export the model with the full embedding table',
      },
    ]);
    expect(inspectFindings(a, { vocabSize: 10 })).toEqual([]);
  });

  it('checks external data: inside the folder, present, long enough', () => {
    const { onnx } = onnxProto;
    const model = (location: string, length: number) =>
      onnx.ModelProto.encode({
        irVersion: 8,
        opsetImport: [
          { domain: '', version: 17 },
          { domain: 'com.example', version: 1 },
        ],
        graph: {
          name: 'g',
          node: [{ opType: 'Fancy', domain: 'com.example', input: ['x', 'w'], output: ['y'] }],
          initializer: [
            {
              name: 'w',
              dataType: 1,
              dims: [2],
              dataLocation: 1,
              externalData: [
                { key: 'location', value: location },
                { key: 'offset', value: '0' },
                { key: 'length', value: String(length) },
              ],
            },
          ],
          input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } }],
          output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } }],
        },
      }).finish();
    const dir = tempDir();
    writeFiles(dir, {
      'weights.bin': new Uint8Array(8),
      'ok.onnx': model('weights.bin', 8),
      'long.onnx': model('weights.bin', 9),
    });
    writeFiles(dir, { 'escape.onnx': model('../weights.bin', 8), 'missing.onnx': model('nope.bin', 8) });
    const a = loadModelSync(join(dir, 'ok.onnx'));
    expect(a.files.map((f) => f.bytes)).toEqual([readFileSync(join(dir, 'ok.onnx')).byteLength, 8]);
    expect(inspectFindings(a).map((f) => f.code)).toEqual(['CUSTOM_OP']);
    const refused = (file: string) => {
      const e = thrown(() => loadModelSync(join(dir, file)));
      return [e.code, e.message];
    };
    expect(refused('escape.onnx')).toEqual([
      'E_MODEL_READ',
      `ONNX file ${join(dir, 'escape.onnx')}: initializer w points at external data "../weights.bin", outside the model folder ${dir}`,
    ]);
    expect(refused('missing.onnx')).toEqual([
      'E_MODEL_READ',
      `ONNX file ${join(dir, 'missing.onnx')}: external data nope.bin of initializer w does not exist`,
    ]);
    expect(refused('long.onnx')).toEqual([
      'E_MODEL_READ',
      `ONNX file ${join(dir, 'long.onnx')}: initializer w reads bytes 0+9 of weights.bin, which has 8`,
    ]);
  });
});

describe('TF.js reader', () => {
  it('reads the signature, manifest quantization and shards', () => {
    const a = loadModelSync(tinyTfjsDir('float16'));
    expect(a.format).toBe('tfjs-graph');
    expect(a.precision).toBe('float16');
    expect(a.signature).toEqual({
      inputs: [{ name: 'input_ids', dtype: 'int32', shape: [null, null] }],
      outputs: [{ name: 'last_hidden_state', dtype: 'float32', shape: [null, null, 2] }],
    });
    expect((a.metadata.tfjs as TfjsFacts).quantization).toEqual(['float16']);
    expect(factsOf(a).embedding).toEqual({ table: 'table', rows: 10, op: 'GatherV2', ids: 'input_ids' });
  });

  it('refuses weight paths outside the folder and shards of the wrong size', () => {
    const path = tinyTfjsDir();
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.weightsManifest[0].paths = ['../../etc/passwd'];
    writeFileSync(path, JSON.stringify(json));
    const outside = thrown(() => loadModelSync(path));
    expect([outside.code, outside.message]).toEqual([
      'E_MODEL_READ',
      `TF.js model ${path}: weight path "../../etc/passwd" escapes the model folder ${dirname(path)}; shards must sit beside model.json`,
    ]);
    const path2 = tinyTfjsDir();
    writeFileSync(join(path2, '..', 'group1-shard1of1.bin'), new Uint8Array(3));
    expect(thrown(() => loadModelSync(path2)).message).toBe(
      `TF.js model ${path2}: weightsManifest[0] shards hold 3 bytes; its 2 weights need 84`,
    );
  });
});

describe('format detection and Hugging Face folders', () => {
  it('detects by content, not extension', () => {
    expect(detectFormat(tinyTflite())).toBe('tflite');
    expect(detectFormat(tinyOnnx())).toBe('onnx');
    expect(detectFormat(new TextEncoder().encode('{"format":"graph-model","modelTopology":{}}'))).toBe('tfjs-graph');
    expect(detectFormat(new TextEncoder().encode('hello'))).toBeUndefined();
    const dir = tempDir();
    writeFiles(dir, { 'model.onnx': tinyTflite(), 'empty.bin': new Uint8Array(0) });
    expect(loadModelSync(join(dir, 'model.onnx')).format).toBe('tflite');
    const e = thrown(() => loadModelSync(join(dir, 'empty.bin')));
    expect(e.code).toBe('E_MODEL_FORMAT');
    expect(e.message).toBe(
      `${join(dir, 'empty.bin')} is not a model this tool reads (first bytes none: the file is empty); expected ONNX (ModelProto), TFLite ("TFL3" at byte 4), a TF.js model.json or a Hugging Face folder`,
    );
    const absent = thrown(() => loadModelSync(join(dir, 'absent.onnx')));
    expect([absent.code, absent.message]).toEqual([
      'E_MODEL_READ',
      `cannot read model ${join(dir, 'absent.onnx')}: ENOENT`,
    ]);
  });

  it('reads config, tokenizer files and onnx/model*.onnx, and checks vocab.txt against the embedding', () => {
    const dir = tempDir();
    const vocab = `${Array.from({ length: 12 }, (_, i) => `t${i}`).join('\n')}\n`;
    writeFiles(dir, {
      'config.json': JSON.stringify({ model_type: 'bert', vocab_size: 12, architectures: ['BertModel'] }),
      'vocab.txt': vocab,
      'tokenizer.json': '{}',
      'onnx/model.onnx': tinyOnnx(),
      'onnx/model_quantized.onnx': tinyOnnx(12),
    });
    const a = loadModelSync(dir);
    expect(a.format).toBe('hf-dir');
    expect(a.metadata.hf).toEqual({
      modelType: 'bert',
      architectures: ['BertModel'],
      vocabSize: 12,
      vocabTxtSize: 12,
      tokenizerFiles: ['tokenizer.json', 'vocab.txt'],
      onnxVariants: [
        { file: 'onnx/model.onnx', bytes: tinyOnnx().byteLength },
        { file: 'onnx/model_quantized.onnx', bytes: tinyOnnx(12).byteLength },
      ],
      chosen: 'onnx/model.onnx',
    });
    expect(inspectFindings(a).map((f) => f.code)).toEqual(['EMBEDDING_SMALLER_THAN_VOCAB']);
    expect(inspectFindings(loadModelSync(dir, { variant: 'model_quantized.onnx' }))).toEqual([]);
  });
});

describe('TF.js signatures found by pnpm fuzz', () => {
  /** The tiny model with its signature's input entry replaced ("DEEP" stands for arrays nested 100,000 deep). */
  function withInput(entry: unknown): string {
    const path = tinyTfjsDir();
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.signature.inputs.input_ids = entry;
    writeFileSync(path, JSON.stringify(json).replace('"DEEP"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`));
    return path;
  }
  const deep = 'DEEP';

  // Each was a TypeError or a stack overflow inside readTfjs; a malformed signature entry now reads as
  // what it says and no more: unknown dimensions, or an input of an unsupported type.
  it.each([
    [
      'a null dimension',
      { name: 'input_ids:0', dtype: 'DT_INT32', tensorShape: { dim: [null, { size: '4' }] } },
      [null, 4],
    ],
    ['dims that are not a list', { name: 'input_ids:0', dtype: 'DT_INT32', tensorShape: { dim: { size: '4' } } }, []],
    [
      'a size nested 100,000 deep',
      { name: 'input_ids:0', dtype: 'DT_INT32', tensorShape: { dim: [{ size: deep }] } },
      [null],
    ],
    ['a tensor name that is not a string', { name: 7, dtype: 'DT_INT32', tensorShape: { dim: [{ size: '1' }] } }, [1]],
  ])('%s', (_what, entry, shape) => {
    const artifact = loadModelSync(withInput(entry));
    expect(artifact.signature?.inputs).toEqual([{ name: 'input_ids', dtype: 'int32', shape }]);
  });

  it('dtypes named after Object.prototype members are unsupported types, not crashes', () => {
    const artifact = loadModelSync(withInput({ name: 'input_ids:0', dtype: 'constructor' }));
    expect(artifact.signature?.inputs).toEqual([]);
    expect((artifact.metadata as { unsupportedIo?: unknown }).unsupportedIo).toEqual([
      { name: 'input_ids', type: 'constructor' },
    ]);
    const nested = loadModelSync(withInput({ name: 'input_ids:0', dtype: deep }));
    expect((nested.metadata as { unsupportedIo?: unknown }).unsupportedIo).toEqual([
      { name: 'input_ids', type: `${'['.repeat(80)}…` },
    ]);
  });
});

describe('fields turned to text, found by pnpm fuzz (String() of an array nested 100,000 deep overflows)', () => {
  const DEEP = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const shown = `${'['.repeat(80)}…`;

  it('TF.js: a weight dtype nested deep beside a valid quantization dtype is E_MODEL_CORRUPT', () => {
    const path = tinyTfjsDir('float16');
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.weightsManifest[0].weights[0].dtype = 'DEEP';
    writeFileSync(path, JSON.stringify(json).replace('"DEEP"', DEEP));
    const e = thrown(() => loadModelSync(path));
    expect([e.code, e.message]).toEqual([
      'E_MODEL_CORRUPT',
      `TF.js model ${path}: weight table has dtype ${shown}; expected a numeric dtype`,
    ]);
  });

  it('TF.js: format, generatedBy and convertedBy of another type are shown, not converted', () => {
    const path = tinyTfjsDir();
    const json = JSON.parse(readFileSync(path, 'utf8'));
    Object.assign(json, { format: 'DEEP', generatedBy: 5, convertedBy: null });
    writeFileSync(path, JSON.stringify(json).replace('"DEEP"', DEEP));
    const facts = loadModelSync(path).metadata.tfjs as TfjsFacts;
    expect([facts.format, facts.generatedBy, facts.convertedBy]).toEqual([shown, '5', '']);
  });

  it('Hugging Face: architectures that are not names are shown, not converted', () => {
    const dir = tempDir();
    writeFiles(dir, { 'config.json': `{"architectures": ["BertModel", ${DEEP}]}`, 'onnx/model.onnx': tinyOnnx() });
    expect((loadModelSync(dir).metadata.hf as { architectures: string[] }).architectures).toEqual(['BertModel', shown]);
  });
});
