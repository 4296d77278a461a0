import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParityError } from '@bert-parity/core';
import { type ServedPackage, servedPackage } from './packages.ts';
import type { BrowserRuntime } from './runtimes.ts';

/** The module an import map sends Node built-ins to (a package's "browser" field maps them to false). */
export const EMPTY_MODULE = { path: '/empty.js', body: 'export default {};\n' };

export interface RuntimePage {
  /** Where the page is served. */
  readonly url: string;
  readonly html: string;
  /** Where the bundled page module is served. */
  readonly script: string;
  /** Every package the import map points into, by name. */
  readonly packages: ReadonlyMap<string, ServedPackage>;
}

/**
 * The page of one runtime: an import map that resolves the runtime's bare specifiers to files of the
 * installed packages (served as they are), and a loader that imports the bundled page module and records
 * why, if it fails (a missing file, a module that throws while it evaluates), so a runtime that cannot
 * load says so instead of leaving the harness absent.
 */
export function runtimePage(runtime: BrowserRuntime): RuntimePage {
  const imports: Record<string, string> = {};
  const packages = new Map<string, ServedPackage>();
  for (const [specifier, target] of Object.entries(runtime.imports)) {
    if (target === 'empty') {
      imports[specifier] = EMPTY_MODULE.path;
      continue;
    }
    const pkg = servedPackage(target.chain);
    packages.set(pkg.name, pkg);
    imports[specifier] = `${pkg.url}${target.file}`;
  }
  const script = `/harness/${runtime.name}.js`;
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>bert-parity ${runtime.name}</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module">
import(${JSON.stringify(script)}).catch((e) => { globalThis.bertParityLoadError = String((e && e.stack) || e); });
</script>
</head><body></body></html>
`;
  return { url: `/page/${runtime.name}.html`, html, script, packages };
}

const HARNESS = fileURLToPath(new URL('../page/harness.ts', import.meta.url));

/**
 * The page's script as one ES module: the runtime's page module (its default export, a PageRuntime) served
 * by the harness, our TypeScript compiled and bundled by esbuild, every package import left as it is for
 * the import map (so the runtimes run their own published browser builds).
 */
export async function bundlePage(file: string): Promise<string> {
  const esbuild = await import('esbuild');
  try {
    const out = await esbuild.build({
      stdin: {
        contents: `import runtime from ${JSON.stringify(file)};\nimport { servePageRuntime } from ${JSON.stringify(HARNESS)};\nservePageRuntime(runtime);\n`,
        resolveDir: dirname(file),
        sourcefile: 'entry.ts',
        loader: 'ts',
      },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      packages: 'external',
      logLevel: 'silent',
    });
    return out.outputFiles[0]?.text ?? '';
  } catch (cause) {
    throw new ParityError(
      'E_RUNTIME_UNAVAILABLE',
      `cannot build the page module ${file}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}
