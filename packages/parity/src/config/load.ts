import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ParityError } from '@bert-parity/core';
import { describeIssues } from '../issues.ts';
import { configSchema, type ParityConfig, type ParityConfigInput } from './schema.ts';

/** Types a `parity.config.ts`; the value is validated when loaded, like a JSON config. */
export function defineConfig(config: ParityConfigInput): ParityConfigInput {
  return config;
}

export interface LoadedConfig {
  config: ParityConfig;
  /** Absolute path of the file, or null for a config given as a value. */
  path: string | null;
  /** Relative paths in the config resolve against this folder. */
  baseDir: string;
  /** sha256 of the file's bytes (or of the JSON of a config given as a value). */
  sha256: string;
}

/** Files looked for, in this order, when no --config is given. */
export const DEFAULT_CONFIG_FILES = ['parity.config.ts', 'parity.config.json'] as const;

export function findDefaultConfig(cwd: string): string {
  for (const name of DEFAULT_CONFIG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  throw new ParityError(
    'E_CONFIG',
    `no --config given and none of ${DEFAULT_CONFIG_FILES.join(', ')} exists in ${cwd}; expected a parity config file`,
  );
}

/** Validates a config value; a failure names every bad path, its value and what was expected (E_CONFIG). */
export function parseConfig(raw: unknown, source: string): ParityConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = describeIssues(result.error, raw);
  throw new ParityError('E_CONFIG', `${source}: ${problems.join('; ')}`, { details: { source, problems } });
}

async function readRaw(path: string): Promise<unknown> {
  const ext = extname(path);
  if (ext === '.json') {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (cause) {
      throw new ParityError('E_CONFIG', `${path}: not valid JSON (${(cause as Error).message})`, { cause });
    }
  }
  if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    try {
      const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
      if (mod.default === undefined) {
        throw new ParityError('E_CONFIG', `${path}: no default export; expected export default defineConfig({...})`);
      }
      return mod.default;
    } catch (cause) {
      if (cause instanceof ParityError) throw cause;
      throw new ParityError('E_CONFIG', `${path}: cannot be loaded (${(cause as Error).message})`, { cause });
    }
  }
  throw new ParityError('E_CONFIG', `${path}: extension ${JSON.stringify(ext)}; expected .ts, .js or .json`);
}

export async function loadConfig(path: string): Promise<LoadedConfig> {
  const abs = resolve(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(abs);
  } catch (cause) {
    throw new ParityError('E_CONFIG', `cannot read config ${abs}: ${(cause as NodeJS.ErrnoException).code}`, {
      cause,
    });
  }
  const config = parseConfig(await readRaw(abs), abs);
  return { config, path: abs, baseDir: dirname(abs), sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** A config given as a value (tests, programmatic use); relative paths resolve against baseDir. */
export function configFromValue(raw: unknown, baseDir: string): LoadedConfig {
  const config = parseConfig(raw, '<config>');
  const sha256 = createHash('sha256').update(JSON.stringify(raw)).digest('hex');
  return { config, path: null, baseDir, sha256 };
}
