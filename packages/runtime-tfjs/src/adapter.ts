import { readFileSync } from 'node:fs';
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
  runtimeError,
  type SessionInit,
} from '@bert-parity/runtime-base';
import type * as tfconv from '@tensorflow/tfjs-converter';
import type * as tfcore from '@tensorflow/tfjs-core';
import { fileIOHandler, loadTfjs, loadTfjsNode, type TfjsBackend, useBackend } from './loader.ts';

export const TFJS_RUNTIME_NAME = 'tfjs';
const BACKENDS: readonly TfjsBackend[] = ['wasm', 'cpu', 'node'];

const DTYPES: Readonly<Record<string, DType>> = {
  DT_FLOAT: 'float32',
  DT_INT32: 'int32',
  DT_BOOL: 'bool',
  // tfjs has no int64: such inputs are carried as int32, as its converter does.
  DT_INT64: 'int32',
};

interface SignatureEntry {
  name: string;
  dtype: string;
  tensorShape?: { dim?: { size?: string | number }[] };
  shape?: number[];
}

/** Input and output specs from model.json's signature, keyed by the names execute() takes. */
export function tfjsSignatureSpecs(modelJson: string): { inputs: TensorSpec[]; outputs: TensorSpec[] } | null {
  const json = JSON.parse(readFileSync(modelJson, 'utf8')) as {
    signature?: { inputs?: Record<string, SignatureEntry>; outputs?: Record<string, SignatureEntry> };
  };
  const sig = json.signature;
  if (sig?.inputs === undefined || sig.outputs === undefined) return null;
  const specs = (entries: Record<string, SignatureEntry>) =>
    Object.entries(entries).map(([name, e]): TensorSpec => {
      const dims = e.shape ?? e.tensorShape?.dim?.map((d) => Number(d.size ?? -1)) ?? [];
      return { name, dtype: DTYPES[e.dtype] ?? 'float32', shape: dims.map((d) => (d >= 0 ? d : null)) };
    });
  return { inputs: specs(sig.inputs), outputs: specs(sig.outputs) };
}

/** A port of a loaded graph model, as tfjs-converter lists it (GraphModel.inputs / outputs, Node or web). */
export interface TfjsGraphPort {
  name: string;
  dtype?: string;
  shape?: readonly number[];
}

/**
 * The model's ports: model.json's signature when it has one (keyed by the names execute() takes), else
 * the graph's own inputs and outputs.
 */
export function tfjsPortSpecs(
  signature: { inputs: TensorSpec[]; outputs: TensorSpec[] } | null,
  graph: { inputs: readonly TfjsGraphPort[]; outputs: readonly TfjsGraphPort[] },
): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  if (signature !== null) return signature;
  return {
    inputs: graph.inputs.map((i) => ({
      name: i.name,
      dtype: (i.dtype === 'int32' ? 'int32' : 'float32') as DType,
      shape: (i.shape ?? []).map((d) => (d >= 0 ? d : null)),
    })),
    outputs: graph.outputs.map((o) => ({ name: o.name, dtype: 'float32' as DType, shape: [] as null[] })),
  };
}

// tfjs has one global backend and tensors live on the backend that made them. Sessions therefore share
// the backend: opening a session on another backend while sessions are open is refused (E_RUNTIME_BACKEND)
// instead of silently moving every weight between backends on each switch. Runs need no lock: execute()
// is synchronous.
const open = { backend: undefined as TfjsBackend | undefined, sessions: 0 };

class TfjsSession extends BaseSession {
  constructor(
    private readonly tf: typeof tfcore,
    private readonly model: tfconv.GraphModel,
    init: SessionInit,
  ) {
    super(init);
  }

  protected async runImpl(feeds: readonly Tensor[]): Promise<Tensor[]> {
    const tf = this.tf;
    const inputs: Record<string, tfcore.Tensor> = {};
    let outputs: tfcore.Tensor[] = [];
    try {
      this.modelInputs.forEach((spec, i) => {
        const t = feeds[i] as Tensor;
        inputs[spec.name] = tf.tensor(t.data as Int32Array, [...t.shape], spec.dtype as 'int32');
      });
      const names = this.modelOutputs.map((s) => s.name);
      try {
        const out = this.model.execute(inputs, names);
        outputs = Array.isArray(out) ? out : [out];
      } catch (cause) {
        throw runtimeError('E_RUNTIME_RUN', 'tfjs execute failed', cause);
      }
      return outputs.map((t) => ({
        dtype: t.dtype === 'int32' ? 'int32' : 'float32',
        shape: [...t.shape],
        data: t.dataSync() as Float32Array,
      }));
    } finally {
      tf.dispose(Object.values(inputs));
      tf.dispose(outputs);
    }
  }

  protected async closeImpl(): Promise<void> {
    this.model.dispose();
    open.sessions--;
    if (open.sessions === 0) open.backend = undefined;
  }
}

/**
 * TensorFlow.js graph models (model.json + weight shards read from disk by an IOHandler, never fetched).
 * The backend comes from the adapter (`new TfjsAdapter('cpu')`) or SessionOptions.backend; default wasm
 * (XNNPACK). "node" needs the optional peer @tensorflow/tfjs-node.
 */
export class TfjsAdapter implements RuntimeAdapter {
  readonly name: string;
  readonly formats = ['tfjs-graph'] as const;

  constructor(readonly backend: TfjsBackend = 'wasm') {
    this.name = `${TFJS_RUNTIME_NAME}-${backend}`;
  }

  available(): Promise<Availability> {
    return availableWhen(async () => {
      await importRuntime('@tensorflow/tfjs-core', () => loadTfjs());
      if (this.backend === 'node') {
        await importRuntime(
          '@tensorflow/tfjs-node',
          () => loadTfjsNode(),
          'an optional peer: its install downloads libtensorflow, so it is not installed by default',
        );
      }
    });
  }

  async open(model: ModelArtifact, options: AdapterOptions = {}): Promise<TfjsSession> {
    requireFormat(this.name, this.formats, model);
    const backend = (options.backend ?? this.backend) as TfjsBackend;
    if (!BACKENDS.includes(backend)) {
      throw new ParityError('E_RUNTIME_BACKEND', `tfjs backend ${backend}; expected one of ${BACKENDS.join(', ')}`);
    }
    if (open.backend !== undefined && open.backend !== backend) {
      throw new ParityError(
        'E_RUNTIME_BACKEND',
        `tfjs has one global backend and ${open.sessions} session(s) are open on ${open.backend}; close them before opening a session on ${backend}`,
        { details: { open: open.backend, requested: backend, sessions: open.sessions } },
      );
    }
    // Claimed before the first await, so that concurrent opens on different backends cannot both pass.
    open.backend = backend;
    open.sessions++;
    try {
      return await this.load(model, options, backend);
    } catch (e) {
      open.sessions--;
      if (open.sessions === 0) open.backend = undefined;
      throw e;
    }
  }

  private async load(model: ModelArtifact, options: AdapterOptions, backend: TfjsBackend): Promise<TfjsSession> {
    const { converter } = await importRuntime('@tensorflow/tfjs-core', () => loadTfjs());
    let tf: typeof tfcore;
    try {
      tf = await useBackend(backend);
    } catch (cause) {
      throw new ParityError(
        'E_RUNTIME_UNAVAILABLE',
        `tfjs backend ${backend} cannot start: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    let graph: tfconv.GraphModel;
    let specs: ReturnType<typeof tfjsSignatureSpecs>;
    try {
      specs = tfjsSignatureSpecs(model.path);
      graph = await converter.loadGraphModel(fileIOHandler(model.path));
    } catch (cause) {
      throw runtimeError('E_RUNTIME_LOAD', `tfjs cannot load ${model.path}`, cause, { path: model.path });
    }
    const { inputs, outputs } = tfjsPortSpecs(specs, graph);
    const simd = backend === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : backend === 'node';
    try {
      return new TfjsSession(tf, graph, {
        modelInputs: inputs,
        modelOutputs: outputs,
        // tfjs binds by signature key or node name either way.
        named: true,
        options,
        vocabSize: artifactVocabSize(model),
        idsModelInput: artifactIdsInput(model),
        environment: {
          runtime: TFJS_RUNTIME_NAME,
          version: tf.version_core ?? packageVersion('@tensorflow/tfjs-core', import.meta.url),
          backend,
          // The wasm backend runs single-threaded in Node (no cross-origin-isolated SharedArrayBuffer workers).
          ...(backend === 'node' ? {} : { threads: 1 }),
          simd,
          ...(backend === 'wasm' ? { xnnpack: true } : {}),
        },
      });
    } catch (e) {
      graph.dispose();
      throw e;
    }
  }
}

export type { TfjsSession };
