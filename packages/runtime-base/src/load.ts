import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Availability, ParityError } from '@bert-parity/core';

/**
 * Imports a runtime lazily and turns a failure into E_RUNTIME_UNAVAILABLE naming the package and the
 * reason. The loader is a closure holding a literal `import('pkg')`, so bundlers and TypeScript see the
 * specifier while nothing is loaded until a session needs it.
 */
export async function importRuntime<T>(pkg: string, loader: () => Promise<T>, hint = ''): Promise<T> {
  try {
    return await loader();
  } catch (cause) {
    throw new ParityError(
      'E_RUNTIME_UNAVAILABLE',
      `${pkg} cannot be loaded: ${(cause as Error).message}${hint === '' ? '' : ` (${hint})`}`,
      { cause, details: { package: pkg } },
    );
  }
}

/** The installed version of a package, resolved from `from` (an import.meta.url); "unknown" if unreadable. */
export function packageVersion(pkg: string, from: string): string {
  try {
    let dir = dirname(createRequire(from).resolve(pkg));
    for (let i = 0; i < 6; i++) {
      try {
        const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (json.name === pkg && typeof json.version === 'string') return json.version;
      } catch {
        // not at the package root yet
      }
      dir = dirname(dir);
    }
  } catch {
    // fall through
  }
  return 'unknown';
}

/** Where a package's files live on disk (its root folder), resolved from `from`. */
export function packageRoot(pkg: string, from: string): string {
  let dir = dirname(createRequire(from).resolve(pkg));
  for (let i = 0; i < 6; i++) {
    try {
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (json.name === pkg) return dir;
    } catch {
      // keep walking up
    }
    dir = dirname(dir);
  }
  throw new ParityError('E_RUNTIME_UNAVAILABLE', `cannot find the package root of ${pkg}`);
}

/** Wraps any runtime failure in a coded error that keeps the runtime's own message. */
export function runtimeError(
  code: 'E_RUNTIME_LOAD' | 'E_RUNTIME_RUN',
  what: string,
  cause: unknown,
  details: Record<string, unknown> = {},
): ParityError {
  if (cause instanceof ParityError) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ParityError(code, `${what}: ${message}`, { cause, details });
}

/** An adapter's available(): ok when its runtime loads, else the reason it cannot, with its code (never throws). */
export async function availableWhen(load: () => Promise<unknown>): Promise<Availability> {
  try {
    await load();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: e instanceof ParityError ? e.toString() : e instanceof Error ? e.message : String(e) };
  }
}
