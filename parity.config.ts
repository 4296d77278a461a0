import { defineConfig } from './packages/parity/src/config/index.ts';

/**
 * The default parity check (`pnpm test:parity`): every standard embedded fixture (ONNX, TF.js graph
 * model, TFLite, Hugging Face folder × float32, float16, int8/uint8) on every runtime that runs its format, against the
 * fixtures' float64 forward pass, on the first 200 texts of the golden dev corpus at max_seq_length 128,
 * plus the tokenizer's conformance on the project's golden file.
 *
 * Bounds are the measured drift with headroom. Drift (relL2 vs float64, 200 corpus texts; `pnpm
 * bert-parity check` prints the same numbers, `pnpm fixtures:drift` measures them independently; the
 * browser's, host beside browser, are in the README's "Browser" section):
 *   float32   all formats and runtimes       hidden 1.6e-7..2.7e-7, pooler ≤ 3.6e-7, logits ≤ 4.0e-7 (browser included)
 *   float16   ONNX / TF.js / TFLite           hidden 6.3e-4..6.6e-4, pooler ≤ 7.1e-4, logits 8.0e-4..8.2e-4, top-1 99.5%
 *   int8      ONNX (dynamic quantization)     hidden 1.25e-2, pooler 1.89e-2, logits 2.10e-2, top-1 91.5%
 *   int8      TFLite (dynamic-range)          hidden 8.5e-3,  pooler 1.36e-2, logits 1.92e-2, top-1 98.0%
 *   uint8     TF.js (uint8 weight storage)    hidden 8.4e-3,  pooler 1.19e-2, logits 1.31e-2, top-1 94.5%
 */
export default defineConfig({
  variants: [
    { fixture: 'onnx-float32' },
    { fixture: 'onnx-float16' },
    { fixture: 'onnx-int8' },
    { fixture: 'tfjs-float32' },
    { fixture: 'tfjs-float16' },
    { fixture: 'tfjs-uint8' },
    { fixture: 'tflite-float32' },
    { fixture: 'tflite-float16' },
    { fixture: 'tflite-int8' },
    // The ONNX fixtures in a Hugging Face folder, as transformers.js loads them (dtypes fp32, fp16, q8).
    { fixture: 'hf-float32' },
    { fixture: 'hf-float16' },
    { fixture: 'hf-int8' },
  ],
  runtimes: [
    // One intra-op thread: results do not depend on the machine's core count.
    { name: 'onnx', batch: 50, threads: 1 },
    { name: 'tfjs-wasm', batch: 50 },
    // tfjs's pure-JS backend is 3-4× slower than wasm per row with the same float32 math, so it checks
    // the first 8 texts only (its top-1 is over 8 texts: coarse); that keeps the run under a minute.
    { name: 'tfjs-cpu', batch: 8, maxCases: 8 },
    // tfjs's native backend needs @tensorflow/tfjs-node, whose install downloads libtensorflow: not a
    // dependency here. Optional: its cells run where it is installed and are skipped, saying why, elsewhere.
    { name: 'tfjs-node', batch: 50, optional: true },
    // TFLite's inputs are fixed [1, 128]: the session runs one row at a time whatever the batch.
    { name: 'litert' },
    // transformers.js runs the same ONNX files through its own onnxruntime-node, offline.
    { name: 'transformers', batch: 50 },
    // Browser only (platform browser below): onnxruntime-web's wasm kernels, and TF.js on WebGL.
    { name: 'onnx-web', batch: 50, threads: 1 },
    { name: 'tfjs-webgl', batch: 8, maxCases: 8 },
  ],
  // The browser column: the same cells in headless Chromium (tfjs-wasm, litert and transformers run their
  // web builds there). Optional: where no Chromium is installed its cells are skipped, saying why.
  platforms: ['host', { name: 'browser', optional: true, maxCases: 16 }],
  inputs: { corpus: 'golden/corpus.dev.jsonl', count: 200, types: ['text'], maxSeqLength: 128 },
  tokenizer: {
    vocab: 'golden/vocab/fixture-uncased.txt',
    lowercase: true,
    conformance: [{ impl: 'ours', golden: ['golden/tokenizer/fixture-uncased.lower.dev.jsonl'] }],
  },
  reference: { kind: 'float64-fixture' },
  bounds: {
    // float32 differs from float64 only by rounding and summation order: ~3e-7. 1e-5 leaves ×25 for other
    // runtimes and thread counts, and is still 60× below float16's drift, so a float16 path sneaking
    // into a float32 model fails.
    float32: {
      '*': { relL2: 1e-5, cosineMin: 0.99999 },
      logits: { relL2: 1e-5, cosineMin: 0.99999, top1AgreementMin: 1 },
    },
    // float16 (10-bit mantissa): 6.3e-4..8.2e-4 measured; 2e-3 is ×2.4 over the worst output.
    // Top-1 99.5% measured (one text of 200 sits on a near-tie); 0.97 allows a few more ties.
    float16: {
      '*': { relL2: 2e-3, cosineMin: 0.9999 },
      logits: { relL2: 2e-3, cosineMin: 0.9999, top1AgreementMin: 0.97 },
    },
    // int8: the worst output is ONNX's dynamically quantized logits at 2.1e-2; 4e-2 is ×1.9 over it.
    // Top-1 91.5% (ONNX) .. 98% (TFLite): the 28-way classifier of a random-weight model has close
    // logits, so quantization noise flips some argmaxes; 0.85 catches a broken quantizer (chance is 1/28).
    int8: {
      '*': { relL2: 4e-2, cosineMin: 0.999 },
      logits: { relL2: 4e-2, cosineMin: 0.999, top1AgreementMin: 0.85 },
    },
    // uint8 weight storage (TF.js, float32 compute): 1.31e-2 at worst; 3e-2 is ×2.3. Top-1 94.5%.
    uint8: {
      '*': { relL2: 3e-2, cosineMin: 0.999 },
      logits: { relL2: 3e-2, cosineMin: 0.999, top1AgreementMin: 0.85 },
    },
  },
  latencyRuns: 3,
});
