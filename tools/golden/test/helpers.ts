import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../src/cli.ts';

export const REPO = resolve(import.meta.dirname, '..', '..', '..');
export const GENERATOR = join(REPO, 'tools', 'golden', 'bert_golden.py');
export const FAKE_BERT = join(REPO, 'tools', 'golden', 'test', 'fake-bert');
export const FAKE_HF = join(REPO, 'tools', 'golden', 'test', 'fake-hf');
export const PINNED = 'eedf5716ce1268e56f0a50264a88cafad334ac61';

/** An environment without any reference configured, so tests never pick up the developer's. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  for (const name of ['BERT_REFERENCE_DIR', 'BERT_PARITY_PYTHON', 'BERT_PARITY_REFERENCE', 'GITHUB_ACTIONS'])
    delete env[name];
  return { ...env, ...extra };
}

const temps: string[] = [];
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
export function removeTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Vocabulary of the fake reference; ids are line numbers. */
export const TINY_VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  'hello',
  'world',
  ',',
  '!',
  'h',
  '##e',
  '##y',
  'café',
  '😀',
];

function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', ['-C', dir, '-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** A copy of the fake reference module, optionally as a git checkout with one commit. */
export function fakeBert(asGit: boolean): { dir: string; commit: string | null } {
  const dir = join(tempDir('fake-bert-'), 'bert');
  cpSync(FAKE_BERT, dir, { recursive: true });
  if (!asGit) return { dir, commit: null };
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'fake reference');
  return { dir, commit: git(dir, 'rev-parse', 'HEAD') };
}

/** A repository root with golden/, a vocabulary, the targets file and optional corpora. */
export function makeRoot(corpora: Record<string, string[]> = {}, vocab = TINY_VOCAB): string {
  const root = tempDir('golden-root-');
  mkdirSync(join(root, 'golden', 'vocab'), { recursive: true });
  mkdirSync(join(root, 'tools', 'golden'), { recursive: true });
  writeFileSync(join(root, 'golden', 'vocab', 'tiny.txt'), `${vocab.join('\n')}\n`);
  writeFileSync(
    join(root, 'tools', 'golden', 'targets.json'),
    JSON.stringify({ reference_commit: PINNED, tokenizer: [{ vocab: 'golden/vocab/tiny.txt', lower: true }] }),
  );
  for (const [name, lines] of Object.entries(corpora)) {
    writeFileSync(join(root, 'golden', `corpus.${name}.jsonl`), lines.map((l) => `${l}\n`).join(''));
  }
  return root;
}

export function python(
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): SpawnSyncReturns<string> {
  return spawnSync('python3', [GENERATOR, ...args], {
    encoding: 'utf8',
    cwd: options.cwd ?? REPO,
    env: options.env ?? cleanEnv(),
    ...(options.input === undefined ? {} : { input: options.input }),
  });
}

/** Runs a golden command in-process; returns its exit code and what it printed. */
export function cli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** python3's version and Unicode version, as the generator records them. */
export function pythonIdentity(): { python: string; unicode: string } {
  const r = spawnSync(
    'python3',
    ['-c', 'import platform, unicodedata; print(platform.python_version(), unicodedata.unidata_version)'],
    {
      encoding: 'utf8',
    },
  );
  const [py, uni] = r.stdout.trim().split(' ');
  return { python: py as string, unicode: uni as string };
}
