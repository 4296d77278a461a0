/**
 * TensorFlow.js in the page: tfjs-core, tfjs-converter and the webgl and wasm backends, each the
 * package's own flat ESM build (dist/*.fesm.js). The backend is the request's (webgl or wasm); flags
 * (tf.env().set) are set before it starts, since WebGL reads its texture flags at initialization. The
 * graph model is fetched from the loopback server with tfjs's own HTTP loader, as a web app loads it.
 */
import '@tensorflow/tfjs-backend-webgl';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { type OpenRequest, PageError, type PageRuntime, type PageTensor } from './harness.ts';

const WEBGL_FLAGS = [
  'WEBGL_VERSION',
  'WEBGL_RENDER_FLOAT32_CAPABLE',
  'WEBGL_RENDER_FLOAT32_ENABLED',
  'WEBGL_FORCE_F16_TEXTURES',
  'WEBGL_PACK',
] as const;

/** The renderer of the WebGL context the backend draws with (e.g. ANGLE on SwiftShader). */
function webglRenderer(): string {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  if (gl === undefined) return 'unknown';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(ext === null ? gl.RENDERER : ext.UNMASKED_RENDERER_WEBGL));
}

async function backendFacts(backend: string): Promise<Record<string, unknown>> {
  if (backend === 'webgl') {
    const flags: Record<string, unknown> = {};
    for (const f of WEBGL_FLAGS) flags[f] = tf.env().get(f);
    return { renderer: webglRenderer(), ...flags };
  }
  return {
    threads: getThreadsCount(),
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    wasmThreadsSupported: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
    xnnpack: true,
  };
}

/**
 * Starts the backend once per page (flags, the wasm files and thread count can only be set before it
 * starts; the runner gives a page only to sessions with the same ones).
 */
let starting: Promise<void> | undefined;
function start(req: OpenRequest, backend: string): Promise<void> {
  starting ??= (async () => {
    tf.enableProdMode();
    for (const [name, value] of Object.entries(req.flags ?? {})) tf.env().set(name, value);
    if (backend === 'wasm') {
      setWasmPaths(`${req.packages['@tensorflow/tfjs-backend-wasm']}dist/`);
      if (req.threads !== undefined) setThreadsCount(req.threads);
    }
    let started = false;
    try {
      started = await tf.setBackend(backend);
      await tf.ready();
    } catch (e) {
      throw new PageError('E_RUNTIME_UNAVAILABLE', `tfjs backend ${backend} cannot start: ${(e as Error).message}`);
    }
    if (!started || tf.getBackend() !== backend) {
      throw new PageError(
        'E_RUNTIME_UNAVAILABLE',
        `tfjs backend ${backend} failed to initialize (running: ${tf.getBackend()})`,
      );
    }
  })();
  return starting;
}

const runtime: PageRuntime = {
  async open(req) {
    const backend = req.backend ?? 'webgl';
    await start(req, backend);
    let model: GraphModel;
    try {
      model = await loadGraphModel(`${req.model.base}${req.model.main}`);
    } catch (e) {
      throw new PageError('E_RUNTIME_LOAD', `tfjs cannot load ${req.model.main}: ${(e as Error).message}`);
    }
    const inputs = req.ports?.inputs ?? model.inputs.map((i) => i.name);
    const outputs = req.ports?.outputs ?? model.outputs.map((o) => o.name);
    return {
      info: {
        inputs: model.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: [...(i.shape ?? [])] })),
        outputs: model.outputs.map((o) => ({ name: o.name, dtype: o.dtype, shape: [...(o.shape ?? [])] })),
        named: true,
        environment: { version: tf.version_core, backend: tf.getBackend(), ...(await backendFacts(backend)) },
      },
      async run(feeds: PageTensor[]) {
        const named: Record<string, tf.Tensor> = {};
        let results: tf.Tensor[] = [];
        try {
          inputs.forEach((name, i) => {
            const t = feeds[i] as PageTensor;
            named[name] = tf.tensor(t.data as Int32Array, t.shape, t.dtype as 'int32');
          });
          try {
            const out = model.execute(named, outputs);
            results = Array.isArray(out) ? out : [out];
          } catch (e) {
            throw new PageError('E_RUNTIME_RUN', `tfjs execute failed: ${(e as Error).message}`);
          }
          const data = await Promise.all(results.map((t) => t.data()));
          return {
            outputs: results.map((t, i) => ({
              dtype: t.dtype === 'int32' ? 'int32' : 'float32',
              shape: [...t.shape],
              data: data[i] as Float32Array,
            })),
          };
        } finally {
          tf.dispose(Object.values(named));
          tf.dispose(results);
        }
      },
      async close() {
        model.dispose();
      },
    };
  },
};

export default runtime;
