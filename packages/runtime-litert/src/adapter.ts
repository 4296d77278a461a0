import {
  type Availability,
  type DType,
  type ModelArtifact,
  ParityError,
  type RuntimeAdapter,
  type Tensor,
  type TensorSpec,
} from '@bert-parity/core';
import {
  type AdapterOptions,
  artifactIdsInput,
  artifactVocabSize,
  availableWhen,
  BaseSession,
  importRuntime,
  packageVersion,
  requireFormat,
  type SessionInit,
} from '@bert-parity/runtime-base';
import type { CompiledModel, Tensor as LiteRtTensor, SignatureRunner } from '@litertjs/core';
import {
  currentLiteRtLoad,
  type LiteRtHandle,
  loadAndCompileFile,
  loadLiteRtForNode,
  unloadLiteRtForNode,
} from './node-shim.ts';

export const LITERT_RUNTIME_NAME = 'litert.js';
/** The key LiteRT.js gives the default runner of a model without SignatureDefs. */
export const PLACEHOLDER_SIGNATURE = '<placeholder signature>';

const load = (): Promise<LiteRtHandle> =>
  importRuntime('@litertjs/core', () => loadLiteRtForNode(), 'install @litertjs/core 2.5.3');

// LiteRT.js accepts only these at model inputs and outputs (an int64 model input makes loading throw).
const DTYPES: Readonly<Record<string, DType>> = { float32: 'float32', int32: 'int32', uint8: 'uint8' };

/** A LiteRT.js port (Node or web build: the same details) → TensorSpec. */
export function litertTensorSpec(d: { name: string; dtype: string; shape: ArrayLike<number> }): TensorSpec {
  const dtype = DTYPES[d.dtype];
  if (dtype === undefined) {
    throw new ParityError(
      'E_RUNTIME_LOAD',
      `LiteRT.js tensor ${d.name} has dtype ${d.dtype}; expected float32, int32 or uint8`,
    );
  }
  // shape_signature is ignored by LiteRT.js and nothing can be resized, so every dimension is fixed.
  return { name: d.name, dtype, shape: Array.from(d.shape) };
}

/** Log lines that mean an operator could not be prepared or ran on bad data. */
export const LITERT_OP_FAILURE =
  /unresolved custom op|failed to prepare|builtin_code out of range|Didn't find op|index out of bounds|out of range/i;

// The wasm module is one instance with one console.error sink: runs are serialized so that every log line
// belongs to the run that wrote it.
let queue: Promise<unknown> = Promise.resolve();
function serialized<T>(task: () => Promise<T>): Promise<T> {
  const next = queue.then(task, task);
  queue = next.catch(() => undefined);
  return next;
}

/**
 * LiteRT.js's wasm heap only grows: a bert-base-sized float32 model takes it to 832 MB (the model's bytes
 * and XNNPACK's packed weights), and it would stay that size under every later cell of the run, whatever
 * runtime. So when the last session closes and the heap has grown past RELEASE_HEAP_BYTES, the module is
 * unloaded and its memory goes back to the system (the next open loads it again: 60-170 ms measured). The
 * small fixtures never grow it past its initial 17.6 MB, so they keep one load for the whole run.
 */
export const RELEASE_HEAP_BYTES = 64 * 1024 * 1024;
/** Sessions open or opening: the module is unloaded only when none is. */
let live = 0;

async function releaseOne(releaseHeapBytes: number): Promise<void> {
  live -= 1;
  if (live > 0) return;
  await serialized(async () => {
    const handle = await currentLiteRtLoad()?.catch(() => undefined); // a failed load holds nothing
    if (live === 0 && handle !== undefined && handle.wasmHeapBytes() > releaseHeapBytes) {
      await unloadLiteRtForNode();
    }
  });
}

class LiteRtSession extends BaseSession {
  constructor(
    private readonly handle: LiteRtHandle,
    // Dropped at close, so that a closed session holds no reference to an unloaded module's heap.
    private model: CompiledModel | undefined,
    private runner: SignatureRunner | undefined,
    private readonly named: boolean,
    private readonly path: string,
    private readonly releaseHeapBytes: number,
    init: SessionInit,
  ) {
    super(init);
  }

  protected runImpl(feeds: readonly Tensor[]): Promise<Tensor[]> {
    return serialized(async () => {
      const { litert, log } = this.handle;
      const runner = this.runner;
      if (runner === undefined) throw new ParityError('E_RUNTIME_RUN', `LiteRT.js session of ${this.path} is closed`);
      const inputs: LiteRtTensor[] = [];
      let owned: LiteRtTensor[] = [];
      let outputs: LiteRtTensor[];
      const mark = log.length;
      try {
        for (const t of feeds) {
          inputs.push(new litert.Tensor(t.data as Int32Array, [...t.shape]));
        }
        if (this.named) {
          const byName: Record<string, LiteRtTensor> = {};
          this.modelInputs.forEach((s, i) => {
            byName[s.name] = inputs[i] as LiteRtTensor;
          });
          const result = await runner.run(byName);
          owned = Object.values(result);
          outputs = this.modelOutputs.map((s) => {
            const t = result[s.name];
            if (t === undefined) throw new ParityError('E_RUNTIME_RUN', `LiteRT.js returned no output ${s.name}`);
            return t;
          });
        } else {
          outputs = await runner.run(inputs);
          owned = outputs;
        }
        // A failing op does not reject: it logs and leaves zeros or stale memory in the outputs.
        const lines = log.slice(mark);
        if (lines.length > 0) {
          throw new ParityError(
            'E_RUNTIME_OP',
            `LiteRT.js reported an error while running ${this.path}, so its outputs are not results: ${lines.join(' | ')}`,
            { details: { log: lines } },
          );
        }
        return outputs.map((t, i) => ({
          dtype: this.modelOutputs[i]?.dtype ?? 'float32',
          shape: Array.from(t.type.layout.dimensions),
          // toTypedArray copies out of the wasm heap; slice makes sure the result owns its buffer.
          data: (t.toTypedArray() as Float32Array).slice(),
        }));
      } finally {
        for (const t of inputs) t.delete();
        for (const t of owned) if (!t.deleted) t.delete();
      }
    });
  }

  protected async closeImpl(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    this.runner = undefined;
    if (model === undefined || model.deleted) return;
    model.delete();
    await releaseOne(this.releaseHeapBytes);
  }
}

/**
 * LiteRT.js on the wasm (XNNPACK) accelerator, single-threaded. Models with a SignatureDef bind by its
 * names (the artifact's signature key, else the first one); models without bind positionally and need
 * SessionOptions.inputMapping. Inputs shorter than the fixed sequence length are padded and the outputs
 * cropped back; batches larger than the model's fixed 1 run row by row.
 */
export class LiteRtAdapter implements RuntimeAdapter {
  readonly name = LITERT_RUNTIME_NAME;
  readonly formats = ['tflite'] as const;
  /** The heap size above which closing the last session unloads the module (tests pass 0). */
  private readonly releaseHeapBytes: number;

  constructor(options: { releaseHeapBytes?: number } = {}) {
    this.releaseHeapBytes = options.releaseHeapBytes ?? RELEASE_HEAP_BYTES;
  }

  available(): Promise<Availability> {
    return availableWhen(() => load());
  }

  /** Bytes of wasm linear memory in use (for the bounded-memory tests). */
  async wasmHeapBytes(): Promise<number> {
    return (await load()).wasmHeapBytes();
  }

  async open(model: ModelArtifact, options: AdapterOptions = {}): Promise<LiteRtSession> {
    requireFormat(this.name, this.formats, model);
    live += 1;
    let compiled: CompiledModel;
    let handle: LiteRtHandle;
    try {
      handle = await load();
      compiled = await this.compile(handle, model);
    } catch (e) {
      await releaseOne(this.releaseHeapBytes);
      throw e;
    }
    try {
      const keys = Object.keys(compiled.signatures);
      const signed = keys.filter((k) => k !== PLACEHOLDER_SIGNATURE);
      const key =
        model.signature?.key !== undefined && signed.includes(model.signature.key) ? model.signature.key : signed[0];
      const runner = key === undefined ? compiled : (compiled.signatures[key] as SignatureRunner);
      const named = key !== undefined;
      return new LiteRtSession(handle, compiled, runner, named, model.path, this.releaseHeapBytes, {
        modelInputs: runner.getInputDetails().map(litertTensorSpec),
        modelOutputs: runner.getOutputDetails().map(litertTensorSpec),
        named,
        options,
        vocabSize: artifactVocabSize(model),
        idsModelInput: artifactIdsInput(model),
        environment: {
          runtime: LITERT_RUNTIME_NAME,
          version: packageVersion('@litertjs/core', import.meta.url),
          backend: 'wasm',
          accelerator: 'wasm (XNNPACK)',
          threads: 1,
          simd: true,
          relaxedSimd: handle.wasmFile === 'litert_wasm_internal.js',
          wasmFile: handle.wasmFile,
          signature: key ?? PLACEHOLDER_SIGNATURE,
        },
      });
    } catch (e) {
      compiled.delete();
      await releaseOne(this.releaseHeapBytes);
      throw e;
    }
  }

  private compile(handle: LiteRtHandle, model: ModelArtifact): Promise<CompiledModel> {
    return serialized(async () => {
      const mark = handle.log.length;
      try {
        return (await loadAndCompileFile(handle, model.path)).model;
      } catch (cause) {
        const lines = handle.log.slice(mark);
        const opFailure = lines.some((l) => LITERT_OP_FAILURE.test(l));
        throw new ParityError(
          opFailure ? 'E_RUNTIME_OP' : 'E_RUNTIME_LOAD',
          `LiteRT.js cannot compile ${model.path}: ${(cause as Error).message}${lines.length > 0 ? `; log: ${lines.join(' | ')}` : ''}`,
          { cause, details: { path: model.path, log: lines } },
        );
      }
    });
  }
}

export type { LiteRtSession };
