import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParityError } from '@bert-parity/core';

/** Where everything lives, relative to the repository root, with `/` separators (as MANIFEST.json records it). */
export const PATHS = {
  golden: 'golden',
  manifest: 'golden/MANIFEST.json',
  tokenizer: 'golden/tokenizer',
  outputs: 'golden/outputs',
  targets: 'tools/golden/targets.json',
  generator: 'tools/golden/bert_golden.py',
} as const;

/** `golden/corpus.<name>.jsonl`; names are plain so golden file names split unambiguously on dots. */
export const CORPUS_FILE = /^corpus\.([A-Za-z0-9][A-Za-z0-9_-]*)\.jsonl$/;
export const CORPUS_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** The repository this file belongs to; tests point the commands at a copy with `--root`. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The generator always comes from this checkout, whatever root the goldens are in. */
export const GENERATOR = join(REPO_ROOT, PATHS.generator);

export const abs = (root: string, rel: string) => join(root, ...rel.split('/'));

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ParityError('E_IO', `cannot read ${what} ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Temp file beside the target, then rename: readers never see a half-written file. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw new ParityError('E_IO', `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Corpus files in golden/, sorted, as root-relative paths. */
export function listCorpora(root: string): string[] {
  const dir = abs(root, PATHS.golden);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => CORPUS_FILE.test(f))
    .sort()
    .map((f) => `${PATHS.golden}/${f}`);
}

export function corpusName(corpusPath: string): string {
  const m = CORPUS_FILE.exec(posix.basename(corpusPath));
  if (m === null) throw new ParityError('E_USAGE', `${corpusPath} is not named corpus.<name>.jsonl`);
  return m[1] as string;
}

export const vocabName = (vocabPath: string) => posix.basename(vocabPath).replace(/\.txt$/, '');

export const goldenFileName = (vocabPath: string, lower: boolean, corpusPath: string) =>
  `${vocabName(vocabPath)}.${lower ? 'lower' : 'cased'}.${corpusName(corpusPath)}.jsonl`;

/** The generator's version, read from its source so that checking needs no Python. */
export function generatorVersion(): string {
  const m = /^GENERATOR_VERSION = "([^"]+)"$/m.exec(readText(GENERATOR, 'generator'));
  if (m === null) throw new ParityError('E_GOLDEN_FORMAT', `${GENERATOR} has no GENERATOR_VERSION = "..." line`);
  return m[1] as string;
}

export interface TokenizerTarget {
  vocab: string;
  lower: boolean;
  max_input_chars_per_word: number;
}

export interface Targets {
  reference_commit: string;
  tokenizer: TokenizerTarget[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** tools/golden/targets.json: which vocabularies and casings every corpus is tokenized with. */
export function loadTargets(root: string): Targets {
  const path = abs(root, PATHS.targets);
  const bad = (what: string): never => {
    throw new ParityError('E_GOLDEN_FORMAT', `${path}: ${what}`, { details: { path } });
  };
  let raw: unknown;
  try {
    raw = JSON.parse(readText(path, 'golden targets'));
  } catch (cause) {
    if (cause instanceof ParityError) throw cause;
    bad(`not JSON (${(cause as Error).message})`);
  }
  if (!isObject(raw)) return bad('expected a JSON object');
  if (typeof raw.reference_commit !== 'string' || !/^[0-9a-f]{40}$/.test(raw.reference_commit)) {
    bad(`reference_commit is ${JSON.stringify(raw.reference_commit)}; expected a 40-digit commit`);
  }
  if (!Array.isArray(raw.tokenizer) || raw.tokenizer.length === 0)
    bad('tokenizer must be a non-empty array of targets');
  const seen = new Set<string>();
  const tokenizer = (raw.tokenizer as unknown[]).map((t, i): TokenizerTarget => {
    if (!isObject(t)) return bad(`tokenizer[${i}] must be an object`);
    const vocab = t.vocab;
    if (
      typeof vocab !== 'string' ||
      isAbsolute(vocab) ||
      posix.normalize(vocab).startsWith('..') ||
      !vocab.endsWith('.txt')
    ) {
      return bad(
        `tokenizer[${i}].vocab is ${JSON.stringify(vocab)}; expected a repo-relative path to a .txt file (committed vocabularies only)`,
      );
    }
    if (typeof t.lower !== 'boolean') return bad(`tokenizer[${i}].lower must be true or false`);
    const max = t.max_input_chars_per_word ?? 200;
    if (!Number.isInteger(max) || (max as number) < 1) {
      return bad(`tokenizer[${i}].max_input_chars_per_word is ${JSON.stringify(max)}; expected an integer >= 1`);
    }
    const key = `${vocabName(vocab)}.${t.lower}`;
    if (seen.has(key))
      bad(
        `tokenizer[${i}] repeats vocabulary ${vocabName(vocab)} with lower=${t.lower}; golden file names would collide`,
      );
    seen.add(key);
    return { vocab: posix.normalize(vocab), lower: t.lower, max_input_chars_per_word: max as number };
  });
  return { reference_commit: raw.reference_commit as string, tokenizer };
}

export interface PlannedGolden {
  /** golden/tokenizer/<vocab>.<lower|cased>.<corpus>.jsonl */
  file: string;
  corpus: string;
  target: TokenizerTarget;
}

/** Every golden the targets ask for: each corpus × each target. */
export function planGoldens(root: string, targets: Targets): PlannedGolden[] {
  const plan: PlannedGolden[] = [];
  for (const corpus of listCorpora(root)) {
    for (const target of targets.tokenizer) {
      plan.push({ file: `${PATHS.tokenizer}/${goldenFileName(target.vocab, target.lower, corpus)}`, corpus, target });
    }
  }
  return plan.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
