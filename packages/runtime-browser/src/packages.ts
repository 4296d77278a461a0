import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParityError } from '@bert-parity/core';

/** An installed package whose folder the page may load files from. */
export interface ServedPackage {
  readonly name: string;
  readonly version: string;
  /** Its folder on disk (symlinks resolved). */
  readonly dir: string;
  /** Where the server serves the folder: /pkg/<name>@<version>/. */
  readonly url: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * Finds a package the way Node's resolver walks node_modules folders (upward from `fromDir`), without
 * going through its `exports` map: the page needs the folder, not an entry point.
 */
function findPackage(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return realpathSync(dirname(candidate));
    if (dirname(dir) === dir) return undefined;
  }
}

const cache = new Map<string, ServedPackage>();

/**
 * The package at the end of `chain`, each name resolved from the folder of the one before, starting at
 * this package: ['@huggingface/transformers', 'onnxruntime-web'] is the onnxruntime-web that
 * transformers.js itself depends on (another version than ours).
 */
export function servedPackage(chain: readonly string[]): ServedPackage {
  const key = chain.join(' > ');
  const known = cache.get(key);
  if (known !== undefined) return known;
  let dir = HERE;
  let name = '';
  for (const link of chain) {
    const found = findPackage(link, dir);
    if (found === undefined) {
      throw new ParityError(
        'E_RUNTIME_UNAVAILABLE',
        `${link} is not installed${chain.length > 1 ? ` (needed by ${chain.slice(0, -1).join(' > ')})` : ''}; run pnpm install`,
        { details: { package: link, chain } },
      );
    }
    dir = found;
    name = link;
  }
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  const served: ServedPackage = { name, version, dir, url: `/pkg/${name}@${version}/` };
  cache.set(key, served);
  return served;
}
