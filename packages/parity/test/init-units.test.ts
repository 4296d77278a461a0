import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ModelArtifact, TensorSpec } from '@bert-parity/core';
import { thrown } from '@bert-parity/core/testing';
import { describe, expect, it } from 'vitest';
import { configFromValue } from '../src/config/index.ts';
import { runCheck } from '../src/engine/index.ts';
import { calibrate, ceilOneDigit } from '../src/init/bounds.ts';
import { bindInputs, outputKinds } from '../src/init/signature.ts';
import { chooseVocab } from '../src/init/vocab.ts';
import { REPO_ROOT } from '../src/paths.ts';
import type { DriftStats, ModelCell, ParityReport } from '../src/report/types.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'bp-init-unit-'));

/** A model cell with the given stats per output (the rest of DriftStats as an exact match has them). */
function modelCell(c: {
  id: string;
  precision?: ModelCell['precision'];
  status?: ModelCell['status'];
  error?: ModelCell['error'];
  outputs?: { output: string; stats: Partial<DriftStats> }[];
}): ModelCell {
  const exact: DriftStats = {
    elements: 8,
    maxAbs: 0,
    meanAbs: 0,
    relL2: 0,
    cosine: 1,
    sqnrDb: Number.POSITIVE_INFINITY,
    mismatches: 0,
    nonFinite: 0,
    minPassingAtol: 0,
    minPassingRtol: 0,
  };
  return {
    kind: 'model',
    id: c.id,
    variant: c.id.split('@')[0] as string,
    format: 'onnx',
    precision: c.precision ?? 'float32',
    modelPath: 'm.onnx',
    modelBytes: 0,
    modelSha256: '',
    runtime: 'onnx',
    platform: 'host',
    status: c.status ?? 'pass',
    ...(c.error === undefined ? {} : { error: c.error }),
    outputs: (c.outputs ?? []).map((o) => ({
      output: o.output,
      stats: { ...exact, ...o.stats },
      bound: {},
      pass: true,
      failures: [],
    })),
    wallMs: 1,
    runtimeMs: 1,
  };
}

const makeReport = (cells: ModelCell[]) => ({ cells }) as unknown as ParityReport;
const spec = (name: string, shape: (number | null)[], dtype: TensorSpec['dtype'] = 'int64'): TensorSpec => ({
  name,
  dtype,
  shape,
});
const artifact = (inputs: TensorSpec[], signature = true): ModelArtifact => ({
  format: 'onnx',
  path: 'm.onnx',
  files: [],
  bytes: 0,
  sha256: '',
  signature: signature ? { inputs, outputs: [] } : null,
  precision: 'float32',
  precisionEvidence: [],
  ops: [],
  metadata: { graphIo: { inputs, outputs: [] } },
});

describe('bindInputs', () => {
  it('places the names exporters use, and maps only where the model differs from the harness', () => {
    const tfHub = bindInputs(
      artifact([spec('input_word_ids', [1, 128]), spec('input_mask', [1, 128]), spec('input_type_ids', [1, 128])]),
      'hub',
      {},
    );
    expect(tfHub.mapping).toEqual({
      input_ids: 'input_word_ids',
      attention_mask: 'input_mask',
      token_type_ids: 'input_type_ids',
    });
    expect(tfHub.fixedSeq).toBe(128);
    const hf = bindInputs(artifact([spec('input_ids', [null, null]), spec('attention_mask', [null, null])]), 'hf', {});
    expect(hf.mapping).toEqual({});
    expect(hf.fixedSeq).toBeUndefined();
    // A TFLite file without SignatureDef binds by position: every input is mapped, by its tensor name.
    const unsigned = bindInputs(artifact([spec('serving_default_input_ids:0', [1, 64], 'int32')], false), 'tfl', {});
    expect(unsigned.mapping).toEqual({ input_ids: 'serving_default_input_ids:0' });
  });

  it('refuses float inputs and two inputs for one harness name', () => {
    const f = thrown(() =>
      bindInputs(artifact([spec('input_ids', [1, 8]), spec('attention_mask', [1, 8], 'float32')]), 'm', {}),
    );
    expect([f.code, f.message]).toEqual([
      'E_INIT_SIGNATURE',
      'm: input attention_mask is float32 [1, 8]; the harness feeds int32/int64 token ids and masks, not float32',
    ]);
    const two = thrown(() => bindInputs(artifact([spec('input_ids', [1, 8]), spec('ids', [1, 8])]), 'm', {}));
    expect(two.message).toBe(
      'm: inputs input_ids and ids would both be input_ids; pass --input-map for the one that is',
    );
  });

  it('outputKinds: rank 3 per token, rank 2 named like logits or scores for top-1', () => {
    const out = (name: string, rank: number) => spec(name, Array(rank).fill(null), 'float32');
    expect(
      outputKinds([
        out('last_hidden_state', 3),
        out('pooler_output', 2),
        out('logits', 2),
        out('seq_relationship_score', 2),
      ]),
    ).toEqual({
      token: ['last_hidden_state'],
      classifier: ['logits', 'seq_relationship_score'],
    });
  });
});

describe('chooseVocab', () => {
  it('writes vocab.txt from a tokenizer.json and takes casing and special tokens from the files beside it', () => {
    const dir = tempDir();
    const tokens = ['<pad>', '<unk>', '<s>', '</s>', 'Hello', 'world'];
    writeFileSync(
      join(dir, 'tokenizer.json'),
      JSON.stringify({
        model: { type: 'WordPiece', vocab: Object.fromEntries(tokens.map((t, i) => [t, i])) },
        normalizer: { type: 'BertNormalizer', lowercase: false },
      }),
    );
    writeFileSync(
      join(dir, 'tokenizer_config.json'),
      JSON.stringify({ unk_token: '<unk>', cls_token: { content: '<s>' }, sep_token: '</s>', pad_token: '<pad>' }),
    );
    const v = chooseVocab([dir], {}, join(dir, 'out'));
    expect(v.path).toBe(join(dir, 'out', 'vocab.txt'));
    expect(v.fromJson?.text).toBe(`${tokens.join('\n')}\n`);
    expect([v.lowercase, v.lowercaseWhy]).toEqual([
      false,
      `${join(dir, 'tokenizer.json')} normalizer.lowercase is false`,
    ]);
    expect(v.specialTokens).toEqual({ unk: '<unk>', cls: '<s>', sep: '</s>', pad: '<pad>' });
    expect(v.tokenizerJson).toBe(join(dir, 'tokenizer.json'));
  });

  it('reads the casing from the vocabulary itself when no file says it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'vocab.txt'), '[PAD]\n[UNK]\n[CLS]\n[SEP]\nThe\nthe\nParis\n');
    const v = chooseVocab([dir], {}, dir);
    expect([v.lowercase, v.lowercaseWhy]).toEqual([
      false,
      '2 tokens have uppercase letters (e.g. "The", "Paris"): a cased vocabulary (--uncased overrides)',
    ]);
    expect(chooseVocab([dir], { lowercase: true }, dir).lowercaseWhy).toBe('--uncased was passed');
  });

  it('refuses two different vocabularies, a tokenizer.json with gaps, and a vocabulary without [CLS]', () => {
    const a = tempDir();
    const b = tempDir();
    writeFileSync(join(a, 'vocab.txt'), '[UNK]\n[CLS]\n[SEP]\na\n');
    writeFileSync(join(b, 'vocab.txt'), '[UNK]\n[CLS]\n[SEP]\nb\n');
    const two = thrown(() => chooseVocab([a, b], {}, a));
    expect([two.code, two.message]).toEqual([
      'E_INIT_AMBIGUOUS',
      `the model folders hold 2 different vocabularies (${join(a, 'vocab.txt')}, ${join(b, 'vocab.txt')}); pass --vocab FILE with the one the models were trained with`,
    ]);
    const gap = tempDir();
    writeFileSync(
      join(gap, 'tokenizer.json'),
      JSON.stringify({ model: { type: 'WordPiece', vocab: { '[UNK]': 0, x: 2 } } }),
    );
    expect(thrown(() => chooseVocab([gap], {}, gap)).message).toBe(
      `${join(gap, 'tokenizer.json')}: token "x" has id 2; expected ids 0..1, each once, to write a vocab.txt`,
    );
    const noCls = tempDir();
    writeFileSync(join(noCls, 'vocab.txt'), '[UNK]\n[SEP]\nx\n');
    const e = thrown(() => chooseVocab([noCls], {}, noCls));
    expect([e.code, e.message]).toEqual([
      'E_INIT_VOCAB',
      `vocabulary ${join(noCls, 'vocab.txt')} has no [CLS] token; expected BERT's special tokens (or a tokenizer_config.json beside it naming its cls_token)`,
    ]);
  });
});

describe('calibrate', () => {
  it('ceilOneDigit rounds up to one significant digit', () => {
    expect([3.2e-3, 6e-3, 1e-6, 0.0151, 0.9].map(ceilOneDigit)).toEqual([4e-3, 6e-3, 1e-6, 0.02, 0.9]);
  });

  it('bounds are ×2 over the worst cell of each precision, floored, top-1 and cosine downwards', () => {
    const stats = (relL2: number, cosine: number, top1?: number) => ({
      relL2,
      cosine,
      ...(top1 === undefined ? {} : { top1Agreement: top1 }),
    });
    const report = makeReport([
      modelCell({
        id: 'a@onnx/host',
        precision: 'int8',
        outputs: [{ output: 'logits', stats: stats(1.5e-2, 0.99988, 0.985) }],
      }),
      modelCell({
        id: 'b@litert/host',
        precision: 'int8',
        outputs: [{ output: 'logits', stats: stats(2.1e-2, 0.99991, 0.99) }],
      }),
      modelCell({ id: 'c@onnx/host', precision: 'float32', outputs: [{ output: 'logits', stats: stats(0, 1, 1) }] }),
    ]);
    const c = calibrate(report, ['logits']);
    expect(c.lines).toEqual([
      'int8 logits: measured relL2 2.1e-2, cosine 0.999880000, top-1 98.50% → relL2 0.05, cosineMin 0.9997, top1AgreementMin 0.97',
      'float32 logits: measured relL2 0, cosine 1.000000000, top-1 100.00% → relL2 1e-6, cosineMin 0.999999, top1AgreementMin 1',
    ]);
  });

  it('refuses NaN drift and cells that did not run: no bound from a broken output', () => {
    const nan = makeReport([
      modelCell({ id: 'a@onnx/host', outputs: [{ output: 'logits', stats: { relL2: Number.NaN } }] }),
    ]);
    const e = thrown(() => calibrate(nan, ['logits']));
    expect([e.code, e.message]).toEqual([
      'E_CALIBRATE',
      'cell a@onnx/host output logits has relL2 NaN; a bound must come from finite drift (NaN or Infinity means the output is broken)',
    ]);
    const broken = makeReport([
      modelCell({ id: 'b@litert/host', status: 'error', error: { code: 'E_RUNTIME_OP', message: 'boom' } }),
    ]);
    expect(thrown(() => calibrate(broken, [])).message).toBe(
      'cell b@litert/host did not run (E_RUNTIME_OP: boom); fix it (or leave its variant or runtime out) and calibrate again',
    );
  });
});

describe('tokenizer agreement cells and --texts without labels', () => {
  it('a difference not listed as known fails the cell; listed ones do not', async () => {
    const dir = tempDir();
    const texts = ['plain words here', 'Hello, [MASK] world!'].map((text) => JSON.stringify({ text }));
    writeFileSync(join(dir, 'texts.jsonl'), `${texts.join('\n')}\n`);
    const config = (known: string[]) =>
      configFromValue(
        {
          variants: [{ fixture: 'onnx-float32' }],
          runtimes: [{ name: 'onnx' }],
          inputs: { texts: 'texts.jsonl', maxSeqLength: 16 },
          tokenizer: {
            vocab: resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt'),
            agreement: [
              {
                impl: 'hf-tokenizers',
                tokenizer: resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt'),
                knownDifferences: known,
              },
            ],
          },
          bounds: { float32: { '*': { relL2: 1e-5 } } },
          latencyRuns: 0,
        },
        dir,
      );
    // hf-tokenizers keeps a literal [MASK] as one special token; the reference splits it.
    const failing = await runCheck(config([]));
    const cell = failing.cells[0];
    expect(cell).toMatchObject({ kind: 'tokenizer', status: 'fail', cases: 2, agree: 1, knownDifferences: 0 });
    expect(cell?.kind === 'tokenizer' && cell.mismatches).toEqual([
      { id: 'text-00002', field: 'input_ids', firstDiff: 3 },
    ]);
    expect(failing.inputs).toEqual({ source: 'texts.jsonl', count: 2, maxSeqLength: 16, labelled: false });
    const passing = await runCheck(config(['text-00002']));
    expect(passing.cells[0]).toMatchObject({ status: 'pass', agree: 1, knownDifferences: 1 });
    expect(readFileSync(join(dir, 'texts.jsonl'), 'utf8')).toContain('[MASK]');
  }, 120_000);
});
