import { basename, join, resolve } from 'node:path';
import { type ModelArtifact, type ModelFormat, ParityError } from '@bert-parity/core';
import { factsOf } from '@bert-parity/models';
import type { DerivedPrecision } from '@bert-parity/onnx-derive';
import type { BoundPrecision } from './bounds.ts';
import type { FoundModel } from './discover.ts';
import { bindInputs, type InputBinding, outputKinds, outputsOf } from './signature.ts';

/** One variant of the written config, with what init found out about it. */
export interface VariantPlan {
  name: string;
  /** The file (or Hugging Face folder) the variant names, absolute. */
  file: string;
  format: ModelFormat;
  boundPrecision: BoundPrecision;
  onnxFile?: string;
  artifact: ModelArtifact;
  binding: InputBinding;
  /** What the config says about it. */
  comment: string[];
  /** The model file itself (an hf-dir variant's onnx/ file), to tell twins apart from distinct models. */
  modelFile: string;
  /** Set for variants init derives (written later). */
  derive?: { precision: DerivedPrecision; source: VariantPlan };
}

/** The runtimes that run each format, as the default config sets them up, with why. */
export const RUNTIMES_OF: Readonly<Record<ModelFormat, readonly { config: Record<string, unknown>; why: string }[]>> = {
  onnx: [
    {
      config: { name: 'onnx', batch: 50, threads: 1 },
      why: 'ONNX files on onnxruntime-node; one intra-op thread, so results do not depend on the core count',
    },
  ],
  'tfjs-graph': [
    { config: { name: 'tfjs-wasm', batch: 50 }, why: 'TF.js graph models on the wasm backend (XNNPACK)' },
    {
      config: { name: 'tfjs-cpu', batch: 8, maxCases: 8 },
      why: "tfjs's pure-JS backend is 3-4× slower per row: the first 8 inputs only",
    },
    {
      config: { name: 'tfjs-node', batch: 50, optional: true },
      why: 'the native backend needs @tensorflow/tfjs-node (its install downloads libtensorflow): skipped, saying why, where absent',
    },
  ],
  tflite: [{ config: { name: 'litert' }, why: 'TFLite files on LiteRT.js (fixed-shape models run row by row)' }],
  'hf-dir': [
    {
      config: { name: 'transformers', batch: 50 },
      why: 'Hugging Face folders on transformers.js (dtype fp32/fp16/q8 by file name), offline',
    },
  ],
};

/** The runtime a format's reference runs on: the most exact one that runs it. */
export const REFERENCE_RUNTIME: Readonly<Record<ModelFormat, string>> = {
  onnx: 'onnx',
  'tfjs-graph': 'tfjs-wasm',
  tflite: 'litert',
  'hf-dir': 'transformers',
};

/** transformers.js loads these onnx/ files for dtype fp32, fp16 and q8; other files it cannot pick. */
const TRANSFORMERS_FILES: Readonly<Record<string, BoundPrecision>> = {
  'model.onnx': 'float32',
  'model_fp16.onnx': 'float16',
  'model_quantized.onnx': 'int8',
};

const SAFE_NAME = /[^A-Za-z0-9_.-]/g;

function boundPrecisionOf(a: ModelArtifact): { precision: BoundPrecision; note?: string } {
  if (a.precision !== 'mixed') return { precision: a.precision };
  const integer = a.precisionEvidence.some((e) => e.startsWith('quantization ops'));
  const precision = integer ? 'int8' : 'float16';
  return {
    precision,
    note: `the reader calls it mixed (${a.precisionEvidence.join('; ')}): judged with the ${precision} bounds, the coarser of its precisions`,
  };
}

function describe(a: ModelArtifact): string {
  const facts = a.metadata as { onnx?: { producer: string; opsetImports: { domain: string; version: number }[] } };
  const size = `${a.bytes.toLocaleString('en-US')} bytes`;
  const producer = facts.onnx?.producer ? `, producer ${facts.onnx.producer}` : '';
  const opset = facts.onnx?.opsetImports.find((o) => o.domain === 'ai.onnx');
  return `${a.format}, ${a.precision} (${a.precisionEvidence[0] ?? 'no evidence'})${producer}${opset ? `, opset ${opset.version}` : ''}; ${size}`;
}

function inputsText(b: InputBinding): string {
  const dims = (s: InputBinding['inputs'][number]) =>
    `[${s.shape.map((d, i) => d ?? s.dimNames?.[i] ?? '?').join(', ')}]`;
  const shapes = b.inputs.map((s) => `${s.name} ${s.dtype} ${dims(s)}`).join(', ');
  const seq = b.fixedSeq === undefined ? 'dynamic sequence length' : `fixed sequence length ${b.fixedSeq}`;
  return `inputs ${shapes} (${seq})`;
}

/**
 * The variants of the config from what was found: every model file, and each onnx/ file of a Hugging Face
 * folder twice — as an ONNX file (onnxruntime-node) and as the folder transformers.js loads, for the files
 * transformers.js can pick by dtype. Names are the file names (unique, safe for cell ids).
 */
export function planVariants(
  models: readonly FoundModel[],
  overrides: Readonly<Record<string, string>>,
): VariantPlan[] {
  const used = new Set<string>();
  const nameFor = (base: string) => {
    const clean = base.replace(SAFE_NAME, '_').replace(/^[^A-Za-z0-9]+/, '') || 'model';
    let name = clean;
    for (let k = 2; used.has(name); k++) name = `${clean}-${k}`;
    used.add(name);
    return name;
  };
  const plans: VariantPlan[] = [];
  for (const m of models) {
    const a = m.artifact;
    const label = m.onnxFile === undefined ? m.path : `${m.path} (${m.onnxFile})`;
    const comment: string[] = [];
    if (a.format === 'hf-dir') {
      const expected = TRANSFORMERS_FILES[m.onnxFile ?? ''];
      if (expected === undefined) continue; // run as an ONNX file only
      comment.push(`${basename(m.path)}/onnx/${m.onnxFile} as transformers.js loads the folder: ${describe(a)}`);
    } else {
      comment.push(`${basename(m.path)}: ${describe(a)}`);
    }
    const bp = boundPrecisionOf(a);
    if (bp.note !== undefined) comment.push(bp.note);
    const binding = bindInputs(a, label, overrides);
    comment.push(inputsText(binding));
    if (m.derivedFrom !== undefined) comment.push(`derived earlier by bert-parity init from ${m.derivedFrom}`);
    const stem = basename(m.onnxFile ?? m.path).replace(/\.(onnx|tflite)$/, '');
    plans.push({
      name: nameFor(a.format === 'hf-dir' ? `hf-${stem}` : a.format === 'tfjs-graph' ? basename(m.path) : stem),
      file: m.path,
      format: a.format,
      boundPrecision: bp.precision,
      ...(m.onnxFile === undefined ? {} : { onnxFile: m.onnxFile }),
      artifact: a,
      binding,
      comment,
      modelFile: m.onnxFile === undefined ? m.path : join(m.path, 'onnx', m.onnxFile),
    });
  }
  return plans;
}

/**
 * The reference: --reference (a variant name or its file), else the one float32 model (an ONNX file and the
 * Hugging Face folder holding it are one model; the ONNX file, on onnxruntime-node, is preferred). Two
 * float32 models, or none, cannot be decided here: E_INIT_AMBIGUOUS names the --reference to pass.
 */
export function chooseReference(
  variants: readonly VariantPlan[],
  wanted: string | undefined,
  cwd: string,
): VariantPlan {
  const names = variants.map((v) => v.name).join(', ');
  if (wanted !== undefined) {
    const abs = resolve(cwd, wanted);
    const hit =
      variants.find((v) => v.name === wanted) ?? variants.find((v) => v.modelFile === abs && v.format !== 'hf-dir');
    if (hit === undefined) {
      throw new ParityError(
        'E_USAGE',
        `--reference ${JSON.stringify(wanted)} is no variant; expected one of ${names} (or its file)`,
      );
    }
    return hit;
  }
  const float32 = variants.filter((v) => v.boundPrecision === 'float32');
  const files = [...new Set(float32.map((v) => v.modelFile))];
  if (files.length === 1) {
    const twins = float32.filter((v) => v.modelFile === files[0]);
    return twins.find((v) => v.format !== 'hf-dir') ?? (twins[0] as VariantPlan);
  }
  if (files.length === 0) {
    throw new ParityError(
      'E_INIT_AMBIGUOUS',
      `no float32 model to be the reference among ${names}; pass --reference NAME to compare against one of them`,
    );
  }
  const list = files.map(
    (f) =>
      `${float32.find((v) => v.modelFile === f && v.format !== 'hf-dir')?.name ?? float32.find((v) => v.modelFile === f)?.name} (${f})`,
  );
  throw new ParityError(
    'E_INIT_AMBIGUOUS',
    `${files.length} float32 models could be the reference: ${list.join(', ')}; pass --reference NAME with the one the others are compared to`,
  );
}

/** Checks every variant has the reference's outputs, and that their names can name golden output files. */
export function referenceOutputs(
  reference: VariantPlan,
  variants: readonly VariantPlan[],
): { names: string[]; token: string[]; classifier: string[] } {
  const outputs = outputsOf(reference.artifact);
  const names = outputs.map((o) => o.name);
  const unsafe = names.find((n) => !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(n));
  if (unsafe !== undefined) {
    throw new ParityError(
      'E_INIT_SIGNATURE',
      `${reference.name}: output ${JSON.stringify(unsafe)} cannot name a golden output file (expected letters, digits, "_" and "-"); add outputMapping: { <name>: '${unsafe}' } to each variant of the written config`,
    );
  }
  for (const v of variants) {
    const own = outputsOf(v.artifact).map((o) => o.name);
    const missing = names.filter((n) => !own.includes(n));
    if (missing.length > 0) {
      throw new ParityError(
        'E_INIT_SIGNATURE',
        `${v.name} has no output ${missing.join(', ')} (its outputs: ${own.join(', ') || 'none'}), which the reference ${reference.name} has; give it an outputMapping in the written config, or leave it out of the paths`,
      );
    }
  }
  return { names, ...outputKinds(outputs) };
}

/** The embedding table must have a row for every id of the vocabulary. */
export function checkEmbedding(variants: readonly VariantPlan[], vocabSize: number, vocabPath: string): void {
  for (const v of variants) {
    const e = factsOf(v.artifact).embedding;
    if (e !== undefined && e.rows < vocabSize) {
      throw new ParityError(
        'E_INIT_VOCAB',
        `${v.name}: the embedding table ${e.table} has ${e.rows} rows but ${vocabPath} has ${vocabSize} ids (ids ≥ ${e.rows} fail in ${e.op}); pass --vocab with the vocabulary the model was trained with`,
      );
    }
  }
}

/** Where a derived variant goes: beside the config, named after its source. */
export function derivedPath(outDir: string, source: VariantPlan, precision: DerivedPrecision): string {
  const stem = basename(source.modelFile).replace(/\.onnx$/, '');
  return join(outDir, `${stem}.${precision}.onnx`);
}
