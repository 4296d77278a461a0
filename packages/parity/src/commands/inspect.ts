import type { Finding, ModelArtifact, TensorSpec } from '@bert-parity/core';
import { factsOf, inspectFindings, loadModel, type OnnxFacts, parseTarget, type Target } from '@bert-parity/models';
import { Vocabulary } from '@bert-parity/tokenizer';

export const INSPECT_SCHEMA = 'bert-parity/inspect@1';

export interface InspectCliOptions {
  target?: string;
  vocab?: string;
  json?: boolean;
}

export interface InspectReport {
  readonly artifact: ModelArtifact;
  readonly target: Target | undefined;
  readonly vocab: { readonly path: string; readonly size: number } | undefined;
  readonly findings: readonly Finding[];
  /** False when any finding is an error. */
  readonly ok: boolean;
}

/** Loads the model, resolves --target and --vocab, and runs every preflight check. Throws coded errors. */
export async function runInspect(modelPath: string, options: InspectCliOptions): Promise<InspectReport> {
  const target = options.target === undefined ? undefined : parseTarget(options.target);
  const vocab =
    options.vocab === undefined ? undefined : { path: options.vocab, size: Vocabulary.fromFile(options.vocab).idLimit };
  const artifact = await loadModel(modelPath);
  const findings = inspectFindings(artifact, {
    ...(target === undefined ? {} : { target }),
    ...(vocab === undefined ? {} : { vocabSize: vocab.size, vocabSource: vocab.path }),
  });
  return { artifact, target, vocab, findings, ok: !findings.some((f) => f.severity === 'error') };
}

/** The --json document; `schema` changes only when a field changes meaning or goes away. */
export function inspectJson(r: InspectReport): Record<string, unknown> {
  const a = r.artifact;
  const facts = factsOf(a);
  const { graphIo: _io, embedding: _e, unsupportedIo: _u, ...formatFacts } = a.metadata as Record<string, unknown>;
  return {
    schema: INSPECT_SCHEMA,
    ok: r.ok,
    target: r.target?.label ?? null,
    vocab: r.vocab ?? null,
    model: {
      format: a.format,
      path: a.path,
      bytes: a.bytes,
      sha256: a.sha256,
      files: a.files,
      precision: a.precision,
      precisionEvidence: a.precisionEvidence,
      signature: a.signature,
      graphIo: facts.graphIo,
      embedding: facts.embedding ?? null,
      ops: a.ops,
      facts: formatFacts,
    },
    findings: r.findings,
  };
}

const shapeText = (s: TensorSpec) =>
  `[${s.shape.map((d, i) => (d === null ? (s.dimNames?.[i] ?? '?') : String(d))).join(', ')}]`;

function ioTable(label: string, specs: readonly TensorSpec[]): string[] {
  if (specs.length === 0) return [`  ${label.padEnd(8)} (none)`];
  const w = Math.max(...specs.map((s) => s.name.length));
  const d = Math.max(...specs.map((s) => s.dtype.length));
  return specs.map(
    (s, i) => `  ${(i === 0 ? label : '').padEnd(8)} ${s.name.padEnd(w)}  ${s.dtype.padEnd(d)}  ${shapeText(s)}`,
  );
}

function formatLine(a: ModelArtifact): string {
  const m = a.metadata as Record<string, Record<string, unknown> | undefined>;
  const details: string[] = [];
  if (m.onnx) {
    const o = m.onnx as { irVersion: number; producer: string; opsetImports: { domain: string; version: number }[] };
    details.push(`IR ${o.irVersion}`, `opset ${o.opsetImports.map((x) => `${x.domain} ${x.version}`).join(', ')}`);
    if (o.producer) details.push(`producer ${o.producer}`);
  }
  if (m.tflite) {
    const t = m.tflite as {
      schemaVersion: number;
      subgraphs: number;
      minRuntimeVersion?: string;
      signatureKeys: string[];
    };
    details.push(`schema ${t.schemaVersion}`, `${t.subgraphs} subgraph${t.subgraphs === 1 ? '' : 's'}`);
    details.push(t.signatureKeys.length > 0 ? `signatures ${t.signatureKeys.join(', ')}` : 'no SignatureDef');
    if (t.minRuntimeVersion) details.push(`min_runtime_version ${t.minRuntimeVersion}`);
  }
  if (m.tfjs) {
    const t = m.tfjs as { format: string; convertedBy: string; weights: number };
    details.push(t.format || 'no format field', `${t.weights} weights`);
    if (t.convertedBy) details.push(`converted by ${t.convertedBy}`);
  }
  if (m.hf) {
    const h = m.hf as { modelType?: string; chosen: string; onnxVariants: { file: string }[] };
    details.push(
      `model_type ${h.modelType ?? '?'}`,
      `describing ${h.chosen} of ${h.onnxVariants.map((v) => v.file).join(', ')}`,
    );
  }
  return `${a.format}${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
}

/** ONNX external data files (weights outside the protobuf) and where a derived variant came from. */
function externalLines(a: ModelArtifact): string[] {
  const onnx = (a.metadata as { onnx?: OnnxFacts }).onnx;
  if (onnx === undefined) return [];
  const lines = onnx.externalData.map((path) => {
    const bytes = a.files.find((f) => f.path === path)?.bytes ?? 0;
    return `external   ${path} (${bytes.toLocaleString('en-US')} bytes of initializers outside the protobuf)`;
  });
  const from = onnx.metadata['bert_parity.derived_from'];
  if (from !== undefined) lines.push(`derived    from ${from}: ${onnx.metadata['bert_parity.derivation'] ?? ''}`);
  return lines;
}

/** The terminal summary: what the file is, what it needs, and what will go wrong where. */
export function formatInspect(r: InspectReport): string {
  const a = r.artifact;
  const facts = factsOf(a);
  const lines = [
    `model      ${a.path}`,
    `format     ${formatLine(a)}`,
    `size       ${a.bytes.toLocaleString('en-US')} bytes in ${a.files.length} file${a.files.length === 1 ? '' : 's'}`,
    ...externalLines(a),
    `sha256     ${a.sha256}`,
    `precision  ${a.precision}`,
    ...a.precisionEvidence.map((e) => `           - ${e}`),
  ];
  if (r.target) lines.push(`target     ${r.target.label}`);
  if (r.vocab) lines.push(`vocab      ${r.vocab.path} (${r.vocab.size} ids)`);
  if (facts.embedding) {
    const e = facts.embedding;
    lines.push(`embedding  ${e.table}: ${e.rows} rows, looked up by ${e.op} on ${e.ids}`);
  }
  if (a.signature) {
    lines.push(`signature${a.signature.key ? ` ${a.signature.key}` : ''}`);
    lines.push(...ioTable('inputs', a.signature.inputs), ...ioTable('outputs', a.signature.outputs));
  } else {
    lines.push('signature  none; graph tensors by index:');
    lines.push(...ioTable('inputs', facts.graphIo.inputs), ...ioTable('outputs', facts.graphIo.outputs));
  }
  const nodes = a.ops.reduce((n, o) => n + o.count, 0);
  lines.push(`ops        ${a.ops.length} kinds, ${nodes} uses`);
  const sorted = [...a.ops].sort((x, y) => y.count - x.count || x.name.localeCompare(y.name));
  const cells = sorted.map((o) => {
    const version =
      o.version === undefined ? '' : o.domain !== undefined ? ` ${o.domain}@${o.version}` : ` v${o.version}`;
    return `${o.name}${version} x${o.count}${o.custom ? ' (custom)' : ''}`;
  });
  for (let i = 0; i < cells.length; i += 4) lines.push(`           ${cells.slice(i, i + 4).join(', ')}`);
  if (r.findings.length === 0) {
    lines.push('findings   none');
  } else {
    lines.push(`findings   ${r.findings.length}`);
    for (const f of r.findings) {
      lines.push(`  ${f.severity.toUpperCase().padEnd(7)} ${f.code}: ${f.message}`);
      lines.push(`          fix: ${f.hint}`);
    }
  }
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  lines.push(
    errors === 0 ? 'result     OK (no error findings)' : `result     ${errors} error finding${errors === 1 ? '' : 's'}`,
  );
  return lines.join('\n');
}
