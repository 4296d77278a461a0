import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildFixtures, buildHfDir, buildMobileBertFixtures, type Fixtures } from '@bert-parity/fixtures';
import { readOnnxModelFile, writeOnnxFile } from '@bert-parity/models';
import { deriveOnnxFile } from '@bert-parity/onnx-derive';
import { buildTorchExports, torchUnavailable } from '@bert-parity/torch-export';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../src/paths.ts';
import { runCli as run } from './helpers/cli.ts';

const ORT_TOY = resolve(REPO_ROOT, '../shared/models/ort-bert_toy_optimized.onnx');
const VOCAB = resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt');

async function inspectJson(...argv: string[]) {
  const r = await run('inspect', ...argv, '--json');
  return { code: r.code, json: JSON.parse(r.out), err: r.err };
}

afterEach(() => {
  vi.restoreAllMocks();
});

let fx: Fixtures;
beforeAll(async () => {
  fx = await buildFixtures();
}, 120_000);

const file = (format: string, precision: string, variant = 'standard') => {
  const f = fx.files.find((x) => x.format === format && x.precision === precision && x.variant === variant);
  if (f === undefined) throw new Error(`no fixture ${format}/${precision}/${variant}`);
  return f.path;
};

const BERT_IN = ['input_ids', 'attention_mask', 'token_type_ids'];
const BERT_OUT = ['last_hidden_state', 'pooler_output', 'logits'];

describe('bert-parity inspect: the real ort-bert_toy export', () => {
  it.skipIf(!existsSync(ORT_TOY))(
    `lists its int64 inputs and two outputs (reads ${ORT_TOY}; skipped when that file is absent)`,
    async () => {
      const { code, json } = await inspectJson(ORT_TOY);
      expect(code).toBe(0);
      const dims = ['batch', 'max_seq_len_in_batch'];
      expect(json.model.signature).toEqual({
        inputs: ['input_ids', 'token_type_ids', 'input_mask'].map((name) => ({
          name,
          dtype: 'int64',
          shape: [null, null],
          dimNames: dims,
        })),
        outputs: [
          { name: 'prediction_scores', dtype: 'float32', shape: [null, null, 99], dimNames: [...dims, null] },
          { name: 'seq_relationship_score', dtype: 'float32', shape: [null, 2], dimNames: ['batch', null] },
        ],
      });
      expect(json.model).toMatchObject({ format: 'onnx', bytes: 257_362, precision: 'float32' });
      expect(json.model.embedding).toEqual({
        table: 'bert.embeddings.word_embeddings.weight',
        rows: 99,
        op: 'Gather',
        ids: 'input_ids',
      });
      expect(json.findings).toEqual([]);
      // Token ids must stay below 99: the project vocabulary is far larger.
      const withVocab = await inspectJson(ORT_TOY, '--vocab', VOCAB);
      expect(withVocab.code).toBe(1);
      expect(withVocab.json.findings.map((f: { code: string }) => f.code)).toEqual(['EMBEDDING_SMALLER_THAN_VOCAB']);
    },
  );
});

describe('bert-parity inspect: every fixture', () => {
  it.each([
    ['onnx', 'float32', 'float32', 'int64', [null, null]],
    ['onnx', 'float16', 'float16', 'int64', [null, null]],
    ['onnx', 'int8', 'int8', 'int64', [null, null]],
    ['tfjs-graph', 'float32', 'float32', 'int32', [null, null]],
    ['tfjs-graph', 'float16', 'float16', 'int32', [null, null]],
    ['tfjs-graph', 'uint8', 'uint8', 'int32', [null, null]],
    ['tflite', 'float32', 'float32', 'int32', [1, 128]],
    ['tflite', 'float16', 'float16', 'int32', [1, 128]],
    ['tflite', 'int8', 'int8', 'int32', [1, 128]],
  ] as const)('%s %s: precision %s, %s ids, names and shapes', async (format, precision, want, idType, idShape) => {
    const { code, json } = await inspectJson(file(format, precision), '--vocab', VOCAB);
    expect(code).toBe(0);
    expect(json.findings).toEqual([]);
    expect(json.model.format).toBe(format);
    expect(json.model.precision).toBe(want);
    const sig = json.model.signature;
    expect(sig.inputs.map((s: { name: string }) => s.name)).toEqual(BERT_IN);
    expect(sig.outputs.map((s: { name: string }) => s.name)).toEqual(BERT_OUT);
    for (const s of sig.inputs) expect([s.dtype, s.shape]).toEqual([idType, idShape]);
    expect(sig.outputs.map((s: { dtype: string }) => s.dtype)).toEqual(['float32', 'float32', 'float32']);
    expect(sig.outputs.map((s: { shape: unknown[] }) => s.shape.slice(-1))).toEqual([[64], [64], [28]]);
    expect(json.model.embedding.rows).toBe(fx.config.vocabSize);
  });

  it('the Hugging Face folder: describes onnx/model.onnx and checks vocab.txt by itself', async () => {
    const dir = buildHfDir(fx);
    const { code, json } = await inspectJson(dir);
    expect(code).toBe(0);
    expect(json.findings).toEqual([]);
    expect(json.model).toMatchObject({ format: 'hf-dir', precision: 'float32', path: dir });
    expect(json.model.signature.inputs.map((s: { name: string }) => s.name)).toEqual(BERT_IN);
    expect(json.model.facts.hf).toMatchObject({
      modelType: 'bert',
      vocabTxtSize: fx.config.vocabSize,
      chosen: 'onnx/model.onnx',
    });
    expect(json.model.facts.hf.onnxVariants.map((v: { file: string }) => v.file)).toEqual([
      'onnx/model.onnx',
      'onnx/model_fp16.onnx',
      'onnx/model_quantized.onnx',
    ]);
  });

  it('records the precision evidence and op inventory of each format', async () => {
    const ops = async (path: string) =>
      Object.fromEntries(
        (await inspectJson(path)).json.model.ops.map((o: { name: string; version?: number; count: number }) => [
          o.name,
          [o.version ?? null, o.count],
        ]),
      );
    expect(await ops(file('onnx', 'int8'))).toMatchObject({
      DynamicQuantizeLinear: [13, 15],
      MatMulInteger: [13, 15],
      Gather: [13, 3],
    });
    expect(await ops(file('tflite', 'float16'))).toMatchObject({
      DEQUANTIZE: [3, 51],
      GELU: [1, 2],
      FULLY_CONNECTED: [1, 15],
    });
    expect(await ops(file('tflite', 'int8'))).toMatchObject({ FULLY_CONNECTED: [7, 15], BATCH_MATMUL: [1, 4] });
    // Dense layers as tfjs-converter writes them (issue 16): MatMul on 2-D hidden states, _FusedMatMul for
    // the pooler and classifier, BatchMatMulV2 only for the 2 attention products per layer.
    expect(await ops(file('tfjs-graph', 'float32'))).toMatchObject({
      GatherV2: [null, 3],
      Erf: [null, 2],
      MatMul: [null, 12],
      _FusedMatMul: [null, 3],
      BatchMatMulV2: [null, 4],
    });
    const evidence = (await inspectJson(file('tfjs-graph', 'uint8'))).json.model.precisionEvidence;
    expect(evidence).toEqual([
      'manifest weights: 53 float32 stored as uint8, 26 int32',
      'manifest quantization: uint8 (dequantized to float32 on load)',
    ]);
  });
});

describe('bert-parity inspect: negative fixtures', () => {
  const findings = async (path: string, ...extra: string[]) => {
    const { code, json } = await inspectJson(path, ...extra);
    return {
      code,
      found: json.findings.map(
        (f: { severity: string; code: string; message: string }) => `${f.severity} ${f.code}: ${f.message}`,
      ),
    };
  };

  it('TFLite without SignatureDef: a warning, graph tensors by index, exit 0', async () => {
    const { code, json } = await inspectJson(file('tflite', 'float32', 'no-signature'));
    expect(code).toBe(0);
    expect(json.model.signature).toBeNull();
    expect(json.model.graphIo.inputs.map((s: { name: string }) => s.name)).toEqual([
      'serving_default_input_ids:0',
      'serving_default_attention_mask:0',
      'serving_default_token_type_ids:0',
    ]);
    expect(json.findings.map((f: { code: string }) => f.code)).toEqual(['TFLITE_NO_SIGNATURE']);
  });

  it('custom op FastBertNormalize: an error naming it', async () => {
    expect(await findings(file('tflite', 'float32', 'custom-op'))).toEqual({
      code: 1,
      found: [
        'error CUSTOM_OP: custom op FastBertNormalize (used 1x) is not registered by stock TFLite or LiteRT.js: loading fails with "unresolved custom op FastBertNormalize"',
      ],
    });
  });

  it('GELU at version 99: beyond every known release', async () => {
    expect(await findings(file('tflite', 'float32', 'op-version-too-new'), '--target', 'litert@2.5.3')).toEqual({
      code: 1,
      found: [
        'error TFLITE_OP_VERSION: GELU version 99 is newer than any release the op table knows (up to version 2, TFLite 2.9.0); runtimes refuse to load it',
      ],
    });
  });

  it('builtin code 1000: out of range for LiteRT.js 2.5.3 (208)', async () => {
    expect(await findings(file('tflite', 'float32', 'unknown-builtin'), '--target', 'litert@2.5.3')).toEqual({
      code: 1,
      found: [
        'error TFLITE_BUILTIN_OUT_OF_RANGE: builtin code 1000 (BUILTIN_1000, used 2x) is beyond the largest code known to litert@2.5.3 (208): "Op builtin_code out of range"',
      ],
    });
  });

  it('ONNX with a 1000-row embedding table: gather index out of bounds against the vocabulary', async () => {
    expect(await findings(file('onnx', 'float32', 'small-embedding'), '--vocab', VOCAB)).toEqual({
      code: 1,
      found: [
        `error EMBEDDING_SMALLER_THAN_VOCAB: embedding table embeddings.word_embeddings.weight has 1000 rows but ${VOCAB} has ${fx.config.vocabSize} ids: ids ≥ 1000 fail in Gather ("gather index out of bounds")`,
      ],
    });
    // Without a vocabulary there is nothing to compare against.
    expect((await findings(file('onnx', 'float32', 'small-embedding'))).code).toBe(0);
  });

  it('targets: GELU needs TFLite 2.9, int64 ids and ONNX do not load in LiteRT.js', async () => {
    expect((await findings(file('tflite', 'float32'), '--target', 'tflite@2.4')).found).toEqual([
      'error TFLITE_BUILTIN_OUT_OF_RANGE: builtin code 150 (GELU, used 2x) is beyond the largest code known to tflite@2.4 (128): "Op builtin_code out of range"',
    ]);
    expect((await findings(file('tflite', 'float32'), '--target', 'tflite@2.9')).found).toEqual([]);
    // BATCH_MATMUL (126) arrived in TFLite 2.3, so 2.2 knows codes up to 125.
    expect((await findings(file('tflite', 'int8'), '--target', 'tflite@2.2')).found).toEqual([
      'error TFLITE_OP_VERSION: FULLY_CONNECTED version 7 needs TFLite 2.3.0; tflite@2.2 does not register it',
      'error TFLITE_BUILTIN_OUT_OF_RANGE: builtin code 126 (BATCH_MATMUL, used 4x) is beyond the largest code known to tflite@2.2 (125): "Op builtin_code out of range"',
      'error TFLITE_BUILTIN_OUT_OF_RANGE: builtin code 150 (GELU, used 2x) is beyond the largest code known to tflite@2.2 (125): "Op builtin_code out of range"',
    ]);
    expect((await findings(file('onnx', 'float32'), '--target', 'litert@2.5.3')).found).toEqual([
      'error TARGET_FORMAT: litert@2.5.3 does not load onnx models; it loads tflite',
    ]);
    expect((await findings(file('onnx', 'float32'), '--target', 'onnxruntime@1.30')).found).toEqual([]);
    expect((await findings(file('tfjs-graph', 'float32'), '--target', 'tfjs@4.22')).found).toEqual([]);
  });
});

describe('bert-parity inspect: output and exit codes', () => {
  it('prints the summary table', async () => {
    const r = await run('inspect', file('tflite', 'float32', 'custom-op'));
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[1]).toBe('format     tflite (schema 3; 1 subgraph; signatures serving_default)');
    expect(lines).toContain('  inputs   input_ids       int32  [1, 128]');
    expect(lines).toContain('  outputs  last_hidden_state  float32  [1, 128, 64]');
    expect(lines).toContain(
      '          fix: register a kernel for FastBertNormalize in your interpreter, or reconvert so the op lowers to builtins',
    );
    expect(lines[lines.length - 1]).toBe('result     1 error finding');
  });

  it('names external data files and where a derived variant came from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-inspect-'));
    const source = join(dir, 'model.onnx');
    writeOnnxFile(source, readOnnxModelFile(file('onnx', 'float32')).model, {
      externalData: { location: 'model.onnx_data' },
    });
    const derived = deriveOnnxFile(source, 'float16', join(dir, 'model.float16.onnx'));
    const r = await run('inspect', join(dir, 'model.float16.onnx'));
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    const data = derived.files[1];
    expect(lines[3]).toBe(
      `external   ${data?.path} (${data?.bytes.toLocaleString('en-US')} bytes of initializers outside the protobuf)`,
    );
    expect(lines[4]).toBe(
      `derived    from model.onnx sha256:${derived.source.sha256}: float16 (onnxconverter-common rules; keep_io_types true, min_positive_val 1e-7, max_finite_val 10000)`,
    );
    const { json } = await inspectJson(join(dir, 'model.float16.onnx'));
    expect(json.model.facts.onnx.externalData).toEqual([data?.path]);
    expect(json.model.precision).toBe('float16');
  });

  it('JSON carries the schema version', async () => {
    const { json } = await inspectJson(file('onnx', 'float32'));
    expect(Object.keys(json)).toEqual(['schema', 'ok', 'target', 'vocab', 'model', 'findings']);
    expect(json.schema).toBe('bert-parity/inspect@1');
    expect(json.model.sha256).toBe(fx.sha256['onnx/float32.onnx']);
  });

  it('exit 2 with a coded error for unreadable, unknown or bad input', async () => {
    const missing = await run('inspect', resolve(REPO_ROOT, 'no-such-model.onnx'));
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(
      `bert-parity: E_MODEL_READ: cannot read model ${resolve(REPO_ROOT, 'no-such-model.onnx')}: ENOENT`,
    );
    const notModel = await run('inspect', VOCAB);
    expect(notModel.code).toBe(2);
    expect(notModel.err).toBe(
      `bert-parity: E_MODEL_FORMAT: ${VOCAB} is not a model this tool reads (first bytes 5b 50 41 44 5d 0a 5b 75); expected ONNX (ModelProto), TFLite ("TFL3" at byte 4), a TF.js model.json or a Hugging Face folder`,
    );
    const badTarget = await run('inspect', file('onnx', 'float32'), '--target', 'coreml@7');
    expect(badTarget.code).toBe(2);
    expect(badTarget.err).toContain('bert-parity: E_USAGE: --target "coreml@7": expected RUNTIME@VERSION');
  });
});

const torchMissing = await torchUnavailable();
if (torchMissing !== undefined) console.warn(`inspect of the torch.onnx.export files skipped: ${torchMissing}`);

describe.skipIf(torchMissing !== undefined)('bert-parity inspect: the files torch.onnx.export writes', () => {
  it.each([
    ['bert', 14],
    ['bert', 17],
    ['mobilebert', 14],
    ['mobilebert', 17],
  ] as const)(
    '%s opset %d: producer pytorch, int64 inputs with dynamic dimensions, no error findings',
    async (family, opset) => {
      const fixtures = family === 'bert' ? fx : await buildMobileBertFixtures();
      const exports = await buildTorchExports(fixtures);
      const { code, json } = await inspectJson(exports.onnx[opset], '--vocab', VOCAB);
      expect(code).toBe(0);
      expect(json.findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
      expect(json.model.facts.onnx.producer).toMatch(/^pytorch \d+\.\d+/);
      expect(json.model.facts.onnx.opsetImports).toEqual([{ domain: 'ai.onnx', version: opset }]);
      expect(json.model.signature.inputs).toEqual(
        BERT_IN.map((name) => ({ name, dtype: 'int64', shape: [null, null], dimNames: ['batch', 'sequence'] })),
      );
      expect(json.model.signature.outputs.map((o: { name: string; shape: unknown[] }) => [o.name, o.shape])).toEqual([
        ['last_hidden_state', [null, null, 64]],
        ['pooler_output', [null, 64]],
        ['logits', [null, 28]],
      ]);
      expect(json.model.embedding).toMatchObject({ rows: 29357, ids: 'input_ids' });
    },
  );
});
