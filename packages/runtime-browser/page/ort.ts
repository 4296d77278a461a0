/**
 * onnxruntime-web in the page. The import map points 'onnxruntime-web' at the package's own browser
 * build for the runtime: dist/ort.wasm.min.mjs (onnx-web, the wasm execution provider) or
 * dist/ort.webgpu.min.mjs (onnx-webgpu). Both load their wasm binary and worker script from the served
 * package folder (env.wasm.wasmPaths), never from a CDN.
 */
import * as ort from 'onnxruntime-web';
import { fetchBytes, PageError, type PageRuntime, type PageTensor } from './harness.ts';

let gpuAdapter: Promise<GPUAdapter> | undefined;

async function webgpuAdapter(): Promise<GPUAdapter> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  if (gpu === undefined) {
    throw new PageError('E_RUNTIME_UNAVAILABLE', 'this browser has no navigator.gpu (WebGPU is not offered here)');
  }
  const adapter = await gpu.requestAdapter();
  if (adapter === null) {
    throw new PageError(
      'E_RUNTIME_UNAVAILABLE',
      'navigator.gpu.requestAdapter() returned null: the browser offers no WebGPU adapter here (no GPU, and no software fallback)',
    );
  }
  return adapter;
}

const runtime: PageRuntime = {
  async open(req) {
    const backend = req.backend === 'webgpu' ? 'webgpu' : 'wasm';
    // onnxruntime-web reads these when its first session starts; later sessions of the page share them.
    gpuAdapter ??= backend === 'webgpu' ? webgpuAdapter() : undefined;
    const gpu = await gpuAdapter;
    ort.env.wasm.wasmPaths = `${req.packages['onnxruntime-web']}dist/`;
    ort.env.wasm.proxy = false;
    if (req.threads !== undefined) ort.env.wasm.numThreads = req.threads;
    ort.env.logLevel = 'error';
    if (gpu !== undefined) ort.env.webgpu.adapter = gpu;
    const bytes = await fetchBytes(`${req.model.base}${req.model.main}`);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: [backend],
        graphOptimizationLevel: (req.graphOptimization ?? 'all') as 'all',
        logSeverityLevel: 3,
      });
    } catch (e) {
      throw new PageError(
        'E_RUNTIME_LOAD',
        `onnxruntime-web (${backend}) cannot load ${req.model.main}: ${(e as Error).message}`,
      );
    }
    const names = session.outputNames;
    // GPUAdapter.info (vendor, architecture, isFallbackAdapter) is newer than TypeScript's DOM types.
    const info = (gpu as { info?: { vendor: string; architecture: string; isFallbackAdapter?: boolean } } | undefined)
      ?.info;
    return {
      info: {
        inputs: session.inputMetadata.map((m) => ({
          ...m,
          dtype: m.isTensor ? m.type : '',
          shape: m.isTensor ? [...m.shape] : [],
        })),
        outputs: session.outputMetadata.map((m) => ({
          ...m,
          dtype: m.isTensor ? m.type : '',
          shape: m.isTensor ? [...m.shape] : [],
        })),
        named: true,
        environment: {
          version: ort.env.versions.web,
          backend,
          // After the first session, numThreads is what the wasm module runs with: the request, or
          // onnxruntime-web's default (min(4, ceil(cores / 2)) when cross-origin isolated, else 1).
          threads: ort.env.wasm.numThreads,
          simd: true,
          graphOptimization: req.graphOptimization ?? 'all',
          ...(info === undefined
            ? {}
            : { webgpuAdapter: `${info.vendor} ${info.architecture}`.trim(), fallbackAdapter: info.isFallbackAdapter }),
        },
      },
      async run(feeds: PageTensor[]) {
        const inputs: Record<string, ort.Tensor> = {};
        session.inputNames.forEach((name, i) => {
          const t = feeds[i] as PageTensor;
          inputs[name] = new ort.Tensor(t.dtype as 'int64', t.data as BigInt64Array, t.shape);
        });
        let out: ort.InferenceSession.ReturnType;
        try {
          out = await session.run(inputs);
        } catch (e) {
          throw new PageError('E_RUNTIME_RUN', `onnxruntime-web run failed: ${(e as Error).message}`);
        }
        return {
          outputs: names.map((name) => {
            const t = out[name];
            if (t === undefined) throw new PageError('E_RUNTIME_RUN', `onnxruntime-web returned no ${name}`);
            return { dtype: t.type, shape: [...t.dims], data: t.data as Float32Array };
          }),
        };
      },
      async close() {
        await session.release();
      },
    };
  },
};

export default runtime;
