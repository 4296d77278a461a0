import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from '@bert-parity/core/testing';
import { buildFixtures, sampleInputs } from '@bert-parity/fixtures';
import { measure } from '@bert-parity/metrics';
import { loadModelSync, readOnnxModelFile, writeOnnxFile } from '@bert-parity/models';
import { describe, expect, it } from 'vitest';
import { type DeriveResult, deriveOnnxFile, type Float16Report, type Int8Report } from '../src/index.ts';
import { tempDir } from '../testing/exporters.ts';
import { bertFeeds, type Feeds, type Outputs, ort, relL2, runOnnx } from './helpers/ort.ts';

const ORT_TOY = sharedPath('models/ort-bert_toy_optimized.onnx');

interface Derived {
  float16: DeriveResult & { report: Float16Report };
  int8: DeriveResult & { report: Int8Report };
  /** relL2 of each derived output against the source model's, on the same feeds. */
  drift: { float16: Record<string, number>; int8: Record<string, number> };
}

/**
 * Derives both variants of any float32 ONNX file into a temp folder, runs the three in onnxruntime on the
 * same feeds and measures the drift. Takes any file, so exporters' fixtures can be added as they come.
 */
async function deriveAndRun(file: string, feeds: Feeds): Promise<Derived> {
  const dir = tempDir();
  const float16 = deriveOnnxFile(file, 'float16', join(dir, 'model.float16.onnx')) as Derived['float16'];
  const int8 = deriveOnnxFile(file, 'int8', join(dir, 'model.int8.onnx')) as Derived['int8'];
  const ref = await runOnnx(file, feeds);
  const driftOf = (out: Outputs) =>
    Object.fromEntries(Object.keys(ref).map((k) => [k, relL2(out[k] as never, ref[k] as never)]));
  return {
    float16,
    int8,
    drift: {
      float16: driftOf(await runOnnx(float16.files[0]?.path as string, feeds)),
      int8: driftOf(await runOnnx(int8.files[0]?.path as string, feeds)),
    },
  };
}

describe('a real torch.onnx export (onnxruntime test data bert_toy_optimized.onnx)', () => {
  it('derives float16 and int8 variants that load in onnxruntime and stay within their precision', async (ctx) => {
    if (!existsSync(ORT_TOY))
      ctx.skip(`${ORT_TOY} is absent (../shared/models is not committed; BERT_PARITY_SHARED names another folder)`);
    const d = await deriveAndRun(
      ORT_TOY,
      bertFeeds({ ids: 'input_ids', mask: 'input_mask', types: 'token_type_ids' }, 4, 24, 99),
    );
    // The position ids go through Cast → Min → Cast on the shape: Min stays float32 with its own constant.
    expect(d.float16.report).toEqual({
      kind: 'float16',
      convertedConstants: 143,
      keptFloat32: ['op_min_ends_expand_10'],
      blockedNodes: ['new_min_01'],
      castsInserted: 4,
      clippedValues: 12,
    });
    expect(d.int8.report.quantized).toBe(32);
    expect(d.int8.report.folded).toEqual(['731 (Transpose of bert.embeddings.word_embeddings.weight)']);
    expect(d.int8.report.skipped.map((s) => s.node)).toEqual([
      'MatMul_81',
      'MatMul_86',
      'MatMul_197',
      'MatMul_202',
      'MatMul_313',
      'MatMul_318',
      'MatMul_429',
      'MatMul_434',
      'MatMul_545',
      'MatMul_550',
    ]);
    // The tied embedding table stays float32 for the Gather; the decoder reads its int8 transpose.
    const int8 = readOnnxModelFile(d.int8.files[0]?.path as string).model;
    expect(int8.initializers.find((t) => t.name === 'bert.embeddings.word_embeddings.weight')?.dataType).toBe(1);
    expect(int8.initializers.find((t) => t.name === '731_quantized')?.dims).toEqual([32, 99]);
    expect(loadModelSync(d.float16.files[0]?.path as string).precision).toBe('float16');
    expect(loadModelSync(d.int8.files[0]?.path as string).precision).toBe('int8');
    for (const [precision, bound] of [
      ['float16', 5e-3],
      ['int8', 5e-2],
    ] as const) {
      for (const [output, drift] of Object.entries(d.drift[precision])) {
        expect(drift, `${precision} ${output}`).toBeGreaterThan(1e-6);
        expect(drift, `${precision} ${output}`).toBeLessThan(bound);
      }
    }
  });
});

describe('the fixture factory float32 ONNX', () => {
  it("derives variants whose drift against the float64 reference matches the factory's own float16/int8 exports", async () => {
    const fixtures = await buildFixtures();
    const file = (precision: string) =>
      fixtures.files.find((f) => f.format === 'onnx' && f.variant === 'standard' && f.precision === precision)
        ?.path as string;
    const inputs = sampleInputs(fixtures.config, 8, 32);
    const tensor = (v: ArrayLike<number>) =>
      new ort.Tensor('int64', BigInt64Array.from(Array.from(v), BigInt), [8, 32]);
    const feeds = {
      input_ids: tensor(inputs.inputIds),
      attention_mask: tensor(inputs.attentionMask),
      token_type_ids: tensor(inputs.tokenTypeIds),
    };
    const reference = fixtures.reference.forward(inputs).logits;
    const logitsDrift = async (path: string) => {
      const out = await runOnnx(path, feeds);
      const t = out.logits as Outputs[string];
      return measure(
        { dtype: 'float32', shape: [...t.dims], data: t.data },
        { dtype: 'float64', shape: [...t.dims], data: reference },
      ).stats.relL2;
    };
    const dir = tempDir();
    for (const precision of ['float16', 'int8'] as const) {
      const derived = deriveOnnxFile(file('float32'), precision, join(dir, `${precision}.onnx`));
      const ours = await logitsDrift(derived.files[0]?.path as string);
      const factory = await logitsDrift(file(precision));
      // Same rules, same weights: within a factor 1.5 of each other (the factory keeps LayerNorm's
      // epsilon 1e-12, which float16 rounds to 0; the converter clips it to 1e-7 as onnxconverter-common does).
      expect(ours / factory, `${precision}: derived ${ours}, factory ${factory}`).toBeGreaterThan(1 / 1.5);
      expect(ours / factory, `${precision}: derived ${ours}, factory ${factory}`).toBeLessThan(1.5);
    }
  });
});

describe('external data', () => {
  it('derives from a model whose weights are in model.onnx_data, and writes the variant the same way', async () => {
    const fixtures = await buildFixtures();
    const f32 = fixtures.files.find((f) => f.format === 'onnx' && f.variant === 'standard' && f.precision === 'float32')
      ?.path as string;
    const dir = tempDir();
    const source = join(dir, 'model.onnx');
    writeOnnxFile(source, readOnnxModelFile(f32).model, { externalData: { location: 'model.onnx_data' } });
    expect(statSync(source).size).toBeLessThan(200_000);
    const derived = deriveOnnxFile(source, 'int8', join(dir, 'model_quantized.onnx'));
    expect(derived.files.map((f) => f.path)).toEqual([
      join(dir, 'model_quantized.onnx'),
      join(dir, 'model_quantized.onnx_data'),
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      'model.onnx',
      'model.onnx_data',
      'model_quantized.onnx',
      'model_quantized.onnx_data',
    ]);
    const meta = readOnnxModelFile(derived.files[0]?.path as string).model.metadata ?? {};
    const sha = (await import('node:crypto')).createHash('sha256').update(readFileSync(source)).digest('hex');
    expect(meta['bert_parity.derived_from']).toBe(`model.onnx sha256:${sha}`);
    expect(meta['bert_parity.derivation']).toBe(
      'int8 (onnxruntime quantize_dynamic rules; MatMul weights QInt8 symmetric, per_channel false, reduce_range false)',
    );
    const feeds = bertFeeds({ ids: 'input_ids', mask: 'attention_mask', types: 'token_type_ids' }, 2, 16, 1000);
    const ref = await runOnnx(source, feeds);
    const got = await runOnnx(derived.files[0]?.path as string, feeds);
    expect(relL2(got.logits as never, ref.logits as never)).toBeLessThan(5e-2);
  });
});
