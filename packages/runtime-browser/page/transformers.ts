/**
 * transformers.js in the page: the package's web build (dist/transformers.web.js) on its own
 * onnxruntime-web, offline. Remote models are off and the model folder is read from the loopback server
 * as the library's local model path. The web build would fetch onnxruntime-web's wasm from a CDN by
 * default; here the same files (the asyncify build it picks) come from the served onnxruntime-web
 * package, and nothing is kept in the browser's caches between pages.
 */
import { AutoModel, env, Tensor } from '@huggingface/transformers';
import { PageError, type PageRuntime, type PageTensor } from './harness.ts';

interface OrtSession {
  inputNames: string[];
  outputNames: string[];
  inputMetadata: { name: string; isTensor: boolean; type?: string; shape?: (number | string)[] }[];
  outputMetadata: { name: string; isTensor: boolean; type?: string; shape?: (number | string)[] }[];
}

const runtime: PageRuntime = {
  async open(req) {
    const { root, id } = req.model;
    if (root === undefined || id === undefined) {
      throw new PageError('E_RUNTIME_LOAD', 'transformers.js needs the model folder as a local model path and id');
    }
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = root;
    env.useBrowserCache = false;
    env.useWasmCache = false;
    const ortDir = `${req.packages['onnxruntime-web']}dist/`;
    const onnx = env.backends.onnx as {
      wasm: { wasmPaths?: unknown; numThreads?: number };
      versions?: Record<string, string>;
    };
    onnx.wasm.wasmPaths = {
      mjs: `${ortDir}ort-wasm-simd-threaded.asyncify.mjs`,
      wasm: `${ortDir}ort-wasm-simd-threaded.asyncify.wasm`,
    };
    if (req.threads !== undefined) onnx.wasm.numThreads = req.threads;
    const dtype = (req.dtype ?? 'fp32') as 'fp32';
    let model: Awaited<ReturnType<typeof AutoModel.from_pretrained>>;
    try {
      model = await AutoModel.from_pretrained(id, { dtype, device: 'wasm', local_files_only: true });
    } catch (e) {
      throw new PageError(
        'E_RUNTIME_LOAD',
        `transformers.js cannot load ${id} (dtype ${dtype}): ${(e as Error).message}`,
      );
    }
    const session = (model as unknown as { sessions: Record<string, OrtSession> }).sessions.model;
    if (session === undefined)
      throw new PageError('E_RUNTIME_LOAD', `transformers.js built no "model" session for ${id}`);
    const spec = (m: OrtSession['inputMetadata'][number]) => ({
      name: m.name,
      isTensor: m.isTensor,
      dtype: m.type ?? '',
      shape: [...(m.shape ?? [])],
    });
    return {
      info: {
        inputs: session.inputMetadata.map(spec),
        outputs: session.outputMetadata.map(spec),
        named: true,
        environment: {
          version: env.version,
          backend: 'onnxruntime-web wasm',
          dtype,
          onnxruntime: onnx.versions?.web ?? 'unknown',
          wasmFile: 'ort-wasm-simd-threaded.asyncify.wasm',
          threads: onnx.wasm.numThreads,
          simd: true,
        },
      },
      async run(feeds: PageTensor[]) {
        const inputs: Record<string, Tensor> = {};
        session.inputNames.forEach((name, i) => {
          const t = feeds[i] as PageTensor;
          inputs[name] = new Tensor(t.dtype as 'int64', t.data as BigInt64Array, t.shape);
        });
        let out: Record<string, Tensor>;
        try {
          out = (await model(inputs)) as Record<string, Tensor>;
        } catch (e) {
          throw new PageError('E_RUNTIME_RUN', `transformers.js run failed: ${(e as Error).message}`);
        }
        return {
          outputs: session.outputNames.map((name) => {
            const t = out[name];
            if (t === undefined) throw new PageError('E_RUNTIME_RUN', `transformers.js returned no ${name}`);
            return { dtype: t.type, shape: [...t.dims], data: t.data as Float32Array };
          }),
        };
      },
      async close() {
        await model.dispose();
      },
    };
  },
};

export default runtime;
