import type { Finding, ModelArtifact, TensorSpec } from '@bert-parity/core';
import { factsOf } from '../artifact/facts.ts';
import type { HfFacts } from '../hf/reader.ts';
import type { OnnxFacts } from '../onnx/reader.ts';
import { STANDARD_ONNX_DOMAINS } from '../onnx/reader.ts';
import type { TfjsFacts } from '../tfjs/reader.ts';
import type { TfliteFacts } from '../tflite/artifact.ts';
import { compareVersions, opVersionStatus } from '../tflite/runtime-versions.ts';
import type { Target } from './targets.ts';
import { TFJS_CONVERTER_OPS, TFJS_CONVERTER_VERSION } from './tfjs-ops.generated.ts';

export interface InspectOptions {
  readonly target?: Target;
  /** Ids the tokenizer can produce (one more than the largest vocabulary id). */
  readonly vocabSize?: number;
  /** Where vocabSize came from, for messages. */
  readonly vocabSource?: string;
}

/** The newest builtin code any runtime we know registers (LiteRT.js 2.5.3: STABLEHLO_CBRT). */
const NEWEST_KNOWN_BUILTIN = 208;
/**
 * Custom ops the stock TFLite op resolver registers: BuiltinOpResolver's constructor
 * (tensorflow/lite/core/kernels/register.cc) calls AddCustom for exactly these four.
 */
const RESOLVED_TFLITE_CUSTOM = new Set(['NumericVerify', 'Mfcc', 'AudioSpectrogram', 'TFLite_Detection_PostProcess']);

/** Every check, in the order the report lists them. */
export function inspectFindings(artifact: ModelArtifact, options: InspectOptions = {}): Finding[] {
  return [
    ...formatMismatch(artifact, options.target),
    ...signatureFindings(artifact),
    ...attentionOutputs(artifact),
    ...tfliteOps(artifact, options.target),
    ...onnxOps(artifact, options.target),
    ...tfjsOps(artifact, options.target),
    ...ioDtypes(artifact, options.target),
    ...dynamicShapes(artifact, options.target),
    ...embeddingRows(artifact, options),
  ];
}

const finding = (code: string, severity: Finding['severity'], message: string, hint: string): Finding => ({
  code,
  severity,
  message,
  hint,
});

function formatMismatch(a: ModelArtifact, target: Target | undefined): Finding[] {
  if (target === undefined || target.formats.includes(a.format)) return [];
  return [
    finding(
      'TARGET_FORMAT',
      'error',
      `${target.label} does not load ${a.format} models; it loads ${target.formats.join(', ')}`,
      `convert the model to ${target.formats[0]} or choose a target that runs ${a.format}`,
    ),
  ];
}

function signatureFindings(a: ModelArtifact): Finding[] {
  if (a.format === 'tflite' && a.signature === null) {
    return [
      finding(
        'TFLITE_NO_SIGNATURE',
        'warning',
        'the TFLite file has no SignatureDef: inputs and outputs are known only by tensor index and internal name',
        'reconvert from a SavedModel with a serving signature, or map inputs/outputs by index (inputMapping/outputMapping)',
      ),
    ];
  }
  if (a.signature === null) {
    return [
      finding(
        'NO_SIGNATURE',
        'warning',
        `the ${a.format} model declares no signature`,
        'export with a signature so inputs and outputs have names',
      ),
    ];
  }
  return [];
}

/** Rank-4 float outputs ([batch, heads, seq, seq]) or per-layer names are attention maps, not hidden states. */
function attentionOutputs(a: ModelArtifact): Finding[] {
  const outputs = a.signature?.outputs ?? factsOf(a).graphIo.outputs;
  const suspicious = outputs.filter(
    (o) =>
      (o.shape.length === 4 && (o.dtype === 'float32' || o.dtype === 'float16')) ||
      /(^|[_/])encoder_\d+(:\d+)?$|attention/i.test(o.name),
  );
  if (suspicious.length === 0) return [];
  const names = suspicious.map((o) => o.name);
  const shown = names.length > 4 ? `${names.slice(0, 3).join(', ')}, … ${names[names.length - 1]}` : names.join(', ');
  return [
    finding(
      'OUTPUT_ATTENTION_MAPS',
      'warning',
      `${suspicious.length} of ${outputs.length} outputs look like attention maps or per-layer encoder outputs (${shown}), not last_hidden_state/logits`,
      'compare the output you mean (map it explicitly) or reconvert with only the final outputs',
    ),
  ];
}

function tfliteOps(a: ModelArtifact, target: Target | undefined): Finding[] {
  const t = a.metadata.tflite as TfliteFacts | undefined;
  if (t === undefined) return [];
  const out: Finding[] = [];
  const maxCode = target?.maxBuiltinCode ?? NEWEST_KNOWN_BUILTIN;
  const who = target?.label ?? 'every runtime this tool knows';
  for (const op of t.opcodes) {
    if (op.custom) {
      if (RESOLVED_TFLITE_CUSTOM.has(op.name)) continue;
      const flex = op.name.startsWith('Flex');
      out.push(
        finding(
          'CUSTOM_OP',
          'error',
          flex
            ? `custom op ${op.name} is a TensorFlow (Select TF ops) kernel; only interpreters linked with the Flex delegate run it`
            : `custom op ${op.name} (used ${op.count}x) is not registered by stock TFLite or LiteRT.js: loading fails with "unresolved custom op ${op.name}"`,
          flex
            ? 'convert without SELECT_TF_OPS, or ship the Flex delegate (not available in LiteRT.js)'
            : `register a kernel for ${op.name} in your interpreter, or reconvert so the op lowers to builtins`,
        ),
      );
      continue;
    }
    if (op.code > maxCode || op.code < 0) {
      out.push(
        finding(
          'TFLITE_BUILTIN_OUT_OF_RANGE',
          'error',
          `builtin code ${op.code} (${op.name}, used ${op.count}x) is beyond the largest code known to ${who} (${maxCode}): "Op builtin_code out of range"`,
          'convert with a TFLite converter no newer than the runtime, or upgrade the runtime',
        ),
      );
      continue;
    }
    const status = opVersionStatus(op.name, op.version);
    if (status.kind === 'too-new') {
      out.push(
        finding(
          'TFLITE_OP_VERSION',
          'error',
          `${op.name} version ${op.version} is newer than any release the op table knows (up to version ${status.newestVersion}, TFLite ${status.newestRuntime}); runtimes refuse to load it`,
          `reconvert so ${op.name} uses version ≤ ${status.newestVersion}, or check the runtime registers version ${op.version}`,
        ),
      );
    } else if (
      status.kind === 'known' &&
      target?.tfliteRelease !== undefined &&
      compareVersions(status.minRuntime, target.tfliteRelease) > 0
    ) {
      out.push(
        finding(
          'TFLITE_OP_VERSION',
          'error',
          `${op.name} version ${op.version} needs TFLite ${status.minRuntime}; ${target.label} does not register it`,
          `target TFLite ≥ ${status.minRuntime}, or convert with an older converter / without the feature that bumps ${op.name}`,
        ),
      );
    }
  }
  if (
    t.minRuntimeVersion !== undefined &&
    target?.tfliteRelease !== undefined &&
    compareVersions(t.minRuntimeVersion, target.tfliteRelease) > 0
  ) {
    out.push(
      finding(
        'TFLITE_MIN_RUNTIME',
        'error',
        `the file's min_runtime_version is ${t.minRuntimeVersion}; ${target.label} is older`,
        `target TFLite ≥ ${t.minRuntimeVersion}`,
      ),
    );
  }
  return out;
}

function onnxOps(a: ModelArtifact, target: Target | undefined): Finding[] {
  const o = a.metadata.onnx as OnnxFacts | undefined;
  if (o === undefined) return [];
  const out: Finding[] = [];
  const domains = new Map<string, string[]>();
  for (const op of a.ops) {
    if (op.domain === undefined || STANDARD_ONNX_DOMAINS.has(op.domain)) continue;
    domains.set(op.domain, [...(domains.get(op.domain) ?? []), op.name]);
  }
  for (const [domain, names] of domains) {
    const resolved = target?.onnxDomains?.has(domain) === true;
    if (domain === 'com.microsoft' || domain.startsWith('com.microsoft.')) {
      out.push(
        finding(
          'ONNX_RUNTIME_SPECIFIC_OPS',
          resolved ? 'info' : 'warning',
          `ops of domain ${domain} (${names.join(', ')}) exist only in onnxruntime (contrib ops)`,
          'fine for onnxruntime and transformers.js; export without ORT fusions for other ONNX runtimes',
        ),
      );
    } else {
      out.push(
        finding(
          'CUSTOM_OP',
          'error',
          `ops of custom domain ${domain} (${names.join(', ')}) need a custom-op library no stock runtime ships`,
          'register the custom-op library in the session, or re-export with standard ONNX ops',
        ),
      );
    }
  }
  const opset = o.opsetImports.find((x) => x.domain === 'ai.onnx')?.version;
  if (opset !== undefined && target?.maxOpset !== undefined && opset > target.maxOpset) {
    out.push(
      finding(
        'ONNX_OPSET_TOO_NEW',
        'warning',
        `the model is stamped opset ${opset}; ${target.label} implements up to opset ${target.maxOpset}`,
        `export at opset ≤ ${target.maxOpset}, or upgrade the runtime`,
      ),
    );
  }
  return out;
}

const TFJS_OPS: ReadonlySet<string> = new Set(TFJS_CONVERTER_OPS);

/**
 * TF.js graph-model ops (top-level nodes and library function bodies) that tfjs-converter maps to no kernel:
 * the model loads, then execute throws "Unknown op 'X'" when such a node runs. Checked for every TF.js model
 * (tfjs is the only runtime that loads the format), with or without a tfjs target, but not when the target is
 * another runtime (TARGET_FORMAT already says it does not load the model). The op list is tfjs-converter
 * 4.22.0's (tfjs-ops.generated.ts); for a tfjs target of a newer minor release it is a warning, since newer
 * releases may map more ops.
 */
function tfjsOps(a: ModelArtifact, target: Target | undefined): Finding[] {
  if (a.format !== 'tfjs-graph' || (target !== undefined && target.runtime !== 'tfjs')) return [];
  const fns = (a.metadata.tfjs as TfjsFacts | undefined)?.functionOps ?? [];
  const missing = new Map<string, { nodes: number; where: string[] }>();
  const add = (op: string, count: number, where: string): void => {
    if (TFJS_OPS.has(op)) return;
    const m = missing.get(op) ?? { nodes: 0, where: [] };
    m.nodes += count;
    m.where.push(where);
    missing.set(op, m);
  };
  for (const op of a.ops) add(op.name, op.count, 'the graph');
  for (const op of fns) add(op.name, op.count, `function ${op.functions.join(', ')}`);
  if (missing.size === 0) return [];
  // Minor releases add op mappings; a patch release of the same minor is taken to map the same ops.
  const minor = (v: string): string => v.split('.').slice(0, 2).join('.');
  const newer = target !== undefined && compareVersions(minor(target.version), minor(TFJS_CONVERTER_VERSION)) > 0;
  const who = target?.label ?? 'TF.js';
  return [...missing].map(([op, m]) =>
    finding(
      'TFJS_UNSUPPORTED_OP',
      newer ? 'warning' : 'error',
      `op ${op} (${m.nodes} ${m.nodes === 1 ? 'node' : 'nodes'}, in ${m.where.join(' and ')}) has no kernel mapping in tfjs-converter ${TFJS_CONVERTER_VERSION}${newer ? ` (${who} may have added one)` : ''}: ${who} loads the model, then execute fails with "Unknown op '${op}'" when the node runs`,
      `reconvert so ${op} lowers to ops TF.js maps (e.g. without the TF feature that emits it), or register a kernel with tf.registerOp('${op}', …) before loading`,
    ),
  );
}

function ioSpecs(a: ModelArtifact): TensorSpec[] {
  const io = a.signature ?? factsOf(a).graphIo;
  return [...io.inputs, ...io.outputs];
}

function ioDtypes(a: ModelArtifact, target: Target | undefined): Finding[] {
  const out: Finding[] = [];
  for (const u of factsOf(a).unsupportedIo ?? []) {
    out.push(
      finding(
        'IO_DTYPE_UNSUPPORTED',
        'error',
        `model input/output ${u.name} is ${u.type}, which the harness cannot feed or read`,
        'export that tensor as float32 or int32',
      ),
    );
  }
  const allowed = target?.ioDtypes;
  if (allowed === undefined || !target?.formats.includes(a.format)) return out;
  for (const s of ioSpecs(a)) {
    if (allowed.includes(s.dtype)) continue;
    const litert = target.runtime === 'litert';
    out.push(
      finding(
        'IO_DTYPE_TARGET',
        litert ? 'error' : 'warning',
        litert
          ? `${s.name} is ${s.dtype}; ${target.label} accepts only ${allowed.join('/')} at inputs and outputs and fails to load the model`
          : `${s.name} is ${s.dtype}; ${target.label} feeds ${allowed.join('/')} (tfjs casts int64 to int32)`,
        `export ${s.name} as ${s.dtype === 'int64' ? 'int32' : 'float32'}`,
      ),
    );
  }
  return out;
}

function dynamicShapes(a: ModelArtifact, target: Target | undefined): Finding[] {
  if (target?.fixedShapes !== true || !target.formats.includes(a.format)) return [];
  const dynamic = ioSpecs(a).filter((s) => s.shape.includes(null));
  const t = a.metadata.tflite as TfliteFacts | undefined;
  if (dynamic.length === 0) return [];
  return [
    finding(
      'DYNAMIC_SHAPE_FIXED_RUNTIME',
      'error',
      `${dynamic.map((s) => s.name).join(', ')} ${dynamic.length === 1 ? 'has' : 'have'} dynamic dimensions; ${target.label} ignores shape_signature and runs only the stored shape${t ? ` (${dynamic.map((s) => `[${s.shape.map((d) => d ?? '?').join(', ')}]`).join(', ')})` : ''} and cannot resize`,
      'convert with fixed input shapes (e.g. [1, 128]) for this runtime',
    ),
  ];
}

function embeddingRows(a: ModelArtifact, options: InspectOptions): Finding[] {
  const hf = a.metadata.hf as HfFacts | undefined;
  const vocab = options.vocabSize ?? hf?.vocabTxtSize ?? hf?.vocabSize;
  const source =
    options.vocabSize !== undefined
      ? (options.vocabSource ?? 'the vocabulary')
      : hf?.vocabTxtSize !== undefined
        ? 'vocab.txt'
        : 'config.json vocab_size';
  if (vocab === undefined) return [];
  const e = factsOf(a).embedding;
  if (e === undefined) {
    return [
      finding(
        'EMBEDDING_NOT_FOUND',
        'info',
        `no lookup of the token ids into a constant table was found, so ${source} (${vocab} ids) could not be checked against it`,
        'check the embedding table size by hand',
      ),
    ];
  }
  if (e.rows >= vocab) return [];
  return [
    finding(
      'EMBEDDING_SMALLER_THAN_VOCAB',
      'error',
      `embedding table ${e.table} has ${e.rows} rows but ${source} has ${vocab} ids: ids ≥ ${e.rows} fail in ${e.op} ("gather index out of bounds")`,
      'use the vocabulary the model was trained with, or export the model with the full embedding table',
    ),
  ];
}
