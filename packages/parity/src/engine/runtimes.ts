import { type ModelFormat, ParityError, type RuntimeAdapter } from '@bert-parity/core';
import type { AdapterOptions } from '@bert-parity/runtime-base';
import { HOST_RUNTIME_NAMES, type RuntimeConfig, type RuntimeName } from '../config/schema.ts';

/**
 * The runtimes a config can name, what formats each runs, and how its host adapter is made. Adapters are
 * imported only when a cell needs them, so a config without TF.js never loads it. onnx-web, onnx-webgpu
 * and tfjs-webgl run only in the browser (platform-browser.ts).
 */
export const RUNTIME_FORMATS: Readonly<Record<RuntimeName, readonly ModelFormat[]>> = {
  onnx: ['onnx'],
  'onnx-web': ['onnx'],
  'onnx-webgpu': ['onnx'],
  'tfjs-wasm': ['tfjs-graph'],
  'tfjs-webgl': ['tfjs-graph'],
  'tfjs-cpu': ['tfjs-graph'],
  'tfjs-node': ['tfjs-graph'],
  litert: ['tflite'],
  transformers: ['hf-dir'],
};

/** The runtimes with an adapter in this process (the host platform runs these). */
export const HOST_RUNTIMES: readonly RuntimeName[] = HOST_RUNTIME_NAMES;

async function create(name: RuntimeName): Promise<RuntimeAdapter> {
  switch (name) {
    case 'onnx':
      return new (await import('@bert-parity/runtime-onnx')).OnnxAdapter();
    case 'tfjs-wasm':
      return new (await import('@bert-parity/runtime-tfjs')).TfjsAdapter('wasm');
    case 'tfjs-cpu':
      return new (await import('@bert-parity/runtime-tfjs')).TfjsAdapter('cpu');
    case 'tfjs-node':
      return new (await import('@bert-parity/runtime-tfjs')).TfjsAdapter('node');
    case 'litert':
      return new (await import('@bert-parity/runtime-litert')).LiteRtAdapter();
    case 'transformers':
      return new (await import('@bert-parity/runtime-transformers')).TransformersAdapter();
    case 'onnx-web':
    case 'onnx-webgpu':
    case 'tfjs-webgl':
      throw new ParityError(
        'E_RUNTIME_UNAVAILABLE',
        `runtime ${name} runs only in the browser; expected platform browser (platforms: ['browser'] or --platform browser)`,
      );
  }
}

const adapters = new Map<RuntimeName, Promise<RuntimeAdapter>>();

/** One adapter per runtime per process; fails with E_RUNTIME_UNAVAILABLE when it cannot load here. */
export function adapterFor(name: RuntimeName): Promise<RuntimeAdapter> {
  let p = adapters.get(name);
  if (p === undefined) {
    p = create(name).then(async (adapter) => {
      const a = await adapter.available();
      if (!a.ok) throw new ParityError('E_RUNTIME_UNAVAILABLE', `runtime ${name} cannot run here: ${a.reason}`);
      return adapter;
    });
    adapters.set(name, p);
  }
  return p;
}

export function sessionOptions(
  runtime: RuntimeConfig,
  variant: {
    inputMapping?: Record<string, string | number> | undefined;
    outputMapping?: Record<string, string | number> | undefined;
  },
): AdapterOptions {
  return {
    ...(runtime.threads === undefined ? {} : { threads: runtime.threads }),
    ...(runtime.graphOptimization === undefined ? {} : { graphOptimization: runtime.graphOptimization }),
    ...(variant.inputMapping === undefined ? {} : { inputMapping: variant.inputMapping }),
    ...(variant.outputMapping === undefined ? {} : { outputMapping: variant.outputMapping }),
  };
}
