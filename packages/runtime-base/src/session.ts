import {
  elementCount,
  type ModelArtifact,
  type NamedTensors,
  ParityError,
  type RuntimeEnvironment,
  type RuntimeSession,
  type SessionOptions,
  type Tensor,
  type TensorSpec,
} from '@bert-parity/core';
import { type Binding, bindPorts } from './binding.ts';
import { castInteger, concatRows, cropDim1, describeSpec, intAt, isInteger, padDim1, sliceRow } from './tensors.ts';

/** Options every adapter understands, beyond the shared SessionOptions. */
export interface AdapterOptions extends SessionOptions {
  /** The input whose values are token ids (checked against vocabSize). Default: "input_ids". */
  idsInput?: string;
  /**
   * Rank-2 outputs that are per token ([batch, seq]) and must be cropped after padding. Outputs of rank 3
   * or more whose dimension 1 is the padded length are cropped without being listed.
   */
  sequenceOutputs?: readonly string[];
}

export interface SessionInit {
  /** The model's inputs and outputs as the runtime reports them, in positional order. */
  readonly modelInputs: readonly TensorSpec[];
  readonly modelOutputs: readonly TensorSpec[];
  /** True when the runtime binds by these names (the model has a signature). */
  readonly named: boolean;
  readonly options: AdapterOptions;
  readonly environment: RuntimeEnvironment;
  /** Rows of the embedding table when the artifact tells; options.vocabSize wins. */
  readonly vocabSize?: number | undefined;
  /** The model input (model-side name) holding the token ids, when the artifact tells. */
  readonly idsModelInput?: string | undefined;
}

export interface RunTimings {
  runs: number;
  /** Wall time of the last public run() (validation, conversion, runImpl, cropping), in ms. */
  lastMs: number;
  /** Of which inside runImpl. */
  lastImplMs: number;
  totalMs: number;
  totalImplMs: number;
}

/**
 * The embedding rows an artifact declares, if any: `metadata.embedding.rows` as the model readers record
 * it (with `metadata.embedding.ids`, the input holding the ids), or a plain `metadata.vocabSize`.
 */
export function artifactVocabSize(model: ModelArtifact): number | undefined {
  const e = model.metadata.embedding as { rows?: unknown } | undefined;
  for (const v of [e?.rows, model.metadata.vocabSize]) {
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return undefined;
}

/** The model input that holds the token ids, when the artifact names it. */
export function artifactIdsInput(model: ModelArtifact): string | undefined {
  const ids = (model.metadata.embedding as { ids?: unknown } | undefined)?.ids;
  return typeof ids === 'string' ? ids : undefined;
}

/**
 * A port with a fixed batch of 1 shown with an open batch: for sessions whose far side (a device's runner,
 * a browser page) splits a batch into rows itself, so one call carries every row.
 */
export function openFixedBatch(spec: TensorSpec): TensorSpec {
  return spec.shape.length >= 2 && spec.shape[0] === 1 ? { ...spec, shape: [null, ...spec.shape.slice(1)] } : spec;
}

export function requireFormat(adapter: string, formats: readonly string[], model: ModelArtifact): void {
  if (!formats.includes(model.format)) {
    throw new ParityError(
      'E_RUNTIME_FORMAT',
      `${adapter} cannot run ${model.path}: its format is ${model.format}; expected one of ${formats.join(', ')}`,
      { details: { adapter, format: model.format, path: model.path } },
    );
  }
}

/**
 * The public half of every session (after Polygraphy's runner base class): run() validates the feeds
 * against the bound inputs, adapts them to what the model takes (integer width, fixed sequence length,
 * fixed batch 1), checks token ids, times the call and maps outputs back; adapters write only runImpl
 * (positional tensors in, positional tensors out) and closeImpl.
 */
export abstract class BaseSession implements RuntimeSession {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly environment: RuntimeEnvironment;
  readonly timings: RunTimings = { runs: 0, lastMs: 0, lastImplMs: 0, totalMs: 0, totalImplMs: 0 };
  protected readonly modelInputs: readonly TensorSpec[];
  protected readonly modelOutputs: readonly TensorSpec[];
  private readonly inputBindings: Binding[];
  private readonly outputBindings: Binding[];
  private readonly vocabSize: number | undefined;
  private readonly idsInput: string;
  private readonly sequenceOutputs: ReadonlySet<string>;
  private closed = false;

  protected constructor(init: SessionInit) {
    this.modelInputs = init.modelInputs;
    this.modelOutputs = init.modelOutputs;
    this.environment = init.environment;
    this.inputBindings = bindPorts('input', init.modelInputs, init.named, init.options.inputMapping);
    this.outputBindings = bindPorts('output', init.modelOutputs, init.named, init.options.outputMapping);
    this.inputs = this.inputBindings.map((b) => ({ ...b.spec, name: b.name }));
    this.outputs = this.outputBindings.map((b) => ({ ...b.spec, name: b.name }));
    this.vocabSize = init.options.vocabSize ?? init.vocabSize;
    const idsBinding = this.inputBindings.find((b) => b.spec.name === init.idsModelInput);
    this.idsInput = init.options.idsInput ?? idsBinding?.name ?? 'input_ids';
    this.sequenceOutputs = new Set(init.options.sequenceOutputs ?? []);
  }

  /** Runs the model on positional feeds that already match the model's dtypes and shapes. */
  protected abstract runImpl(feeds: readonly Tensor[]): Promise<Tensor[]>;
  protected abstract closeImpl(): Promise<void>;

  async run(feeds: NamedTensors): Promise<NamedTensors> {
    if (this.closed)
      throw new ParityError('E_RUNTIME_CLOSED', `${this.environment.runtime} session used after close()`);
    const start = performance.now();
    const plan = this.prepare(feeds);
    let implMs = 0;
    const rowOutputs: Tensor[][] = [];
    for (const rowFeeds of plan.rows) {
      const t0 = performance.now();
      const out = await this.runImpl(rowFeeds);
      implMs += performance.now() - t0;
      rowOutputs.push(out);
    }
    const result: Record<string, Tensor> = {};
    for (const b of this.outputBindings) {
      const parts = rowOutputs.map((o) => o[b.index] as Tensor);
      let t = parts.length === 1 ? (parts[0] as Tensor) : concatRows(parts);
      if (plan.paddedTo !== undefined && t.shape[1] === plan.paddedTo) {
        if (t.shape.length >= 3 || this.sequenceOutputs.has(b.name)) t = cropDim1(t, plan.seq);
      }
      result[b.name] = t;
    }
    const ms = performance.now() - start;
    const tm = this.timings;
    tm.runs++;
    tm.lastMs = ms;
    tm.lastImplMs = implMs;
    tm.totalMs += ms;
    tm.totalImplMs += implMs;
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeImpl();
  }

  private expected(): string {
    return this.inputs.map(describeSpec).join(', ');
  }

  private feedError(input: string, message: string, details: Record<string, unknown> = {}): ParityError {
    return new ParityError('E_RUNTIME_FEED', `input ${input}: ${message}; the model expects ${this.expected()}`, {
      details: { input, ...details },
    });
  }

  /** Validates and adapts the feeds; returns positional feeds per run (one per row when batch is split). */
  private prepare(feeds: NamedTensors): { rows: Tensor[][]; paddedTo: number | undefined; seq: number } {
    const given = Object.keys(feeds);
    const missing = this.inputs.filter((s) => !(s.name in feeds)).map((s) => s.name);
    const unknown = given.filter((n) => !this.inputs.some((s) => s.name === n));
    if (missing.length > 0 || unknown.length > 0) {
      const parts = [
        missing.length > 0 ? `missing ${missing.join(', ')}` : '',
        unknown.length > 0 ? `unknown ${unknown.join(', ')}` : '',
      ].filter((s) => s !== '');
      throw new ParityError('E_RUNTIME_FEED', `feeds ${parts.join('; ')}; the model expects ${this.expected()}`, {
        details: { missing, unknown, expected: this.inputs.map((s) => s.name) },
      });
    }
    let batch: number | undefined;
    let seq: number | undefined;
    let paddedTo: number | undefined;
    let splitRows = false;
    const adapted: Tensor[] = [];
    for (const b of this.inputBindings) {
      let t = feeds[b.name] as Tensor;
      const spec = b.spec;
      if (t.shape.length !== spec.shape.length) {
        throw this.feedError(b.name, `rank ${t.shape.length} (shape [${t.shape.join(', ')}])`, { shape: t.shape });
      }
      if (t.data.length !== elementCount(t.shape)) {
        throw this.feedError(b.name, `${t.data.length} values for shape [${t.shape.join(', ')}]`, { shape: t.shape });
      }
      if (isInteger(spec.dtype) && isInteger(t.dtype)) {
        t = castInteger(t, spec.dtype, b.name);
      } else if (t.dtype !== spec.dtype) {
        throw this.feedError(b.name, `dtype ${t.dtype}`, { dtype: t.dtype });
      }
      if (t.shape.length >= 2) {
        const [b0 = 0, s0 = 0] = t.shape;
        if ((batch !== undefined && b0 !== batch) || (seq !== undefined && s0 !== seq)) {
          throw this.feedError(
            b.name,
            `shape [${t.shape.join(', ')}] disagrees with [${batch}, ${seq}] of the other inputs`,
            {
              shape: t.shape,
            },
          );
        }
        batch = b0;
        seq = s0;
      }
      t.shape.forEach((d, i) => {
        const want = spec.shape[i];
        if (want === null || want === undefined || want === d) return;
        // The fixed shapes a runtime cannot resize (TFLite [1, 128]): shorter sequences are padded and
        // larger batches run row by row; anything else is rejected.
        if (i === 1 && isInteger(spec.dtype) && d < want) paddedTo = want;
        else if (i === 0 && want === 1 && d > 1) splitRows = true;
        else {
          throw this.feedError(b.name, `dimension ${i} is ${d} (shape [${t.shape.join(', ')}])`, {
            shape: t.shape,
            dimension: i,
          });
        }
      });
      if (b.name === this.idsInput && this.vocabSize !== undefined) this.checkIds(b.name, t, this.vocabSize);
      adapted.push(t);
    }
    const s = seq ?? 0;
    const pad = (t: Tensor) => (paddedTo !== undefined && t.shape.length >= 2 ? padDim1(t, paddedTo) : t);
    if (!splitRows) return { rows: [adapted.map(pad)], paddedTo, seq: s };
    const rows: Tensor[][] = [];
    for (let r = 0; r < (batch ?? 1); r++) rows.push(adapted.map((t) => pad(sliceRow(t, r))));
    return { rows, paddedTo, seq: s };
  }

  private checkIds(name: string, t: Tensor, vocabSize: number): void {
    const seqLen = t.shape[1] ?? t.data.length;
    for (let i = 0; i < t.data.length; i++) {
      const v = intAt(t, i);
      if (v < 0 || v >= vocabSize) {
        const row = Math.floor(i / seqLen);
        throw new ParityError(
          'E_RUNTIME_TOKEN_RANGE',
          `input ${name}[${row}, ${i % seqLen}] = ${v} is outside the embedding table; expected 0 <= id < ${vocabSize} (the model's vocabulary size)`,
          { details: { input: name, row, position: i % seqLen, value: v, vocabSize } },
        );
      }
    }
  }
}
