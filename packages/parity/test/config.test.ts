import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isParityError, type ParityError } from '@bert-parity/core';
import { describe, expect, it } from 'vitest';
import defaultConfig from '../../../parity.config.ts';
import { configFromValue, loadConfig, parseConfig } from '../src/config/index.ts';
import { parseShard, planCells, shardCells } from '../src/engine/index.ts';
import { REPO_ROOT } from '../src/paths.ts';

const minimal = {
  variants: [{ fixture: 'onnx-float32' }],
  runtimes: [{ name: 'onnx' }],
  tokenizer: { vocab: 'golden/vocab/fixture-uncased.txt' },
  bounds: { float32: { '*': { relL2: 1e-5 } } },
};

function configError(raw: unknown): ParityError {
  try {
    parseConfig(raw, 'test.json');
  } catch (e) {
    if (isParityError(e, 'E_CONFIG')) return e;
    throw e;
  }
  throw new Error('expected E_CONFIG');
}

describe('parity config', () => {
  it('fills the documented defaults', () => {
    const c = parseConfig(minimal, 'test.json');
    expect(c.platforms).toEqual([{ name: 'host', optional: false }]);
    expect(c.inputs).toEqual({ corpus: 'golden/corpus.dev.jsonl', count: 200, types: ['text'], maxSeqLength: 128 });
    expect(c.reference).toEqual({ kind: 'float64-fixture' });
    expect(c.runtimes[0]).toEqual({ name: 'onnx', batch: 16, optional: false });
    expect(c.tokenOutputs).toEqual(['last_hidden_state']);
    expect(c.classifierOutputs).toEqual(['logits']);
    expect(c.latencyRuns).toBe(3);
  });

  it('accepts the default parity.config.ts: every standard fixture of both architectures and the torch files on every runtime, bounds per precision', () => {
    const c = parseConfig(defaultConfig, 'parity.config.ts');
    const standard = ['onnx', 'tfjs', 'tflite', 'hf'].flatMap((format) =>
      ['float32', 'float16', format === 'tfjs' ? 'uint8' : 'int8'].map((precision) => `${format}-${precision}`),
    );
    const torch = ['bert', 'mobilebert'].flatMap((family) => [
      `onnx-torch-${family}-opset14-float32`,
      `onnx-torch-${family}-opset17-float32`,
      `hf-torch-${family}-float32`,
    ]);
    expect(c.variants.map((v) => ('fixture' in v ? v.fixture : v.file))).toEqual([
      ...standard,
      ...standard.map((id) => `mobilebert-${id}`),
      ...torch,
    ]);
    // The torch files need python3-torch: optional, so a machine without it skips them; host only.
    expect(c.variants.filter((v) => v.optional).map((v) => ('fixture' in v ? v.fixture : v.file))).toEqual(torch);
    expect(c.variants.filter((v) => v.platforms !== undefined).map((v) => v.platforms)).toEqual(
      torch.map(() => ['host']),
    );
    // MobileBERT carries its own bounds; BERT uses the top-level ones.
    const mobile = c.variants.find((v) => 'fixture' in v && v.fixture === 'mobilebert-onnx-int8');
    expect(mobile?.bounds?.logits).toEqual({ relL2: 1e-1, cosineMin: 0.995, top1AgreementMin: 0.85 });
    expect(c.variants.find((v) => 'fixture' in v && v.fixture === 'onnx-int8')?.bounds).toBeUndefined();
    expect(c.runtimes.map((r) => r.name)).toEqual([
      'onnx',
      'tfjs-wasm',
      'tfjs-cpu',
      'tfjs-node',
      'litert',
      'transformers',
      'onnx-web',
      'tfjs-webgl',
    ]);
    expect(c.platforms).toEqual([
      { name: 'host', optional: false },
      { name: 'browser', optional: true, maxCases: 16 },
    ]);
    expect(Object.keys(c.bounds).sort()).toEqual(['float16', 'float32', 'int8', 'uint8']);
    expect(c.bounds.int8?.logits).toEqual({ relL2: 4e-2, cosineMin: 0.999, top1AgreementMin: 0.85 });
  });

  it('platforms: a name, or an object that makes it optional or caps its cases; mistakes are named', () => {
    const c = parseConfig({ ...minimal, platforms: ['host', { name: 'browser', optional: true, maxCases: 8 }] }, 't');
    expect(c.platforms).toEqual([
      { name: 'host', optional: false },
      { name: 'browser', optional: true, maxCases: 8 },
    ]);
    expect(configError({ ...minimal, platforms: [{ name: 'browser', maxCases: 0 }] }).message).toBe(
      'test.json: platforms[0].maxCases: Too small: expected number to be >0 (got 0)',
    );
    expect(configError({ ...minimal, platforms: ['phone'] }).message).toBe(
      'test.json: platforms[0]: Invalid option: expected one of "host"|"android"|"browser" (got "phone")',
    );
  });

  it('a variant that lists its platforms gets cells on those only; an unknown platform is named', () => {
    const c = parseConfig(
      {
        ...minimal,
        variants: [{ fixture: 'onnx-float32' }, { fixture: 'onnx-int8', platforms: ['host'] }],
        runtimes: [{ name: 'onnx' }, { name: 'onnx-web' }],
        platforms: ['host', 'browser'],
      },
      't',
    );
    const variants = c.variants.map((config, i) => ({
      name: `v${i}`,
      config,
      path: `/m/v${i}.onnx`,
      format: 'onnx' as const,
      precision: 'float32' as const,
    }));
    expect(planCells(c, '/m', variants, c.platforms).map((cell) => cell.id)).toEqual([
      'v0@onnx/host',
      'v0@onnx-web/browser',
      'v1@onnx/host',
    ]);
    expect(configError({ ...minimal, variants: [{ fixture: 'onnx-int8', platforms: ['phone'] }] }).message).toBe(
      'test.json: variants[0].platforms[0]: Invalid option: expected one of "host"|"android"|"browser" (got "phone")',
    );
  });

  it('names the path, the value and the expectation of a wrong type', () => {
    const e = configError({ ...minimal, bounds: { int8: { logits: { relL2: 'small' } } } });
    expect(e.message).toBe(
      'test.json: bounds.int8.logits.relL2: Invalid input: expected number, received string (got "small")',
    );
  });

  it('names an unknown runtime with the allowed ones', () => {
    const e = configError({ ...minimal, runtimes: [{ name: 'onnx' }, { name: 'tensorrt' }] });
    expect(e.message).toBe(
      'test.json: runtimes[1].name: Invalid option: expected one of "onnx"|"tfjs-wasm"|"tfjs-cpu"|"tfjs-node"|"litert"|"transformers"|"onnx-web"|"onnx-webgpu"|"tfjs-webgl" (got "tensorrt")',
    );
  });

  it('reports a bad variant against the branch it resembles, and unknown keys', () => {
    const e = configError({ ...minimal, variants: [{ file: 'm.onnx', precision: 'int4' }] });
    expect(e.message).toBe(
      'test.json: variants[0].precision: Invalid option: expected one of "float32"|"float16"|"int8"|"uint8"|"mixed" (got "int4")',
    );
    const k = configError({ ...minimal, latencyRunz: 3 });
    expect(k.message).toBe('test.json: (root): unknown key(s) "latencyRunz"');
  });

  it('names a missing required section', () => {
    const { tokenizer: _omitted, ...rest } = minimal;
    expect(configError(rest).message).toBe(
      'test.json: tokenizer: Invalid input: expected object, received undefined (got missing)',
    );
  });

  it('names an unknown precision key in bounds and a bad reference kind', () => {
    expect(configError({ ...minimal, bounds: { int4: {} } }).message).toBe('test.json: bounds: unknown key(s) "int4"');
    expect(configError({ ...minimal, reference: { kind: 'python' } }).message).toBe(
      `test.json: reference.kind: Invalid discriminator value. Expected 'float64-fixture' | 'runtime' | 'auto' | 'golden-outputs' (got "python")`,
    );
  });

  it('loads JSON files and reports unreadable or invalid ones as E_CONFIG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-config-'));
    const good = join(dir, 'parity.config.json');
    writeFileSync(good, JSON.stringify(minimal));
    const loaded = await loadConfig(good);
    expect(loaded.baseDir).toBe(dir);
    expect(loaded.sha256).toBe(createHash('sha256').update(JSON.stringify(minimal)).digest('hex'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "variants": ');
    await expect(loadConfig(bad)).rejects.toMatchObject({
      code: 'E_CONFIG',
      message: `${bad}: not valid JSON (Unexpected end of JSON input)`,
    });
    await expect(loadConfig(join(dir, 'absent.json'))).rejects.toMatchObject({
      code: 'E_CONFIG',
      message: `cannot read config ${join(dir, 'absent.json')}: ENOENT`,
    });
  });

  it('loads the TypeScript default config through defineConfig', async () => {
    const loaded = await loadConfig(join(REPO_ROOT, 'parity.config.ts'));
    expect(loaded.path).toBe(join(REPO_ROOT, 'parity.config.ts'));
    expect(loaded.config.inputs.count).toBe(200);
  });

  it('configFromValue resolves against the given folder', () => {
    expect(configFromValue(minimal, '/x').baseDir).toBe('/x');
  });
});

describe('configs found by pnpm fuzz', () => {
  it('a value nested 100,000 deep is E_CONFIG with the value cut short (its message overflowed the stack)', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(configError({ ...minimal, runtimes: deep }).message).toBe(
      `test.json: runtimes[0]: Invalid input: expected object, received array (got ${'['.repeat(80)}…)`,
    );
  });
});

describe('--shard', () => {
  it('parses i/n and rejects anything else', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, total: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3']) {
      expect(() => parseShard(bad)).toThrow(/expected i\/n with 1 <= i <= n/);
    }
  });

  it('deals cells round-robin: cell k goes to shard (k mod n) + 1; shards partition the plan', () => {
    const cells = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(shardCells(cells, { index: 1, total: 3 })).toEqual(['a', 'd', 'g']);
    expect(shardCells(cells, { index: 2, total: 3 })).toEqual(['b', 'e']);
    expect(shardCells(cells, { index: 3, total: 3 })).toEqual(['c', 'f']);
    expect(shardCells(cells, undefined)).toEqual(cells);
  });
});
