/**
 * LiteRT.js in the page: the package's web build (dist/index.js) with its wasm glue and binary from the
 * served package's wasm/ folder, on the wasm (XNNPACK) accelerator. Its wasm module reports a failing op
 * only through console.error (the run resolves with zeros or stale memory), so console.error is captured
 * before the module loads and every line written during a run goes back with the run: the Node side
 * fails the run with E_RUNTIME_OP, as on the host.
 */
import {
  type CompiledModel,
  loadAndCompile,
  loadLiteRt,
  type SignatureRunner,
  supportsFeature,
  Tensor,
  type TensorDetails,
} from '@litertjs/core';
import { captureConsoleErrors, fetchBytes, PageError, type PageRuntime, type PageTensor } from './harness.ts';

const log = captureConsoleErrors();
let loading: Promise<void> | undefined;

const details = (d: TensorDetails) => ({ name: d.name, dtype: d.dtype, shape: Array.from(d.shape) });

const runtime: PageRuntime = {
  async open(req) {
    const threads = (req.threads ?? 1) > 1;
    const relaxedSimd = await supportsFeature('relaxedSimd');
    const mark = log.length;
    // Once per page (the runner gives a page only to sessions with the same thread setting).
    loading ??= loadLiteRt(`${req.packages['@litertjs/core']}wasm/`, { threads }).then(
      () => undefined,
      (e: unknown) => {
        throw new PageError('E_RUNTIME_UNAVAILABLE', `LiteRT.js cannot load its wasm module: ${(e as Error).message}`);
      },
    );
    await loading;
    const bytes = await fetchBytes(`${req.model.base}${req.model.main}`);
    let compiled: CompiledModel;
    try {
      compiled = await loadAndCompile(bytes, { accelerator: 'wasm' });
    } catch (e) {
      throw new PageError('E_RUNTIME_LOAD', `LiteRT.js cannot compile ${req.model.main}: ${(e as Error).message}`, {
        log: log.slice(mark),
      });
    }
    const placeholder = req.signature?.placeholder;
    const signed = Object.keys(compiled.signatures).filter((k) => k !== placeholder);
    const wanted = req.signature?.key;
    const key = wanted !== undefined && signed.includes(wanted) ? wanted : signed[0];
    const runner: SignatureRunner | CompiledModel =
      key === undefined ? compiled : (compiled.signatures[key] as SignatureRunner);
    const inputs = runner.getInputDetails().map(details);
    const outputs = runner.getOutputDetails().map(details);
    return {
      info: {
        inputs,
        outputs,
        named: key !== undefined,
        environment: {
          backend: 'wasm',
          accelerator: 'wasm (XNNPACK)',
          // The threaded build sizes its own worker pool; the single-threaded one runs on the page's thread.
          ...(threads ? { threadedBuild: true } : { threads: 1 }),
          simd: true,
          relaxedSimd,
          wasmFile: threads
            ? 'litert_wasm_threaded_internal.js'
            : relaxedSimd
              ? 'litert_wasm_internal.js'
              : 'litert_wasm_compat_internal.js',
          signature: key ?? placeholder,
        },
      },
      async run(feeds: PageTensor[]) {
        const owned: Tensor[] = [];
        const mark = log.length;
        try {
          const tensors = feeds.map((t) => new Tensor(t.data as Int32Array, t.shape));
          owned.push(...tensors);
          let results: Tensor[];
          if (key !== undefined) {
            const byName: Record<string, Tensor> = {};
            inputs.forEach((s, i) => {
              byName[s.name] = tensors[i] as Tensor;
            });
            const out = await (runner as SignatureRunner).run(byName);
            results = outputs.map((s) => {
              const t = out[s.name];
              if (t === undefined) throw new PageError('E_RUNTIME_RUN', `LiteRT.js returned no output ${s.name}`);
              return t;
            });
            owned.push(...Object.values(out));
          } else {
            results = await (runner as CompiledModel).run(tensors);
            owned.push(...results);
          }
          return {
            outputs: results.map((t, i) => ({
              dtype: outputs[i]?.dtype ?? 'float32',
              shape: Array.from(t.type.layout.dimensions),
              // Copied out of the wasm heap before the tensor is deleted.
              data: (t.toTypedArray() as Float32Array).slice(),
            })),
            log: log.slice(mark),
          };
        } finally {
          for (const t of owned) if (!t.deleted) t.delete();
        }
      },
      async close() {
        if (!compiled.deleted) compiled.delete();
      },
    };
  },
};

export default runtime;
