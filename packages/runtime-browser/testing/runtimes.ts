import { fileURLToPath } from 'node:url';
import { BROWSER_RUNTIMES, type BrowserRuntime } from '../src/runtimes.ts';

const onnxWeb = BROWSER_RUNTIMES.find((r) => r.name === 'onnx-web') as BrowserRuntime;

/**
 * onnx-web with testing/pages/faults.ts as its page: the real runtime, except for models whose file
 * names ask for a hang, a crash or an outbound request (see that file).
 */
const faultyOnnxWeb: BrowserRuntime = {
  ...onnxWeb,
  page: fileURLToPath(new URL('./pages/faults.ts', import.meta.url)),
};

/** A runtime whose page cannot load: its import map points at a file its package does not have. */
function unloadableRuntime(name: string): BrowserRuntime {
  return {
    ...onnxWeb,
    name,
    imports: { 'onnxruntime-web': { chain: ['onnxruntime-web'], file: 'dist/no-such-build.mjs' } },
  };
}

export default [faultyOnnxWeb, unloadableRuntime('broken')];
