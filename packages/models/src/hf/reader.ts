import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ModelArtifact, ParityError, preview } from '@bert-parity/core';
import { readOnnx } from '../onnx/reader.ts';

/** Tokenizer files transformers.js and transformers look for beside config.json. */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'special_tokens_map.json'];
/** transformers.js picks onnx/model.onnx by default; the others by dtype (fp16, quantized, int8, q4 ...). */
const PREFERRED = 'model.onnx';

export interface HfFacts {
  readonly modelType?: string;
  readonly architectures: readonly string[];
  /** config.json vocab_size. */
  readonly vocabSize?: number;
  /** Lines of vocab.txt (ids 0..n-1), when the folder has one. */
  readonly vocabTxtSize?: number;
  readonly tokenizerFiles: readonly string[];
  /** Every onnx/model*.onnx, with sizes; `chosen` is the one described. */
  readonly onnxVariants: readonly { readonly file: string; readonly bytes: number }[];
  readonly chosen: string;
}

export function isHfFolder(dir: string): boolean {
  return existsSync(join(dir, 'config.json'));
}

/**
 * Reads a Hugging Face model folder laid out for transformers.js: config.json, tokenizer files, and ONNX
 * exports under onnx/ (model.onnx, model_fp16.onnx, model_quantized.onnx, ...). The artifact describes the
 * chosen ONNX file (model.onnx unless `variant` names another) and lists every file of the folder it uses.
 */
export function readHfFolder(dir: string, variant?: string): ModelArtifact {
  const configPath = join(dir, 'config.json');
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new ParityError('E_MODEL_CORRUPT', `Hugging Face folder ${dir}: config.json is not valid JSON`, { cause });
  }
  if (config === null || typeof config !== 'object') {
    throw new ParityError('E_MODEL_CORRUPT', `Hugging Face folder ${dir}: config.json is not a JSON object`);
  }
  const onnxDir = join(dir, 'onnx');
  const variants = existsSync(onnxDir)
    ? readdirSync(onnxDir)
        .filter((f) => /^model.*\.onnx$/.test(f))
        .sort()
        .map((f) => ({ file: `onnx/${f}`, bytes: statSync(join(onnxDir, f)).size }))
    : [];
  if (variants.length === 0) {
    throw new ParityError(
      'E_MODEL_FORMAT',
      `Hugging Face folder ${dir} has no onnx/model*.onnx; transformers.js loads onnx/model.onnx (or model_fp16.onnx, model_quantized.onnx, ...)`,
    );
  }
  const wanted = variant ?? PREFERRED;
  const chosen =
    variants.find((v) => v.file === `onnx/${wanted}` || v.file === wanted) ??
    (variant === undefined ? variants[0] : undefined);
  if (chosen === undefined) {
    throw new ParityError(
      'E_MODEL_READ',
      `Hugging Face folder ${dir} has no ${wanted}; it has ${variants.map((v) => v.file).join(', ')}`,
    );
  }
  const onnx = readOnnx(readFileSync(join(dir, chosen.file)), join(dir, chosen.file));
  const tokenizerFiles = TOKENIZER_FILES.filter((f) => existsSync(join(dir, f)));
  const vocabTxt = join(dir, 'vocab.txt');
  const vocabTxtSize = existsSync(vocabTxt) ? countLines(readFileSync(vocabTxt, 'utf8')) : undefined;
  const vocabSize = typeof config.vocab_size === 'number' ? config.vocab_size : undefined;
  const hf: HfFacts = {
    ...(typeof config.model_type === 'string' ? { modelType: config.model_type } : {}),
    // Names as written; anything else shown with preview (String() of a deeply nested array overflows).
    architectures: Array.isArray(config.architectures)
      ? config.architectures.map((a: unknown) => (typeof a === 'string' ? a : preview(a)))
      : [],
    ...(vocabSize === undefined ? {} : { vocabSize }),
    ...(vocabTxtSize === undefined ? {} : { vocabTxtSize }),
    tokenizerFiles,
    onnxVariants: variants,
    chosen: chosen.file,
  };
  const extra = ['config.json', ...tokenizerFiles].map((f) => ({
    path: join(dir, f),
    bytes: statSync(join(dir, f)).size,
  }));
  const files = [...extra, ...onnx.files];
  return {
    ...onnx,
    format: 'hf-dir',
    path: dir,
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    metadata: { ...onnx.metadata, hf },
  };
}

/** vocab.txt lines as google-research/bert counts them: a final newline does not start another token. */
function countLines(text: string): number {
  if (text === '') return 0;
  const lines = text.split(/\r\n|\r|\n/);
  return lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
}
