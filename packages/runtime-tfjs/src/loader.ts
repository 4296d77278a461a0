import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as tfconv from '@tensorflow/tfjs-converter';
import type * as tfcore from '@tensorflow/tfjs-core';

export type TfjsBackend = 'cpu' | 'wasm' | 'node';

export interface TfjsHandle {
  readonly tf: typeof tfcore;
  readonly converter: typeof tfconv;
}

let loaded: Promise<TfjsHandle> | undefined;

/**
 * tfjs-core with the cpu and wasm backends registered. The wasm backend finds its .wasm binaries through
 * setWasmPaths; a plain file path to the package's dist/ folder works in Node (no fetch).
 */
export function loadTfjs(): Promise<TfjsHandle> {
  loaded ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    // Production mode: no "install tfjs-node" banner on the cpu backend and no debug-only checks.
    tf.enableProdMode();
    await import('@tensorflow/tfjs-backend-cpu');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    // The package's main file lives in dist/ next to the .wasm binaries.
    wasm.setWasmPaths(`${dirname(entry)}/`);
    const converter = await import('@tensorflow/tfjs-converter');
    return { tf, converter };
  })();
  return loaded;
}

/**
 * tfjs-node registers the "tensorflow" backend (libtensorflow) when imported. It is an optional peer: its
 * install downloads libtensorflow, so it is not a dependency of this package.
 */
export async function loadTfjsNode(): Promise<void> {
  // A computed specifier keeps TypeScript from requiring the optional package's types.
  const specifier = '@tensorflow/tfjs-node';
  await import(specifier);
}

/** Switches tfjs's one global backend (tfjs-node registers itself as "tensorflow"). */
export async function useBackend(backend: TfjsBackend): Promise<typeof tfcore> {
  const { tf } = await loadTfjs();
  const name = backend === 'node' ? 'tensorflow' : backend;
  if (backend === 'node') await loadTfjsNode();
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend ${name} failed to initialize`);
  }
  await tf.ready();
  return tf;
}

interface ModelJson {
  modelTopology: object;
  format: string;
  generatedBy: string;
  convertedBy: string;
  signature?: object;
  userDefinedMetadata?: Record<string, object>;
  weightsManifest: { paths: string[]; weights: tfcore.io.WeightsManifestEntry[] }[];
}

/** An IOHandler that reads model.json and its weight shards from a folder on disk (no fetch, no URL). */
export function fileIOHandler(modelJsonPath: string): tfcore.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as ModelJson;
      const specs = json.weightsManifest.flatMap((group) => group.weights);
      const buffers = json.weightsManifest.flatMap((group) =>
        group.paths.map((p) => readFileSync(join(dirname(modelJsonPath), p))),
      );
      // Shards are concatenated in manifest order, as tfjs's own loaders do.
      const weightData = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
      let offset = 0;
      for (const b of buffers) {
        weightData.set(b, offset);
        offset += b.byteLength;
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        ...(json.signature === undefined ? {} : { signature: json.signature }),
        ...(json.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: json.userDefinedMetadata }),
        weightSpecs: specs,
        weightData: weightData.buffer,
      };
    },
  };
}
