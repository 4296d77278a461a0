import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coded } from '@bert-parity/core/testing';
import {
  type AnyFixtures,
  type BertOutputs,
  buildFixtures,
  buildMobileBertFixtures,
  sampleInputs,
} from '@bert-parity/fixtures';
import { float64Tensor, measure } from '@bert-parity/metrics';
import { loadModelSync } from '@bert-parity/models';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTorchExports, resetTorchProbe, torchForward64, torchUnavailable } from '../src/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'bert-parity-torch-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** max |a - b| / max |b| over every element: relative to the output's scale, as the 1e-12 bound is meant. */
function relativeError(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / scale;
}

async function withPython<T>(python: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.BERT_PARITY_PYTHON;
  process.env.BERT_PARITY_PYTHON = python;
  resetTorchProbe();
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.BERT_PARITY_PYTHON;
    else process.env.BERT_PARITY_PYTHON = saved;
    resetTorchProbe();
  }
}

describe('the torch generator without PyTorch', () => {
  it('says how to install it when the Python does not exist', async () => {
    const python = join(tmp, 'no-python3');
    const e = await withPython(python, () => coded(buildMobileBertFixtures().then(buildTorchExports)));
    expect([e.code, e.message]).toEqual([
      'E_GENERATOR_UNAVAILABLE',
      `the torch.onnx.export fixtures need PyTorch for ${python}, which cannot import it (${python} does not exist); install it with apt-get install -y python3-torch (Debian 12 ships PyTorch 1.13 for /usr/bin/python3)`,
    ]);
  });

  it("says how to install it when the Python cannot import torch, quoting Python's last line", async () => {
    const python = join(tmp, 'python-without-torch');
    writeFileSync(python, '#!/bin/sh\necho "ModuleNotFoundError: No module named \'torch\'" >&2\nexit 1\n');
    chmodSync(python, 0o755);
    const e = await withPython(python, () => coded(buildFixtures().then(buildTorchExports)));
    expect([e.code, e.message]).toEqual([
      'E_GENERATOR_UNAVAILABLE',
      `the torch.onnx.export fixtures need PyTorch for ${python}, which cannot import it (ModuleNotFoundError: No module named 'torch'); install it with apt-get install -y python3-torch (Debian 12 ships PyTorch 1.13 for /usr/bin/python3)`,
    ]);
  });
});

const missing = await torchUnavailable();
if (missing !== undefined) console.warn(`torch-export tests skipped: ${missing}`);

describe.skipIf(missing !== undefined)('with python3-torch', async () => {
  const families: [string, AnyFixtures][] = [
    ['MobileBERT', (await buildMobileBertFixtures()) as AnyFixtures],
    ['BERT', (await buildFixtures()) as AnyFixtures],
  ];

  describe.each(families)('%s', (_name, fixtures) => {
    // Padded rows of different lengths, both segments: every path of the forward pass.
    const inputs = sampleInputs(fixtures.config, 3, 24, 17);

    it('the factory float64 forward pass equals the PyTorch model in float64 on the same weights within 1e-12 relative', async () => {
      const ours = fixtures.reference.forward(inputs);
      const torch = await torchForward64(fixtures, inputs);
      for (const key of ['lastHiddenState', 'poolerOutput', 'logits'] as (keyof BertOutputs)[]) {
        expect(torch[key].length).toBe(ours[key].length);
        expect(relativeError(torch[key], ours[key])).toBeLessThan(1e-12);
      }
    });

    it('torch.onnx.export writes opset 14 and 17 files that agree with our ONNX export in onnxruntime', async () => {
      const exports = await buildTorchExports(fixtures);
      const ort = await import('onnxruntime-node');
      const int64 = (a: ArrayLike<number>) =>
        new ort.Tensor(
          'int64',
          BigInt64Array.from(Array.from(a), (v) => BigInt(v)),
          [inputs.batch, inputs.seqLength],
        );
      const run = async (path: string) => {
        const session = await ort.InferenceSession.create(path);
        try {
          const out = await session.run({
            input_ids: int64(inputs.inputIds),
            attention_mask: int64(inputs.attentionMask),
            token_type_ids: int64(inputs.tokenTypeIds),
          });
          return out.logits?.data as Float32Array;
        } finally {
          await session.release();
        }
      };
      const ref = fixtures.reference.forward(inputs).logits;
      const ours = await run(
        fixtures.files.find((f) => f.format === 'onnx' && f.precision === 'float32')?.path as string,
      );
      const relL2 = (a: Float32Array, b: ArrayLike<number>) => measure(float64Tensor(a), float64Tensor(b)).stats.relL2;
      for (const opset of [14, 17] as const) {
        const theirs = await run(exports.onnx[opset]);
        // Both are float32 renderings of the same float64 model: within float32 rounding of the reference
        // and of each other (measured: bit-identical logits; onnxruntime fuses both graphs into the same kernels).
        expect(relL2(theirs, ref)).toBeLessThan(1e-6);
        expect(relL2(theirs, ours)).toBeLessThan(1e-6);
      }
    });

    it('the exported files are what PyTorch writes: producer pytorch, int64 inputs, dynamic batch and sequence', async () => {
      const exports = await buildTorchExports(fixtures);
      for (const opset of [14, 17] as const) {
        const a = loadModelSync(exports.onnx[opset]);
        const onnx = a.metadata.onnx as { producer: string; opsetImports: { domain: string; version: number }[] };
        expect(onnx.producer).toMatch(/^pytorch \d+\.\d+/);
        expect(onnx.opsetImports).toEqual([{ domain: 'ai.onnx', version: opset }]);
        expect(a.signature?.inputs.map((i) => [i.name, i.dtype, i.shape])).toEqual([
          ['input_ids', 'int64', [null, null]],
          ['attention_mask', 'int64', [null, null]],
          ['token_type_ids', 'int64', [null, null]],
        ]);
        expect(a.signature?.outputs.map((o) => o.name)).toEqual(['last_hidden_state', 'pooler_output', 'logits']);
      }
      // opset 17 has LayerNormalization: torch writes it for BERT's nn.LayerNorm (MobileBERT's NoNorm has none).
      const ops = (path: string) => new Set(loadModelSync(path).ops.map((o) => o.name));
      expect(ops(exports.onnx[17]).has('LayerNormalization')).toBe(fixtures.family === 'bert');
      expect(ops(exports.onnx[14]).has('LayerNormalization')).toBe(false);
    });
  });
});
