import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';

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

export function loadLiteRtForNode(): Promise<LiteRtHandle> {
  handle ??= (async () => {
    const log: string[] = [];
    const original = console.error.bind(console);
    console.error = (...args: unknown[]) => {
      log.push(args.map(String).join(' '));
      if (process.env.LITERT_VERBOSE === '1') original(...args);
    };
    let wasmFile = '';
    let module: EmscriptenModule | undefined;
    const g = globalThis as { importScripts?: (...paths: string[]) => void; self?: unknown; ModuleFactory?: unknown };
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
          module = m;
        });
      }
    };
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
      wasmHeapBytes: () => module?.HEAPU8?.buffer.byteLength ?? 0,
    };
  })();
  return handle;
}
