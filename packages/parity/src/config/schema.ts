import { z } from 'zod';

/**
 * The parity config: what `bert-parity check` runs (variants × runtimes × platforms), on which inputs,
 * against which reference and within which bounds. Written as `parity.config.ts` (defineConfig) or JSON;
 * both go through this schema, so every mistake is reported with its path in the config.
 */

/** Runtimes with an adapter in this process: the host platform runs these. */
export const HOST_RUNTIME_NAMES = ['onnx', 'tfjs-wasm', 'tfjs-cpu', 'tfjs-node', 'litert', 'transformers'] as const;
/** Runtimes of the browser platform only: onnxruntime-web (wasm, WebGPU) and TF.js's WebGL backend. */
export const BROWSER_ONLY_RUNTIME_NAMES = ['onnx-web', 'onnx-webgpu', 'tfjs-webgl'] as const;
export const RUNTIME_NAMES = [...HOST_RUNTIME_NAMES, ...BROWSER_ONLY_RUNTIME_NAMES] as const;
export const PLATFORM_NAMES = ['host', 'android', 'browser'] as const;
export const PRECISIONS = ['float32', 'float16', 'int8', 'uint8', 'mixed'] as const;
export const FORMATS = ['onnx', 'tfjs-graph', 'tflite', 'hf-dir'] as const;

const positiveInt = z.number().int().positive();
const ratio = z.number().min(0).max(1);
const portMapping = z.record(z.string(), z.union([z.string().min(1), z.number().int().nonnegative()]));

export const outputBoundSchema = z.strictObject({
  relL2: z.number().nonnegative().optional(),
  maxAbs: z.number().nonnegative().optional(),
  cosineMin: z.number().min(-1).max(1).optional(),
  top1AgreementMin: ratio.optional(),
  atol: z.number().nonnegative().optional(),
  rtol: z.number().nonnegative().optional(),
  accuracyDropMax: ratio.optional(),
});

/** Bounds of one precision: output name → bound; "*" applies to outputs not named. */
const precisionBounds = z.record(z.string().min(1), outputBoundSchema);
export const boundsSchema = z.partialRecord(z.enum(PRECISIONS), precisionBounds);

const variantCommon = {
  /** Name in the matrix and in cell ids; defaults to the fixture id or the file name. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected letters, digits, ".", "_" or "-"')
    .optional(),
  /** Harness input name → model input (name or position), e.g. { attention_mask: 'input_mask' }. */
  inputMapping: portMapping.optional(),
  outputMapping: portMapping.optional(),
  /** Bounds for this variant only, merged over the top-level bounds of its precision. */
  bounds: precisionBounds.optional(),
  /**
   * A variant whose model cannot be made here because its generator's tool is missing (the torch.onnx.export
   * fixtures without python3-torch) is reported as skipped, with the reason, instead of error.
   */
  optional: z.boolean().default(false),
  /**
   * The config's platforms this variant runs on (default: all of them), e.g. ['host'] for a file that
   * ships only to servers, or to keep a slow platform's column to the variants that matter there.
   */
  platforms: z.array(z.enum(PLATFORM_NAMES)).min(1).optional(),
};

const fixtureVariant = z.strictObject({
  ...variantCommon,
  /**
   * An embedded fixture by id, e.g. "onnx-int8", "tflite-float16", "tfjs-uint8", "hf-float16",
   * "mobilebert-onnx-int8", "onnx-torch-bert-opset14-float32" (see engine/fixtures.ts).
   */
  fixture: z.string().min(1),
});

const fileVariant = z.strictObject({
  ...variantCommon,
  /** Model file or folder, relative to the config file. */
  file: z.string().min(1),
  /** Checked against what the loader finds when given. */
  format: z.enum(FORMATS).optional(),
  /** Picks the bounds; defaults to what the loader finds. */
  precision: z.enum(PRECISIONS).optional(),
  /**
   * Hugging Face folders: the file of onnx/ to describe and run (transformers.js dtypes: model.onnx fp32,
   * model_fp16.onnx fp16, model_quantized.onnx q8). Default model.onnx.
   */
  onnxFile: z.string().min(1).optional(),
});

export const variantSchema = z.union([fixtureVariant, fileVariant]);

export const runtimeSchema = z.strictObject({
  name: z.enum(RUNTIME_NAMES),
  /** Rows per session.run; runtimes with a fixed batch (TFLite [1, 128]) run one row at a time anyway. */
  batch: positiveInt.default(16),
  /** Run only the first N input cases on this runtime (slow backends). */
  maxCases: positiveInt.optional(),
  /** Repeated runs of one batch for the latency median on this runtime, instead of the top-level latencyRuns. */
  latencyRuns: z.number().int().nonnegative().optional(),
  /** A runtime that cannot load here is reported as skipped instead of error. */
  optional: z.boolean().default(false),
  threads: positiveInt.optional(),
  graphOptimization: z.enum(['disabled', 'basic', 'extended', 'all']).optional(),
});

/**
 * A platform by name, or as an object: `optional: true` skips its cells, saying why, where it cannot run
 * here (no device, no browser) instead of erroring them; `maxCases` runs at most that many input cases
 * on it (a platform slower than the host, whatever the runtime's own maxCases).
 */
export const platformSchema = z
  .union([
    z.enum(PLATFORM_NAMES),
    z.strictObject({
      name: z.enum(PLATFORM_NAMES),
      optional: z.boolean().default(false),
      maxCases: positiveInt.optional(),
    }),
  ])
  .transform((p) => (typeof p === 'string' ? { name: p, optional: false } : p));

export const inputsSchema = z.strictObject({
  /** Golden corpus JSON lines (records {type: "text", id, text} or {type: "pair", id, text_a, text_b}). */
  corpus: z.string().min(1).default('golden/corpus.dev.jsonl'),
  /** The first N cases of the corpus (after the type filter). */
  count: positiveInt.default(200),
  types: z
    .array(z.enum(['text', 'pair']))
    .min(1)
    .default(['text']),
  maxSeqLength: z.number().int().min(2).default(128),
  /** JSON lines of {text, label}: replaces the corpus and adds task accuracy per cell. */
  labels: z.string().min(1).optional(),
  /** JSON lines of {text} with an optional integer label: replaces the corpus; accuracy when every line has a label. */
  texts: z.string().min(1).optional(),
});

export const tokenizerSchema = z.strictObject({
  vocab: z.string().min(1),
  lowercase: z.boolean().default(true),
  /** Conformance cells: each implementation measured on each golden file, in the same run. */
  conformance: z
    .array(
      z.strictObject({
        impl: z.enum(['ours', 'hf-tokenizers', 'transformers.js']),
        golden: z.array(z.string().min(1)).min(1),
      }),
    )
    .default([]),
  /** Special tokens, for a vocabulary that names them other than [UNK], [CLS], [SEP], [PAD], [MASK]. */
  specialTokens: z
    .strictObject({
      unk: z.string().min(1).optional(),
      cls: z.string().min(1).optional(),
      sep: z.string().min(1).optional(),
      pad: z.string().min(1).optional(),
      mask: z.string().min(1).optional(),
    })
    .optional(),
  /**
   * Agreement cells: another implementation, configured from the model's own tokenizer files (a
   * tokenizer.json, or a vocab.txt as its fast tokenizer would be built), must give the same input_ids,
   * attention_mask and token_type_ids as ours for every input case except the case ids listed as known.
   */
  agreement: z
    .array(
      z.strictObject({
        impl: z.enum(['hf-tokenizers', 'transformers.js']),
        /** tokenizer.json (tokenizer_config.json beside it is read too) or vocab.txt, relative to the config. */
        tokenizer: z.string().min(1),
        knownDifferences: z.array(z.string().min(1)).default([]),
      }),
    )
    .default([]),
});

/**
 * The most multiply-adds the float64 forward pass may take over the whole input set (each family counts
 * them from its config: `multiplyAdds`); default DEFAULT_FLOAT64_BUDGET (engine/reference.ts).
 */
const float64Budget = z.number().positive().optional();
const fixtureReference = z.strictObject({ kind: z.literal('float64-fixture'), maxMultiplyAdds: float64Budget });
const runtimeReference = z.strictObject({
  kind: z.literal('runtime'),
  runtime: z.enum(RUNTIME_NAMES),
  /** A variant name from `variants`. */
  variant: z.string().min(1),
});
/**
 * The float64 forward pass of the variants' fixture where it fits in maxMultiplyAdds, else (a larger
 * model, or variants that came from no fixture) `variant` on `runtime`; the report says which and why.
 */
const autoReference = z.strictObject({
  kind: z.literal('auto'),
  runtime: z.enum(RUNTIME_NAMES),
  variant: z.string().min(1),
  maxMultiplyAdds: float64Budget,
});
const goldenReference = z.strictObject({
  kind: z.literal('golden-outputs'),
  /** The golden set folder (holding index.json), relative to the config file. */
  dir: z.string().min(1),
  /** What `--update-golden` computes the outputs from. */
  source: z.union([fixtureReference, runtimeReference, autoReference]).default({ kind: 'float64-fixture' }),
});
export const referenceSchema = z.discriminatedUnion('kind', [
  fixtureReference,
  runtimeReference,
  autoReference,
  goldenReference,
]);

export const configSchema = z.strictObject({
  variants: z.array(variantSchema).min(1),
  runtimes: z.array(runtimeSchema).min(1),
  platforms: z
    .array(platformSchema)
    .min(1)
    .default([{ name: 'host', optional: false }]),
  inputs: inputsSchema.default(inputsSchema.parse({})),
  tokenizer: tokenizerSchema,
  reference: referenceSchema.default({ kind: 'float64-fixture' }),
  bounds: boundsSchema,
  /** Outputs compared per token: padding positions (attention_mask 0) are left out. */
  tokenOutputs: z.array(z.string()).default(['last_hidden_state']),
  /** Classifier outputs: top-1 agreement (and accuracy with labels) is measured on them. */
  classifierOutputs: z.array(z.string()).default(['logits']),
  /** Repeated runs of one batch for the latency median. */
  latencyRuns: z.number().int().nonnegative().default(3),
});

/** What a config file may say (defaults may be left out). */
export type ParityConfigInput = z.input<typeof configSchema>;
/** A validated config with every default filled in. */
export type ParityConfig = z.output<typeof configSchema>;
export type VariantConfig = z.output<typeof variantSchema>;
export type RuntimeConfig = z.output<typeof runtimeSchema>;
export type PlatformConfig = z.output<typeof platformSchema>;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];
export type PlatformName = (typeof PLATFORM_NAMES)[number];
export type ReferenceConfig = z.output<typeof referenceSchema>;
export type BoundsConfig = z.output<typeof boundsSchema>;
