import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  type Availability,
  type DType,
  type ModelArtifact,
  type NamedTensors,
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
  requireFormat,
  runtimeError,
  type SessionInit,
} from '@bert-parity/runtime-base';
import { withoutNetwork } from './offline.ts';

type Transformers = typeof import('@huggingface/transformers');
type PreTrainedModel = Awaited<ReturnType<Transformers['AutoModel']['from_pretrained']>>;
type PreTrainedTokenizer = Awaited<ReturnType<Transformers['AutoTokenizer']['from_pretrained']>>;
type HfTensor = InstanceType<Transformers['Tensor']>;

export const TRANSFORMERS_RUNTIME_NAME = 'transformers.js';

/** transformers.js dtypes and the file each one loads from the folder's onnx/. */
export const TRANSFORMERS_DTYPES = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
} as const;
export type TransformersDtype = keyof typeof TRANSFORMERS_DTYPES;

export interface TransformersOptions extends AdapterOptions {
  /** Which ONNX file of the folder to run; default from the artifact's precision (float16 → fp16, int8 → q8). */
  dtype?: TransformersDtype;
}

const load = (): Promise<Transformers> =>
  importRuntime(
    '@huggingface/transformers',
    () => import('@huggingface/transformers'),
    'install @huggingface/transformers 4.3.1',
  );

/** Configures the library's global env for offline use; repeated before every load because it is global. */
function offlineEnv(tj: Transformers, folder: string): string {
  tj.env.allowRemoteModels = false;
  tj.env.allowLocalModels = true;
  tj.env.localModelPath = `${dirname(folder)}/`;
  return basename(folder);
}

export interface OrtMeta {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

/** A port of transformers.js's onnxruntime session (node or web) → TensorSpec. */
export function transformersTensorSpec(m: OrtMeta): TensorSpec {
  const dtype = (['float32', 'float16', 'int32', 'int64'].includes(m.type ?? '') ? m.type : 'float32') as DType;
  return { name: m.name, dtype, shape: (m.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : null)) };
}

/** What runText returns: the library's own encodings and the model's outputs, so both drifts show together. */
export interface TextRun {
  readonly inputIds: number[][];
  readonly attentionMask: number[][];
  readonly tokenTypeIds: number[][];
  readonly outputs: NamedTensors;
}

class TransformersSession extends BaseSession {
  private tokenizer: PreTrainedTokenizer | undefined;

  constructor(
    private readonly tj: Transformers,
    private readonly model: PreTrainedModel,
    private readonly folder: string,
    init: SessionInit,
  ) {
    super(init);
  }

  protected async runImpl(feeds: readonly Tensor[]): Promise<Tensor[]> {
    const inputs: Record<string, HfTensor> = {};
    this.modelInputs.forEach((spec, i) => {
      const t = feeds[i] as Tensor;
      inputs[spec.name] = new this.tj.Tensor(t.dtype as 'int64', t.data as BigInt64Array, [...t.shape]);
    });
    let out: Record<string, HfTensor>;
    try {
      out = (await withoutNetwork(() => this.model(inputs))) as Record<string, HfTensor>;
    } catch (cause) {
      throw runtimeError('E_RUNTIME_RUN', 'transformers.js run failed', cause);
    }
    return this.modelOutputs.map((spec) => {
      const t = out[spec.name];
      if (t === undefined) throw new ParityError('E_RUNTIME_RUN', `transformers.js returned no ${spec.name}`);
      return { dtype: t.type as DType, shape: [...t.dims], data: t.data as Float32Array };
    });
  }

  /**
   * The library's own text path: its tokenizer (from the folder's tokenizer.json) encodes the texts,
   * padded to the longest and truncated to maxSeqLength, and the model runs on them through run().
   */
  async runText(texts: readonly string[], options: { maxSeqLength?: number } = {}): Promise<TextRun> {
    if (this.tokenizer === undefined) {
      const id = offlineEnv(this.tj, this.folder);
      try {
        this.tokenizer = await withoutNetwork(() =>
          this.tj.AutoTokenizer.from_pretrained(id, { local_files_only: true }),
        );
      } catch (cause) {
        throw runtimeError('E_RUNTIME_LOAD', `transformers.js cannot load the tokenizer in ${this.folder}`, cause);
      }
    }
    const enc = this.tokenizer([...texts], {
      padding: true,
      truncation: true,
      max_length: options.maxSeqLength ?? 128,
    }) as Record<string, HfTensor>;
    const rows = (t: HfTensor | undefined) =>
      t === undefined ? [] : (t.tolist() as bigint[][]).map((r) => r.map(Number));
    const inputIds = rows(enc.input_ids);
    const attentionMask = rows(enc.attention_mask);
    const tokenTypeIds =
      enc.token_type_ids === undefined ? inputIds.map((r) => r.map(() => 0)) : rows(enc.token_type_ids);
    const shape = [inputIds.length, inputIds[0]?.length ?? 0];
    const t = (r: number[][]): Tensor => ({ dtype: 'int64', shape, data: BigInt64Array.from(r.flat(), BigInt) });
    const outputs = await this.run({
      input_ids: t(inputIds),
      attention_mask: t(attentionMask),
      token_type_ids: t(tokenTypeIds),
    });
    return { inputIds, attentionMask, tokenTypeIds, outputs };
  }

  protected async closeImpl(): Promise<void> {
    await this.model.dispose();
  }
}

/**
 * The model folder transformers.js loads for an artifact and the dtype it runs: the option, else from the
 * artifact's precision (float16 → fp16, int8 → q8, else fp32). An hf-dir artifact is the folder; an ONNX
 * file must sit in a folder's onnx/. The folder must hold config.json and the dtype's file (E_RUNTIME_LOAD).
 */
export function transformersModel(
  model: ModelArtifact,
  dtype?: TransformersDtype,
): { folder: string; dtype: TransformersDtype; file: string } {
  const d = dtype ?? (model.precision === 'float16' ? 'fp16' : model.precision === 'int8' ? 'q8' : 'fp32');
  const folder = model.format === 'hf-dir' ? model.path : dirname(dirname(model.path));
  const file = join(folder, 'onnx', TRANSFORMERS_DTYPES[d]);
  if (!existsSync(join(folder, 'config.json')) || !existsSync(file)) {
    throw new ParityError(
      'E_RUNTIME_LOAD',
      `transformers.js needs ${join(folder, 'config.json')} and ${file} for dtype ${d}; missing in ${folder}`,
      { details: { folder, dtype: d } },
    );
  }
  return { folder, dtype: d, file };
}

/**
 * transformers.js (its AutoModel over onnxruntime-node, CPU) run fully offline from a local Hugging Face
 * model folder: remote models are disabled, the folder is the local model path, and any fetch during a load
 * or run fails with E_RUNTIME_NETWORK.
 */
export class TransformersAdapter implements RuntimeAdapter {
  readonly name = TRANSFORMERS_RUNTIME_NAME;
  readonly formats = ['hf-dir', 'onnx'] as const;

  available(): Promise<Availability> {
    return availableWhen(() => load());
  }

  /**
   * Opens an hf-dir artifact (a folder), or an ONNX file that sits in a folder's onnx/ under the name
   * transformers.js expects for the dtype.
   */
  async open(model: ModelArtifact, options: TransformersOptions = {}): Promise<TransformersSession> {
    requireFormat(this.name, this.formats, model);
    const { folder, dtype } = transformersModel(model, options.dtype);
    const tj = await load();
    const id = offlineEnv(tj, folder);
    let hf: PreTrainedModel;
    try {
      hf = await withoutNetwork(() =>
        tj.AutoModel.from_pretrained(id, { dtype, device: 'cpu', local_files_only: true }),
      );
    } catch (cause) {
      throw runtimeError('E_RUNTIME_LOAD', `transformers.js cannot load ${folder} (dtype ${dtype})`, cause, { folder });
    }
    try {
      const ort = (
        hf as unknown as { sessions: Record<string, { inputMetadata: OrtMeta[]; outputMetadata: OrtMeta[] }> }
      ).sessions.model;
      if (ort === undefined)
        throw new ParityError('E_RUNTIME_LOAD', `transformers.js built no "model" session for ${folder}`);
      return new TransformersSession(tj, hf, folder, {
        modelInputs: ort.inputMetadata.map(transformersTensorSpec),
        modelOutputs: ort.outputMetadata.map(transformersTensorSpec),
        named: true,
        options,
        vocabSize: artifactVocabSize(model),
        idsModelInput: artifactIdsInput(model),
        environment: {
          runtime: TRANSFORMERS_RUNTIME_NAME,
          version: tj.env.version,
          backend: 'onnxruntime-node cpu',
          dtype,
          file: TRANSFORMERS_DTYPES[dtype],
          simd: true,
          onnxruntime:
            (tj.env.backends.onnx as { versions?: { node?: string } } | undefined)?.versions?.node ?? 'unknown',
        },
      });
    } catch (e) {
      await hf.dispose();
      throw e;
    }
  }
}

export type { TransformersSession };
