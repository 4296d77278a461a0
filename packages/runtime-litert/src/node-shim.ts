import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext, runInThisContext } from 'node:vm';
import type { CompiledModel } from '@litertjs/core';

/**
 * LiteRT.js in plain Node. Facts this relies on (measured with @litertjs/core 2.5.3):
 * - the wasm glue is loaded with importScripts (a worker API) and registers its factory on `self`; a shim
 *   that evaluates the file in this context with CommonJS `require`, and `self` aliased to globalThis, is
 *   enough, and loadLiteRt accepts the package's wasm/ folder as a file path;
 * - errors inside a run (unresolved custom op, out-of-range gather index) do not reject the promise: they
 *   go to console.error, which the wasm module binds when it loads. So console.error is replaced before
 *   loading by a sink that keeps every line in `log` (forwarded to stderr only with LITERT_VERBOSE=1).
 */
export interface LiteRtHandle {
  readonly litert: typeof import('@litertjs/core');
  /** Every console.error line the wasm module wrote, in order (read with log.length as a mark). */
  readonly log: string[];
  /** The glue file that was loaded (litert_wasm_internal.js needs relaxed SIMD; the compat file SIMD128). */
  readonly wasmFile: string;
  /** Current size of the wasm linear memory in bytes (it only grows). */
  wasmHeapBytes(): number;
}

interface EmscriptenModule {
  HEAPU8?: Uint8Array;
}

let handle: Promise<LiteRtHandle> | undefined;
/** The wasm module instance of the current load (kept for measuring its heap; dropped by unload). */
let instance: EmscriptenModule | undefined;
let wasmFile = '';
/** Every console.error line since the first load: one sink for every load, as console.error is global. */
const log: string[] = [];

/** Replaces console.error by the log sink and provides importScripts; once per process. */
function installShims(): void {
  const g = globalThis as {
    importScripts?: (...paths: string[]) => void;
    self?: unknown;
    bertParityLiteRtShims?: true;
  };
  if (g.bertParityLiteRtShims) return;
  g.bertParityLiteRtShims = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    log.push(args.map(String).join(' '));
    if (process.env.LITERT_VERBOSE === '1') original(...args);
  };
  g.self ??= globalThis; // the loader looks for its factory on `self`, as in a worker
  g.importScripts ??= (...paths: string[]) => {
    for (const p of paths) {
      const file = p.startsWith('file://') ? fileURLToPath(p) : p;
      wasmFile = basename(file);
      // Emscripten's Node branch needs CommonJS `require`/`__filename`: pass them as parameters, and publish
      // the factory (declared with `var`) on the global object, wrapped so the module instance is kept for
      // measuring its heap.
      const source = `(function (require, __filename, __dirname, keep) {\n${readFileSync(file, 'utf8')}\n;globalThis.ModuleFactory = (o) => ModuleFactory(o).then((m) => { keep(m); return m; });\n})`;
      const run = runInThisContext(source, { filename: file }) as (
        r: NodeRequire,
        f: string,
        d: string,
        keep: (m: EmscriptenModule) => void,
      ) => void;
      run(createRequire(file), file, dirname(file), (m) => {
        instance = m;
      });
    }
  };
}

export function loadLiteRtForNode(): Promise<LiteRtHandle> {
  handle ??= (async () => {
    installShims();
    const litert = await import('@litertjs/core');
    const entry = createRequire(import.meta.url).resolve('@litertjs/core');
    const wasmDir = `${join(dirname(entry), '..', 'wasm')}/`;
    // Without navigator.gpu the default environment warns that it cannot create a WebGPU device; the wasm
    // accelerator does not need one, so that warning alone is filtered.
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (!String(args[0]).startsWith('Failed to create default WebGPU device')) warn(...args);
    };
    try {
      await litert.loadLiteRt(wasmDir);
    } finally {
      console.warn = warn;
    }
    return {
      litert,
      log,
      wasmFile,
      wasmHeapBytes: () => instance?.HEAPU8?.buffer.byteLength ?? 0,
    };
  })();
  return handle;
}

/** The current load, if any, without starting one. */
export function currentLiteRtLoad(): Promise<LiteRtHandle> | undefined {
  return handle;
}

/**
 * Drops the loaded wasm module (LiteRT.js's unloadLiteRt, and every reference this shim keeps), so that
 * its linear memory, which only grows, goes back to the system at the next garbage collection. Every
 * model of that load must be closed first. The next loadLiteRtForNode loads the module again.
 */
export async function unloadLiteRtForNode(): Promise<void> {
  const loading = handle;
  if (loading === undefined) return;
  handle = undefined;
  instance = undefined;
  const loaded = await loading.catch(() => undefined);
  loaded?.litert.unloadLiteRt();
  // Nothing else makes V8 collect soon: the heap is one ArrayBuffer, invisible to its JS heap's pressure,
  // and without a collection it stayed resident under the next cells (a bert-base float32 heap under
  // onnxruntime's next session: 1,877 MB). A full collection (~0.1 s) after the caller's frames let go.
  setImmediate(collectGarbage);
}

/** A full garbage collection, as node --expose-gc's gc() (the flag set at run time gives the function). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** ES2024's resizable ArrayBuffer (Node 20 has it; the project's lib is ES2023). */
interface ResizableArrayBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => ResizableArrayBuffer;

/**
 * loadAndCompile for a file, with the model's bytes held once at the peak. loadAndCompile takes the bytes
 * as a Uint8Array, copies them into the wasm heap, calls the module's loadModel and then compiles, which
 * grows the heap by XNNPACK's packed weights (bert-base float32: 438 MB file, heap 17 -> 793 MB). A plain
 * Buffer stays resident through all of that (peak 1,345 MB measured); so the file is read into a resizable
 * ArrayBuffer, and loadModel is wrapped for this one call to shrink it to nothing first, once LiteRT.js's
 * copy is made (peak 930 MB). `released` says whether that happened before the compile: if a LiteRT.js
 * version stopped calling loadModel, the bytes are still released when the call ends, only later.
 */
export async function loadAndCompileFile(
  h: LiteRtHandle,
  path: string,
): Promise<{ model: CompiledModel; released: boolean }> {
  const bytes = readResizable(path);
  const wasm = h.litert.getGlobalLiteRt().liteRtWasm;
  const loadModel = wasm.loadModel;
  let released = false;
  wasm.loadModel = (...args) => {
    bytes.resize(0);
    released = true;
    return loadModel.apply(wasm, args);
  };
  try {
    // A length-tracking view: LiteRT.js reads byteLength before its copy, and not after loadModel.
    const model = await h.litert.loadAndCompile(new Uint8Array(bytes), { accelerator: 'wasm' });
    return { model, released };
  } finally {
    wasm.loadModel = loadModel;
    bytes.resize(0);
  }
}

function readResizable(path: string): ResizableArrayBuffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = new ResizableArrayBuffer(size, { maxByteLength: size });
    const view = new Uint8Array(buffer);
    for (let at = 0; at < size; ) {
      const n = readSync(fd, view, at, Math.min(size - at, 16 << 20), at);
      if (n === 0) throw new Error(`${path} ended at byte ${at} of ${size} (changed while read)`);
      at += n;
    }
    return buffer;
  } finally {
    closeSync(fd);
  }
}
