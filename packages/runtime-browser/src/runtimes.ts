import { fileURLToPath } from 'node:url';
import type { ModelArtifact, ModelFormat, TensorSpec } from '@bert-parity/core';
import type { AdapterOptions } from '@bert-parity/runtime-base';
import { LITERT_OP_FAILURE, litertTensorSpec, PLACEHOLDER_SIGNATURE } from '@bert-parity/runtime-litert';
import { onnxTensorSpec } from '@bert-parity/runtime-onnx';
import { type TfjsGraphPort, tfjsPortSpecs, tfjsSignatureSpecs } from '@bert-parity/runtime-tfjs';
import {
  type OrtMeta,
  type TransformersDtype,
  transformersModel,
  transformersTensorSpec,
} from '@bert-parity/runtime-transformers';
import type { OpenRequest, OpenResult, PageSpec } from './protocol.ts';

export interface BrowserSessionOptions extends AdapterOptions {
  /** TF.js flags set before the backend starts (e.g. WEBGL_FORCE_F16_TEXTURES), as a web app may set them. */
  flags?: Record<string, boolean | number | string>;
  /** transformers.js dtype; default from the artifact's precision, as on the host. */
  dtype?: TransformersDtype;
}

/** A module the import map resolves: a file of an installed package (chain: see servedPackage), or nothing. */
export type ImportTarget = { chain: readonly string[]; file: string } | 'empty';

/** One runtime of the browser platform: what the page loads and how its answers map to the contract. */
export interface BrowserRuntime {
  /** The name on the platform, as configs and cell ids say it. */
  readonly name: string;
  /** The package that runs the model; the report's runtime and version are its. */
  readonly library: readonly string[];
  readonly formats: readonly ModelFormat[];
  /** The page module (TypeScript under page/ or a test's; bundled, its package imports left to the import map). */
  readonly page: string;
  /** Bare specifier → module, for the page's import map. */
  readonly imports: Readonly<Record<string, ImportTarget>>;
  /** What the request adds for this runtime and artifact (backend, signature, dtype, port names). */
  request(model: ModelArtifact, options: BrowserSessionOptions): Omit<OpenRequest, 'model' | 'packages'>;
  /** Log lines of a failed open that mean an operator failed (E_RUNTIME_OP rather than E_RUNTIME_LOAD). */
  readonly opFailure?: RegExp;
  /** The ports as the harness's TensorSpecs, from what the page reported. */
  specs(info: OpenResult, model: ModelArtifact): { inputs: TensorSpec[]; outputs: TensorSpec[] };
}

const pageFile = (name: string) => fileURLToPath(new URL(`../page/${name}`, import.meta.url));

const common = (o: BrowserSessionOptions) => ({
  ...(o.threads === undefined ? {} : { threads: o.threads }),
  ...(o.graphOptimization === undefined ? {} : { graphOptimization: o.graphOptimization }),
});

const ortMeta = (p: PageSpec) =>
  ({ name: p.name, isTensor: p.isTensor ?? true, type: p.dtype, shape: p.shape }) as Parameters<
    typeof onnxTensorSpec
  >[0];

function onnxWeb(name: string, backend: 'wasm' | 'webgpu', file: string): BrowserRuntime {
  return {
    name,
    library: ['onnxruntime-web'],
    formats: ['onnx'],
    page: pageFile('ort.ts'),
    imports: { 'onnxruntime-web': { chain: ['onnxruntime-web'], file } },
    request: (_, o) => ({ backend, ...common(o) }),
    specs: (info, model) => ({
      inputs: info.inputs.map((p) => onnxTensorSpec(ortMeta(p), model.path)),
      outputs: info.outputs.map((p) => onnxTensorSpec(ortMeta(p), model.path)),
    }),
  };
}

// tfjs's flat ESM builds import Node built-ins for their Node code paths; the packages' "browser" field
// maps each to nothing, which the import map does with an empty module.
const TFJS_IMPORTS: Record<string, ImportTarget> = {
  '@tensorflow/tfjs-core': { chain: ['@tensorflow/tfjs-core'], file: 'dist/tf-core.fesm.js' },
  '@tensorflow/tfjs-converter': { chain: ['@tensorflow/tfjs-converter'], file: 'dist/tf-converter.fesm.js' },
  '@tensorflow/tfjs-backend-webgl': {
    chain: ['@tensorflow/tfjs-backend-webgl'],
    file: 'dist/tf-backend-webgl.fesm.js',
  },
  '@tensorflow/tfjs-backend-wasm': { chain: ['@tensorflow/tfjs-backend-wasm'], file: 'dist/tf-backend-wasm.fesm.js' },
  fs: 'empty',
  path: 'empty',
  os: 'empty',
  perf_hooks: 'empty',
  worker_threads: 'empty',
  crypto: 'empty',
  util: 'empty',
};

function tfjs(name: string, backend: 'webgl' | 'wasm'): BrowserRuntime {
  return {
    name,
    library: ['@tensorflow/tfjs-core'],
    formats: ['tfjs-graph'],
    page: pageFile('tfjs.ts'),
    imports: TFJS_IMPORTS,
    request(model, o) {
      const sig = tfjsSignatureSpecs(model.path);
      return {
        backend,
        ...common(o),
        ...(o.flags === undefined ? {} : { flags: o.flags }),
        ...(sig === null
          ? {}
          : { ports: { inputs: sig.inputs.map((s) => s.name), outputs: sig.outputs.map((s) => s.name) } }),
      };
    },
    specs: (info, model) =>
      tfjsPortSpecs(tfjsSignatureSpecs(model.path), {
        inputs: info.inputs as TfjsGraphPort[],
        outputs: info.outputs as TfjsGraphPort[],
      }),
  };
}

const transformers: BrowserRuntime = {
  name: 'transformers',
  library: ['@huggingface/transformers'],
  formats: ['hf-dir'],
  page: pageFile('transformers.ts'),
  imports: {
    '@huggingface/transformers': { chain: ['@huggingface/transformers'], file: 'dist/transformers.web.js' },
    // The onnxruntime-web that transformers.js depends on, not ours: the build its package "import" condition picks.
    'onnxruntime-web/webgpu': {
      chain: ['@huggingface/transformers', 'onnxruntime-web'],
      file: 'dist/ort.webgpu.bundle.min.mjs',
    },
    'onnxruntime-common': {
      chain: ['@huggingface/transformers', 'onnxruntime-web', 'onnxruntime-common'],
      file: 'dist/esm/index.js',
    },
  },
  request: (model, o) => ({ dtype: transformersModel(model, o.dtype).dtype, ...common(o) }),
  specs: (info) => ({
    inputs: info.inputs.map((p) => transformersTensorSpec({ ...p, type: p.dtype } as OrtMeta)),
    outputs: info.outputs.map((p) => transformersTensorSpec({ ...p, type: p.dtype } as OrtMeta)),
  }),
};

const litert: BrowserRuntime = {
  name: 'litert',
  library: ['@litertjs/core'],
  formats: ['tflite'],
  page: pageFile('litert.ts'),
  imports: {
    '@litertjs/core': { chain: ['@litertjs/core'], file: 'dist/index.js' },
    '@litertjs/wasm-utils': { chain: ['@litertjs/core', '@litertjs/wasm-utils'], file: 'dist/index.js' },
  },
  request: (model, o) => ({
    signature: { key: model.signature?.key, placeholder: PLACEHOLDER_SIGNATURE },
    ...common(o),
  }),
  opFailure: LITERT_OP_FAILURE,
  specs: (info) => ({
    inputs: info.inputs.map((p) => litertTensorSpec({ ...p, shape: p.shape as number[] })),
    outputs: info.outputs.map((p) => litertTensorSpec({ ...p, shape: p.shape as number[] })),
  }),
};

/**
 * The runtimes of the browser platform. The names are the host's where the host has the same library
 * (tfjs-wasm, transformers, litert), so a report shows host and browser side by side.
 */
export const BROWSER_RUNTIMES: readonly BrowserRuntime[] = [
  onnxWeb('onnx-web', 'wasm', 'dist/ort.wasm.min.mjs'),
  onnxWeb('onnx-webgpu', 'webgpu', 'dist/ort.webgpu.min.mjs'),
  tfjs('tfjs-webgl', 'webgl'),
  tfjs('tfjs-wasm', 'wasm'),
  transformers,
  litert,
];
