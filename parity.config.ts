import { defineConfig } from './packages/parity/src/config/index.ts';

/**
 * The default parity check (`pnpm test:parity`): every standard embedded fixture of both architectures,
 * BERT and MobileBERT (ONNX, TF.js graph model, TFLite, Hugging Face folder × float32, float16, int8/uint8),
 * and the files torch.onnx.export writes from the same weights, on every runtime that runs their format,
 * each against the float64 forward pass of its own fixture, on the first 200 texts of the golden dev
 * corpus at max_seq_length 128, plus the tokenizer's conformance on the project's golden file.
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
const MOBILEBERT_FIXTURES = [
  ['mobilebert-onnx-float32', 'float32'],
  ['mobilebert-onnx-float16', 'float16'],
  ['mobilebert-onnx-int8', 'int8'],
  ['mobilebert-tfjs-float32', 'float32'],
  ['mobilebert-tfjs-float16', 'float16'],
  ['mobilebert-tfjs-uint8', 'uint8'],
  ['mobilebert-tflite-float32', 'float32'],
  ['mobilebert-tflite-float16', 'float16'],
  ['mobilebert-tflite-int8', 'int8'],
  ['mobilebert-hf-float32', 'float32'],
  ['mobilebert-hf-float16', 'float16'],
  ['mobilebert-hf-int8', 'int8'],
] as const;

/**
 * MobileBERT's own bounds (per variant; they replace the top-level ones below for its cells). NoNorm has no
 * normalization to absorb rounding error and the bottlenecks amplify it, so its float16 and quantized drift
 * is 1.5-2.5× BERT's. Measured (relL2 vs its float64 pass, 200 corpus texts; tfjs-cpu 4):
 *   float32   all formats and runtimes       hidden 2.3e-7..4.3e-7, pooler ≤ 5.3e-7, logits ≤ 6.2e-7, top-1 100%
 *   float16   ONNX / TF.js / TFLite           hidden 9.0e-4..9.4e-4, pooler ≤ 1.32e-3, logits 1.22e-3..1.53e-3, top-1 100%
 *   int8      ONNX (dynamic quantization)     hidden 2.98e-2, pooler 4.32e-2, logits 4.98e-2, top-1 94.0%, cosine 0.9988
 *             (batches of 50; one batch of 200 gives logits 5.28e-2: DynamicQuantizeLinear scales per batch)
 *   int8      TFLite (dynamic-range)          hidden 1.95e-2, pooler 2.65e-2, logits 2.91e-2, top-1 98.0%
 *   uint8     TF.js (uint8 weight storage)    hidden 1.56e-2..1.80e-2, pooler ≤ 2.21e-2, logits ≤ 2.65e-2, top-1 97.5%
 * The torch.onnx.export files drift exactly as our float32 ONNX export (onnxruntime runs both graphs with
 * the same fused kernels).
 */
const MOBILEBERT_BOUNDS = {
  // As BERT's: float32 rounding is the same story in either architecture.
  float32: {
    '*': { relL2: 1e-5, cosineMin: 0.99999 },
    logits: { relL2: 1e-5, cosineMin: 0.99999, top1AgreementMin: 1 },
  },
  // 3e-3 is ×2 over the worst output (1.53e-3); BERT's 2e-3 would leave ×1.3.
  float16: {
    '*': { relL2: 3e-3, cosineMin: 0.9999 },
    logits: { relL2: 3e-3, cosineMin: 0.9999, top1AgreementMin: 0.97 },
  },
  // 1e-1 is ×2 over ONNX's dynamically quantized logits (4.98e-2); cosine 0.995 over 0.9988. Top-1 as BERT's.
  int8: {
    '*': { relL2: 1e-1, cosineMin: 0.995 },
    logits: { relL2: 1e-1, cosineMin: 0.995, top1AgreementMin: 0.85 },
  },
  // 6e-2 is ×2.3 over the worst (2.65e-2).
  uint8: {
    '*': { relL2: 6e-2, cosineMin: 0.998 },
    logits: { relL2: 6e-2, cosineMin: 0.998, top1AgreementMin: 0.85 },
  },
} as const;

const TORCH_FIXTURES = [
  ['onnx-torch-bert-opset14-float32', undefined],
  ['onnx-torch-bert-opset17-float32', undefined],
  ['hf-torch-bert-float32', undefined],
  ['onnx-torch-mobilebert-opset14-float32', MOBILEBERT_BOUNDS.float32],
  ['onnx-torch-mobilebert-opset17-float32', MOBILEBERT_BOUNDS.float32],
  ['hf-torch-mobilebert-float32', MOBILEBERT_BOUNDS.float32],
] as const;

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
    // MobileBERT (4 layers, hidden 64, bottleneck 32, 2 stacked FFNs, NoNorm, relu) in every format.
    ...MOBILEBERT_FIXTURES.map(([fixture, precision]) => ({ fixture, bounds: MOBILEBERT_BOUNDS[precision] })),
    // What torch.onnx.export writes from the same weights (python3-torch): optional, so a machine without
    // it skips these cells, saying how to install it; CI installs it. Host only, to keep the default run
    // within a minute: in the browser they drift as our own float32 exports do (README, "Browser").
    ...TORCH_FIXTURES.map(([fixture, bounds]) => ({ fixture, optional: true, bounds, platforms: ['host' as const] })),
  ],
  runtimes: [
    // One intra-op thread: results do not depend on the machine's core count.
    { name: 'onnx', batch: 50, threads: 1 },
    { name: 'tfjs-wasm', batch: 50 },
    // tfjs's pure-JS backend runs the same float32 math ~14× slower per row than wasm now that wasm runs
    // the dense layers on XNNPACK (CPU time, BERT float32: ~200 vs ~14 ms per 128-token row), so it checks
    // the first 4 texts only (its top-1 is over 4 texts: coarse) and takes no latency figure (nobody ships
    // it for speed); with both architectures and the browser column that keeps the run near a minute.
    { name: 'tfjs-cpu', batch: 4, maxCases: 4, latencyRuns: 0 },
    // tfjs's native backend needs @tensorflow/tfjs-node, whose install downloads libtensorflow: not a
    // dependency here. Optional: its cells run where it is installed and are skipped, saying why, elsewhere.
    { name: 'tfjs-node', batch: 50, optional: true },
    // TFLite's inputs are fixed [1, 128]: the session runs one row at a time whatever the batch.
    { name: 'litert' },
    // transformers.js runs the same ONNX files through its own onnxruntime-node, offline.
    { name: 'transformers', batch: 50 },
    // Browser only (platform browser below): onnxruntime-web's wasm kernels, and TF.js on WebGL. Without a
    // GPU, WebGL is SwiftShader drawing on the CPU (about 1 s of CPU per batch of 4 here, its shaders 4.5 s
    // once), so tfjs-webgl checks the first 4 texts (top-1 over 4: coarse; all 200 in the README's table).
    { name: 'onnx-web', batch: 50, threads: 1 },
    { name: 'tfjs-webgl', batch: 4, maxCases: 4 },
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
  // One timed repeat of each cell's first batch: this run gates drift; `pnpm bench:runtimes` measures
  // latency properly. Three repeats took a seventh of the run's CPU time here.
  latencyRuns: 1,
});
