import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where golden/ lives), found from this file. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * ../shared beside the repository: third-party goldens, vocabularies and models, never committed.
 * BERT_PARITY_SHARED names another folder (a git worktree's own ../shared may not exist).
 */
export const SHARED_DIR = process.env.BERT_PARITY_SHARED || resolve(REPO_ROOT, '../shared');

/** The shared goldens and the vocabularies they were made with. */
export const SHARED_SEED = resolve(SHARED_DIR, 'golden-seed');

/** The default golden files: the project's own, then the shared seed's when present. */
export function defaultGoldenFiles(list: (dir: string) => string[]): string[] {
  const dirs = [join(REPO_ROOT, 'golden/tokenizer'), join(SHARED_SEED, 'tokenizer')];
  const out: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of list(dir).sort()) if (name.endsWith('.jsonl')) out.push(join(dir, name));
  }
  return out;
}

/**
 * The vocabulary a golden was made with: `<meta.vocab>.txt` in the `vocab/` folder beside the golden's
 * folder (golden/vocab for golden/tokenizer, golden-seed/vocab for golden-seed/tokenizer).
 */
export function vocabBesideGolden(goldenPath: string, vocabName: string): string {
  return join(dirname(dirname(resolve(goldenPath))), 'vocab', `${vocabName}.txt`);
}
