import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { sharedPath } from '@bert-parity/core/testing';
import { buildFixtures, buildHfDir, type Fixtures } from '@bert-parity/fixtures';
import { encodeOnnxModel, type OnnxModel, readOnnxModelFile } from '@bert-parity/models';
import { torchLike } from '@bert-parity/onnx-derive/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/paths.ts';
import type { ModelCell, ParityReport, TokenizerCell } from '../src/report/types.ts';
import { runCli as run } from './helpers/cli.ts';

const ORT_TOY = sharedPath('models/ort-bert_toy_optimized.onnx');
const FIXTURE_VOCAB = resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt');

let fx: Fixtures;
beforeAll(async () => {
  fx = await buildFixtures();
}, 120_000);

const fixture = (format: string, precision: string) => {
  const f = fx.files.find((x) => x.format === format && x.precision === precision && x.variant === 'standard');
  if (f === undefined) throw new Error(`no fixture ${format}/${precision}`);
  return f.path;
};

const tempDir = () => mkdtempSync(join(tmpdir(), 'bp-init-'));
const listing = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort();
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as ParityReport;

/**
 * A vocabulary of `n` ids for a model with an n-row embedding: BERT's special tokens and the first plain
 * tokens of the project's fixture vocabulary (the ORT toy export's table has 99 rows).
 */
function smallVocab(n: number): string {
  const words = readFileSync(FIXTURE_VOCAB, 'utf8')
    .split('\n')
    .filter((t) => t !== '' && !/^\[.*\]$/.test(t));
  return `${['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...words.slice(0, n - 5)].join('\n')}\n`;
}

/** Runs init then check on the written config; returns both, and the check's JSON report. */
async function initThenCheck(dir: string, args: string[], configName = 'parity.config.ts') {
  const config = join(dir, configName);
  const init = await run('init', ...args, '--out', config);
  if (init.code !== 0) throw new Error(`init failed (${init.code}): ${init.err}`);
  const json = join(dir, 'report.json');
  const check = await run('check', '--config', config, '--json', json);
  if (!existsSync(json)) throw new Error(`check wrote no report (${check.code}): ${check.err}`);
  return { init, check, report: readJson(json), config };
}

const statuses = (r: ParityReport) => r.cells.map((c) => `${c.id} ${c.status}`);

describe('bert-parity init on a real exporter: the ORT toy torch.onnx export', () => {
  it('a folder with only the float32 ONNX file and a vocab.txt: init --derive float16,int8, then check exits 0', async (ctx) => {
    if (!existsSync(ORT_TOY))
      ctx.skip(`${ORT_TOY} is absent (../shared/models is not committed; BERT_PARITY_SHARED names another folder)`);
    const dir = tempDir();
    const models = join(dir, 'model');
    mkdirSync(models);
    copyFileSync(ORT_TOY, join(models, 'bert_toy.onnx'));
    writeFileSync(join(models, 'vocab.txt'), smallVocab(99));
    const { init, check, report, config } = await initThenCheck(dir, [models, '--derive', 'float16,int8']);
    expect(init.out.split('\n')[0]).toBe(`wrote ${config}: 3 variants, reference bert_toy`);
    expect(check.code).toBe(0);
    expect(statuses(report)).toEqual([
      'tokenizer:hf-tokenizers/agreement-vocab pass',
      'bert_toy@onnx/host pass',
      'bert_toy.float16@onnx/host pass',
      'bert_toy.int8@onnx/host pass',
    ]);
    const cells = report.cells.filter((c): c is ModelCell => c.kind === 'model');
    expect(cells.map((c) => c.precision)).toEqual(['float32', 'float16', 'int8']);
    expect(cells.map((c) => c.outputs.map((o) => o.output))).toEqual(
      Array(3).fill(['prediction_scores', 'seq_relationship_score']),
    );
    // The float32 cell is the reference itself; the derived ones drift as their precision does.
    expect(cells[0]?.outputs.map((o) => o.stats.relL2)).toEqual([0, 0]);
    expect(cells[1]?.outputs[0]?.stats.relL2).toBeGreaterThan(1e-4);
    expect(cells[2]?.outputs[0]?.stats.relL2).toBeGreaterThan(cells[1]?.outputs[0]?.stats.relL2 as number);
    expect(report.reference.kind).toBe('golden-outputs');
    const text = readFileSync(config, 'utf8');
    // Typed without a runtime import, so the file loads wherever bert-parity runs it.
    expect(text.split('\n')[0]).toBe("import type { ParityConfigInput } from '@bert-parity/parity';");
    expect(text.trimEnd().endsWith('} satisfies ParityConfigInput;')).toBe(true);
    expect(text).toContain("inputMapping: { attention_mask: 'input_mask' },");
    expect(text).toContain("    // attention_mask is the model's input_mask: inputMapping binds it");
    expect(text).toContain("tokenOutputs: ['prediction_scores'],");
    expect(text).toContain("classifierOutputs: ['seq_relationship_score'],");
    expect(text).toContain("source: { kind: 'runtime', runtime: 'onnx', variant: 'bert_toy' },");
    expect(listing(dir)).toEqual(
      [
        'bert_toy.float16.onnx',
        'bert_toy.int8.onnx',
        'golden-outputs',
        ...readdirSync(join(dir, 'golden-outputs'))
          .map((f) => `golden-outputs/${f}`)
          .sort(),
        'model',
        'model/bert_toy.onnx',
        'model/vocab.txt',
        'parity-inputs.jsonl',
        'parity.config.ts',
        'report.json',
      ].sort(),
    );
  }, 300_000);
});

describe('bert-parity init on the fixtures, in every format', () => {
  it('ONNX float32 + vocab.txt: derives float16/int8; the vocabulary matches the project golden, so a conformance cell', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'model'));
    copyFileSync(fixture('onnx', 'float32'), join(dir, 'model/model.onnx'));
    copyFileSync(FIXTURE_VOCAB, join(dir, 'model/vocab.txt'));
    const { check, report, config } = await initThenCheck(dir, [
      join(dir, 'model'),
      '--derive',
      'float16,int8',
      '--count',
      '20',
    ]);
    expect(check.code).toBe(0);
    expect(statuses(report)).toEqual([
      'tokenizer:ours/fixture-uncased.lower.dev pass',
      'model@onnx/host pass',
      'model.float16@onnx/host pass',
      'model.int8@onnx/host pass',
    ]);
    const text = readFileSync(config, 'utf8');
    expect(text).toContain("conformance: [{ impl: 'ours', golden: ['");
    expect(text).toContain(
      'goldens of the reference Python tokenizer made with this very vocabulary (same sha256 and casing): fixture-uncased.',
    );
    expect(text).not.toContain('agreement:');
  }, 300_000);

  it('TF.js float32/float16/uint8 folders: every tfjs runtime, the float32 one on tfjs-wasm as the reference', async () => {
    const dir = tempDir();
    for (const p of ['float32', 'float16', 'uint8'])
      cpSync(dirname(fixture('tfjs-graph', p)), join(dir, `models/tfjs-${p}`), { recursive: true });
    copyFileSync(FIXTURE_VOCAB, join(dir, 'models/vocab.txt'));
    const { check, report, config } = await initThenCheck(dir, [join(dir, 'models'), '--count', '8']);
    expect(check.code).toBe(0);
    expect(statuses(report).filter((s) => !s.includes('tfjs-node'))).toEqual([
      'tokenizer:ours/fixture-uncased.lower.dev pass',
      'tfjs-float16@tfjs-wasm/host pass',
      'tfjs-float16@tfjs-cpu/host pass',
      'tfjs-float32@tfjs-wasm/host pass',
      'tfjs-float32@tfjs-cpu/host pass',
      'tfjs-uint8@tfjs-wasm/host pass',
      'tfjs-uint8@tfjs-cpu/host pass',
    ]);
    expect(readFileSync(config, 'utf8')).toContain(
      "source: { kind: 'runtime', runtime: 'tfjs-wasm', variant: 'tfjs-float32' },",
    );
  }, 300_000);

  it('TFLite float32/float16/int8: LiteRT, and the fixed [1, 128] signature sets maxSeqLength', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'models'));
    for (const p of ['float32', 'float16', 'int8']) copyFileSync(fixture('tflite', p), join(dir, `models/${p}.tflite`));
    copyFileSync(FIXTURE_VOCAB, join(dir, 'models/vocab.txt'));
    const { check, report, config } = await initThenCheck(dir, [join(dir, 'models'), '--count', '8']);
    expect(check.code).toBe(0);
    expect(statuses(report)).toEqual([
      'tokenizer:ours/fixture-uncased.lower.dev pass',
      'float16@litert/host pass',
      'float32@litert/host pass',
      'int8@litert/host pass',
    ]);
    expect(report.inputs.maxSeqLength).toBe(128);
    expect(readFileSync(config, 'utf8')).toContain(
      '// maxSeqLength 128: 128, the fixed input length of float16, float32, int8 (shorter inputs are padded to it).',
    );
  }, 300_000);

  it('a Hugging Face folder: its ONNX files on onnxruntime, the folder on transformers.js, derived variants of model.onnx, tokenizer.json checked for agreement', async () => {
    const dir = tempDir();
    cpSync(buildHfDir(fx), join(dir, 'hf'), { recursive: true });
    const { check, report, config } = await initThenCheck(dir, [
      join(dir, 'hf'),
      '--derive',
      'float16,int8',
      '--count',
      '20',
    ]);
    expect(check.code).toBe(0);
    expect(statuses(report)).toEqual([
      'tokenizer:ours/fixture-uncased.lower.dev pass',
      'tokenizer:transformers.js/agreement-tokenizer pass',
      'model@onnx/host pass',
      'hf-model@transformers/host pass',
      'model_fp16@onnx/host pass',
      'hf-model_fp16@transformers/host pass',
      'model_quantized@onnx/host pass',
      'hf-model_quantized@transformers/host pass',
      'model.float16@onnx/host pass',
      'model.int8@onnx/host pass',
    ]);
    const agreement = report.cells[1] as TokenizerCell;
    expect(agreement.cases).toBe(20);
    const text = readFileSync(config, 'utf8');
    expect(text).toContain('lowercase: true,');
    expect(text).toContain(`// ${join(dir, 'hf', 'tokenizer_config.json')} says do_lower_case true`);
    expect(text).toContain("impl: 'transformers.js',");
  }, 300_000);
});

/** A model file from a decoded model (tests change real graphs: rename an input, add an op no runtime has). */
function writeModel(path: string, model: OnnxModel): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeOnnxModel(model));
  return path;
}

function renameInput(model: OnnxModel, from: string, to: string): OnnxModel {
  const swap = (n: string) => (n === from ? to : n);
  return {
    ...model,
    inputs: model.inputs.map((i) => ({ ...i, name: swap(i.name) })),
    nodes: model.nodes.map((n) => ({ ...n, inputs: n.inputs.map(swap) })),
  };
}

/** The fixture with its logits passed through an op of a domain no runtime registers. */
function withCustomOp(model: OnnxModel): OnnxModel {
  const last = model.nodes.findIndex((n) => n.outputs[0] === 'logits');
  const node = model.nodes[last] as OnnxModel['nodes'][number];
  return {
    ...model,
    opsetImports: [{ domain: 'com.example', version: 1 }],
    nodes: [
      ...model.nodes.slice(0, last),
      { ...node, outputs: ['logits_raw'] },
      { name: 'fancy', opType: 'Fancy', domain: 'com.example', inputs: ['logits_raw'], outputs: ['logits'] },
      ...model.nodes.slice(last + 1),
    ],
  };
}

describe('bert-parity init: bad inputs are coded errors naming what to do, and nothing is written half', () => {
  async function refused(dir: string, ...args: string[]) {
    const before = listing(dir);
    const r = await run('init', ...args, '--out', join(dir, 'out/parity.config.ts'));
    expect(r.code).toBe(2);
    expect(listing(dir)).toEqual(before);
    return r.err;
  }

  it('an unreadable path and a file that is no model', async () => {
    const dir = tempDir();
    expect(await refused(dir, join(dir, 'missing.onnx'))).toBe(
      `bert-parity: E_MODEL_READ: cannot read ${join(dir, 'missing.onnx')}: ENOENT; expected a model file or a folder of models`,
    );
    writeFileSync(join(dir, 'notes.onnx'), 'not a model');
    expect(await refused(dir, join(dir, 'notes.onnx'))).toBe(
      `bert-parity: E_MODEL_FORMAT: ${join(dir, 'notes.onnx')} is not a model this tool reads (first bytes 6e 6f 74 20 61 20 6d 6f); expected ONNX (ModelProto), TFLite ("TFL3" at byte 4), a TF.js model.json or a Hugging Face folder`,
    );
  });

  it('two float32 models could be the reference: --reference decides', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'm'));
    copyFileSync(fixture('onnx', 'float32'), join(dir, 'm/model.onnx'));
    copyFileSync(fixture('tflite', 'float32'), join(dir, 'm/model.tflite'));
    copyFileSync(FIXTURE_VOCAB, join(dir, 'm/vocab.txt'));
    expect(await refused(dir, join(dir, 'm'))).toBe(
      `bert-parity: E_INIT_AMBIGUOUS: 2 float32 models could be the reference: model (${join(dir, 'm/model.onnx')}), model-2 (${join(dir, 'm/model.tflite')}); pass --reference NAME with the one the others are compared to`,
    );
    const ok = await run(
      'init',
      join(dir, 'm'),
      '--reference',
      'model',
      '--count',
      '4',
      '--out',
      join(dir, 'out/parity.config.ts'),
    );
    expect(ok.code).toBe(0);
    expect(readFileSync(join(dir, 'out/parity.config.ts'), 'utf8')).toContain(
      "source: { kind: 'runtime', runtime: 'onnx', variant: 'model' },",
    );
  }, 120_000);

  it('--derive needs an ONNX float32 reference', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'm'));
    copyFileSync(fixture('tflite', 'float32'), join(dir, 'm/model.tflite'));
    copyFileSync(FIXTURE_VOCAB, join(dir, 'm/vocab.txt'));
    expect(await refused(dir, join(dir, 'm'), '--derive', 'float16')).toBe(
      'bert-parity: E_USAGE: --derive float16 makes ONNX variants from a float32 ONNX model, but the reference model is tflite; pass --reference with an ONNX float32 model',
    );
  });

  it('no vocabulary', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'm'));
    copyFileSync(fixture('onnx', 'float32'), join(dir, 'm/model.onnx'));
    expect(await refused(dir, join(dir, 'm'))).toBe(
      `bert-parity: E_INIT_VOCAB: no vocab.txt or tokenizer.json in ${join(dir, 'm')}; pass --vocab FILE (the vocabulary the model was trained with)`,
    );
  });

  it('an input the harness cannot place: --input-map places it (and a model without token_type_ids runs without that feed)', async () => {
    const dir = tempDir();
    writeModel(join(dir, 'm/model.onnx'), renameInput(torchLike(), 'attention_mask', 'keep'));
    writeFileSync(join(dir, 'm/vocab.txt'), smallVocab(20));
    expect(await refused(dir, join(dir, 'm'))).toBe(
      `bert-parity: E_INIT_SIGNATURE: ${join(dir, 'm/model.onnx')}: input keep (int64 [batch, sequence]) is none of the harness's input_ids, attention_mask, token_type_ids; pass --input-map <harness name>=keep (e.g. --input-map attention_mask=keep) if it is one of them`,
    );
    // The graph has 64 positions: --max-seq-length keeps the inputs within them.
    const { check, report, config } = await initThenCheck(dir, [
      join(dir, 'm'),
      '--input-map',
      'attention_mask=keep',
      '--count',
      '10',
      '--max-seq-length',
      '32',
    ]);
    expect(check.code).toBe(0);
    expect(statuses(report)).toEqual(['tokenizer:hf-tokenizers/agreement-vocab pass', 'model@onnx/host pass']);
    expect(readFileSync(config, 'utf8')).toContain(
      "    // attention_mask is the model's keep (--input-map): inputMapping binds it",
    );
  }, 120_000);

  it('a failure after files were written (the reference cannot run) removes them again', async () => {
    const dir = tempDir();
    writeModel(join(dir, 'm/model.onnx'), withCustomOp(readOnnxModelFile(fixture('onnx', 'float32')).model));
    copyFileSync(FIXTURE_VOCAB, join(dir, 'm/vocab.txt'));
    // The int8 variant is derived and written (the graph declares the custom op's output type), then
    // onnxruntime cannot run the reference: the derived file, the inputs and the out folder go again.
    const err = (await refused(dir, join(dir, 'm'), '--derive', 'int8', '--count', '4')).split('\n');
    expect(err[0]).toMatch(/^derived model\.int8\.onnx \([\d,]+ bytes, \d+ ms\)$/);
    expect(err.at(-1)).toMatch(/^bert-parity: E_RUNTIME_LOAD: onnxruntime cannot load .*m\/model\.onnx: /);
  }, 120_000);

  it('an existing config is kept unless --force', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out/parity.config.ts'), 'mine');
    mkdirSync(join(dir, 'm'));
    copyFileSync(fixture('onnx', 'float32'), join(dir, 'm/model.onnx'));
    copyFileSync(FIXTURE_VOCAB, join(dir, 'm/vocab.txt'));
    expect(await refused(dir, join(dir, 'm'))).toBe(
      `bert-parity: E_INIT_EXISTS: ${join(dir, 'out/parity.config.ts')} exists; pass --force to replace it, or --out a config in another folder`,
    );
    expect(readFileSync(join(dir, 'out/parity.config.ts'), 'utf8')).toBe('mine');
  });
});

describe('bert-parity init options', () => {
  const onnxFolder = () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'm'));
    copyFileSync(fixture('onnx', 'float32'), join(dir, 'm/model.onnx'));
    copyFileSync(FIXTURE_VOCAB, join(dir, 'm/vocab.txt'));
    return dir;
  };

  it('--out *.json writes JSON the check runs, and the explanations to <name>.notes.md', async () => {
    const dir = onnxFolder();
    const { check, config } = await initThenCheck(dir, [join(dir, 'm'), '--count', '4'], 'parity.config.json');
    expect(check.code).toBe(0);
    const json = JSON.parse(readFileSync(config, 'utf8')) as { variants: unknown[]; reference: unknown };
    expect(json.variants).toEqual([{ name: 'model', file: 'm/model.onnx' }]);
    expect(json.reference).toEqual({
      kind: 'golden-outputs',
      dir: 'golden-outputs',
      source: { kind: 'runtime', runtime: 'onnx', variant: 'model' },
    });
    const notes = readFileSync(join(dir, 'parity.config.notes.md'), 'utf8');
    expect(notes.split('\n')[0]).toBe('# parity.config.json: what bert-parity init decided');
    expect(notes).toContain(
      '- `tokenizer.lowercase`: no token has an uppercase letter: an uncased vocabulary (--cased overrides)',
    );
  }, 120_000);

  it('--texts with labels: the inputs are those texts and every cell gets task accuracy', async () => {
    const dir = onnxFolder();
    const texts = ['the model works', 'a second text', 'and a third one', 'the last'].map((text, i) =>
      JSON.stringify({ text, label: i % 2 }),
    );
    writeFileSync(join(dir, 'texts.jsonl'), `${texts.join('\n')}\n`);
    const { check, report, config } = await initThenCheck(dir, [join(dir, 'm'), '--texts', join(dir, 'texts.jsonl')]);
    expect(check.code).toBe(0);
    expect(report.inputs).toEqual({ source: 'texts.jsonl', count: 4, maxSeqLength: 128, labelled: true });
    expect((report.cells[1] as ModelCell).accuracy).toEqual({
      value: expect.any(Number),
      reference: expect.any(Number),
      delta: 0,
    });
    expect(readFileSync(config, 'utf8')).toContain("inputs: { texts: 'texts.jsonl', count: 4, maxSeqLength: 128 },");
    expect(existsSync(join(dir, 'parity-inputs.jsonl'))).toBe(false);
  }, 120_000);

  it('--calibrate: runs the matrix once and writes bounds ×2 over the drift, each with the measured number', async () => {
    const dir = onnxFolder();
    const { init, check, report, config } = await initThenCheck(dir, [
      join(dir, 'm'),
      '--derive',
      'int8',
      '--calibrate',
      '--count',
      '10',
    ]);
    expect(check.code).toBe(0);
    const int8 = report.cells.find((c) => c.id === 'model.int8@onnx/host') as ModelCell;
    const logits = int8.outputs.find((o) => o.output === 'logits');
    const relL2 = logits?.stats.relL2 as number;
    // Same inputs, same models, same runtime: the check measures what calibration measured.
    const bound = logits?.bound.relL2 as number;
    expect(bound).toBeGreaterThanOrEqual(2 * relL2);
    expect(bound).toBeLessThan(4 * relL2);
    expect(Number(bound.toPrecision(1))).toBe(bound);
    const text = readFileSync(config, 'utf8');
    expect(text).toContain(`      // measured relL2 ${relL2.toExponential(1)}, cosine `);
    expect(text).toContain('(worst of model.int8@onnx/host); ×2, rounded up');
    expect(init.err).toContain(`calibrated int8 logits: measured relL2 ${relL2.toExponential(1)}`);
    // float32 matches its own cached outputs exactly: the floor keeps room for other machines' float32 rounding.
    expect(text).toContain('      last_hidden_state: { relL2: 1e-6, cosineMin: 0.999999 },');
  }, 120_000);
});
