import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { defaultGoldenFiles } from '../paths.ts';

export interface GoldenMatch {
  readonly path: string;
  /** The golden's vocabulary name (meta.vocab). */
  readonly vocab: string;
  readonly cases: string;
}

/** The first line of a golden file (its meta record), read without loading the whole file. */
function metaOf(path: string): Record<string, unknown> | undefined {
  const buf = Buffer.alloc(4096);
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    const line = buf.subarray(0, n).toString('utf8').split('\n')[0] ?? '';
    const meta = JSON.parse(line) as Record<string, unknown>;
    return meta.type === 'meta' ? meta : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Goldens of the reference tokenizer made with exactly this vocabulary (meta.vocab_sha256) and casing:
 * the project's own (golden/tokenizer) and the shared seed's (../shared/golden-seed/tokenizer).
 */
export function matchingGoldens(vocabSha256: string, lowercase: boolean): GoldenMatch[] {
  const seen = new Set<string>();
  return defaultGoldenFiles((dir) => readdirSync(dir)).flatMap((path) => {
    const meta = metaOf(path);
    if (meta?.vocab_sha256 !== vocabSha256 || meta.do_lower_case !== lowercase) return [];
    // The seed holds copies of the project's own goldens: one cell per golden name (the project's first).
    if (seen.has(basename(path))) return [];
    seen.add(basename(path));
    return [{ path, vocab: String(meta.vocab), cases: String(meta.corpus) }];
  });
}
