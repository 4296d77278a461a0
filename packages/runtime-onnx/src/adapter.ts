import { arch, cpus } from 'node:os';
import {
  type Availability,
  type DType,
  type ModelArtifact,
  ParityError,
  type RuntimeAdapter,
  type RuntimeEnvironment,
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
import type * as OrtModule from 'onnxruntime-node';

type Ort = typeof OrtModule;
type OrtSession = OrtModule.InferenceSession;

export const ONNX_RUNTIME_NAME = 'onnxruntime-node';

const loadOrt = (): Promise<Ort> =>
  importRuntime('onnxruntime-node', () => import('onnxruntime-node'), 'install onnxruntime-node 1.30');

const DTYPES: Readonly<Record<string, DType>> = {
  float32: 'float32',
  float16: 'float16',
  float64: 'float64',
  int8: 'int8',
  uint8: 'uint8',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
};

/** A model port as onnxruntime describes it (node or web: the same metadata) → TensorSpec. */
export function onnxTensorSpec(meta: OrtModule.InferenceSession.ValueMetadata, path: string): TensorSpec {
  if (!meta.isTensor) {
    throw new ParityError(
      'E_RUNTIME_LOAD',
      `${path}: ${meta.name} is not a tensor; expected tensor inputs and outputs`,
    );
  }
  const dtype = DTYPES[meta.type];
  if (dtype === undefined) {
    throw new ParityError(
      'E_RUNTIME_LOAD',
      `${path}: ${meta.name} has element type ${meta.type}; expected one of ${Object.keys(DTYPES).join(', ')}`,
    );
  }
  return {
    name: meta.name,
    dtype,
    shape: meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null)),
    dimNames: meta.shape.map((d) => (typeof d === 'string' ? d : null)),
  };
}

// onnxruntime's Gather kernel message for an id past the table, e.g.
// "indices element out of data bounds, idx=5000 must be within the inclusive range [-1000,999]".
const GATHER_BOUNDS =
  /indices element out of data bounds, idx=(-?\d+) must be within the inclusive range \[(-?\d+),(-?\d+)\]/;

class OnnxSession extends BaseSession {
  constructor(
    private readonly ort: Ort,
    private readonly session: OrtSession,
    init: SessionInit,
  ) {
    super(init);
  }

  protected async runImpl(feeds: readonly Tensor[]): Promise<Tensor[]> {
    const ortFeeds: Record<string, OrtModule.Tensor> = {};
    this.modelInputs.forEach((spec, i) => {
      const t = feeds[i] as Tensor;
      ortFeeds[spec.name] = new this.ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.shape as number[]);
    });
    let out: OrtModule.InferenceSession.ReturnType;
    try {
      out = await this.session.run(ortFeeds);
    } catch (cause) {
      const m = GATHER_BOUNDS.exec(cause instanceof Error ? cause.message : String(cause));
      if (m !== null) {
        throw new ParityError(
          'E_RUNTIME_TOKEN_RANGE',
          `onnxruntime Gather got index ${m[1]}; expected an id within [0, ${m[3]}] (the embedding table has ${Number(m[3]) + 1} rows)`,
          { cause, details: { value: Number(m[1]), vocabSize: Number(m[3]) + 1 } },
        );
      }
      throw runtimeError('E_RUNTIME_RUN', 'onnxruntime run failed', cause);
    }
    return this.modelOutputs.map((spec) => {
      const t = out[spec.name];
      if (t === undefined) throw new ParityError('E_RUNTIME_RUN', `onnxruntime returned no ${spec.name}`);
      const dtype = DTYPES[t.type] ?? 'float32';
      return { dtype, shape: [...t.dims], data: t.data as Float32Array };
    });
  }

  protected async closeImpl(): Promise<void> {
    await this.session.release();
  }
}

/**
 * onnxruntime-node on the CPU execution provider. Options: `threads` (intra-op threads; the runtime's
 * default, one per physical core, when absent) and `graphOptimization` (default "all", onnxruntime's own
 * default); the environment records both, because fusions change float results.
 */
export class OnnxAdapter implements RuntimeAdapter {
  readonly name = ONNX_RUNTIME_NAME;
  readonly formats = ['onnx'] as const;

  available(): Promise<Availability> {
    return availableWhen(() => loadOrt());
  }

  async open(model: ModelArtifact, options: AdapterOptions = {}): Promise<OnnxSession> {
    requireFormat(this.name, this.formats, model);
    const ort = await loadOrt();
    const graphOptimization = options.graphOptimization ?? 'all';
    const sessionOptions: OrtModule.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      // Kernel failures are thrown with the same message; the native log would only repeat it on stderr.
      logSeverityLevel: 4,
      graphOptimizationLevel: graphOptimization,
      ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads, interOpNumThreads: 1 }),
    };
    let session: OrtSession;
    try {
      // From the path: onnxruntime reads the file itself (and resolves external data, model.onnx_data,
      // beside it). Reading the bytes here first kept a second copy of the weights in the JS heap while
      // the session opened: bert-base's shape (440 MB float32) peaked at 1,098 MB RSS that way, 840 MB
      // from the path (issue 15 item 4).
      session = await ort.InferenceSession.create(model.path, sessionOptions);
    } catch (cause) {
      throw runtimeError('E_RUNTIME_LOAD', `onnxruntime cannot load ${model.path}`, cause, { path: model.path });
    }
    try {
      const environment: RuntimeEnvironment = {
        runtime: ONNX_RUNTIME_NAME,
        version: ort.env.versions.node ?? packageVersion('onnxruntime-node', import.meta.url),
        backend: 'cpu',
        ...(options.threads === undefined ? { threadsSetting: 'runtime default' } : { threads: options.threads }),
        // MLAS picks SSE/AVX2/AVX-512 or NEON kernels at run time; there is no scalar-only CPU build.
        simd: true,
        graphOptimization,
        arch: arch(),
        cpu: cpus()[0]?.model ?? 'unknown',
      };
      return new OnnxSession(ort, session, {
        modelInputs: session.inputMetadata.map((m) => onnxTensorSpec(m, model.path)),
        modelOutputs: session.outputMetadata.map((m) => onnxTensorSpec(m, model.path)),
        named: true,
        options,
        environment,
        vocabSize: artifactVocabSize(model),
        idsModelInput: artifactIdsInput(model),
      });
    } catch (e) {
      await session.release();
      throw e;
    }
  }
}

export type { OnnxSession };
