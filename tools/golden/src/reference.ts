import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ParityError } from '@bert-parity/core';
import { GENERATOR, type PlannedGolden } from './layout.ts';

/** Where the reference tokenizer comes from. */
export type Reference = { kind: 'google'; bertDir: string } | { kind: 'hf' };

export type ReferenceStatus =
  | { available: true; reference: Reference; label: string }
  | { available: false; reason: string };

export interface ReferenceOptions {
  /** `google` (default): a google-research/bert checkout; `hf`: transformers' slow BertTokenizer. */
  reference?: 'google' | 'hf' | undefined;
  /** Overrides BERT_REFERENCE_DIR. */
  bertDir?: string | undefined;
  env: NodeJS.ProcessEnv;
}

/** The Python that runs the generator: BERT_PARITY_PYTHON, else python3. */
export const pythonOf = (env: NodeJS.ProcessEnv) => env.BERT_PARITY_PYTHON || 'python3';

export const HOW_TO_PROVIDE =
  'set BERT_REFERENCE_DIR to a checkout of google-research/bert (git clone https://github.com/google-research/bert && ' +
  'git -C bert checkout <reference_commit of tools/golden/targets.json>), or pass --reference hf with transformers ' +
  'installed for python3 (or the Python in BERT_PARITY_PYTHON)';

/**
 * Finds the reference, or says why there is none. An absent reference is a normal state (checking then
 * verifies hashes only); a reference that is configured but broken is an error.
 */
export function resolveReference(options: ReferenceOptions): ReferenceStatus {
  const python = pythonOf(options.env);
  if (options.reference === 'hf') {
    const probe = spawnSync(python, ['-c', 'import transformers'], { encoding: 'utf8' });
    if (probe.error !== undefined || probe.status !== 0) {
      return { available: false, reason: `--reference hf: transformers is not importable by ${python}` };
    }
    return { available: true, reference: { kind: 'hf' }, label: `transformers BertTokenizer via ${python}` };
  }
  const fromFlag = options.bertDir !== undefined && options.bertDir !== '';
  const dir = fromFlag ? options.bertDir : options.env.BERT_REFERENCE_DIR;
  const source = fromFlag ? '--bert-dir' : 'BERT_REFERENCE_DIR';
  if (dir === undefined || dir === '') return { available: false, reason: 'BERT_REFERENCE_DIR unset' };
  for (const file of ['tokenization.py', 'run_classifier.py']) {
    if (!existsSync(join(dir, file))) {
      throw new ParityError(
        'E_REFERENCE_UNAVAILABLE',
        `${source}=${dir} has no ${file}; expected a checkout of google-research/bert`,
        {
          details: { dir },
        },
      );
    }
  }
  return { available: true, reference: { kind: 'google', bertDir: dir }, label: `google-research/bert at ${dir}` };
}

/** HEAD of a git checkout, or null when it is not one. */
export function checkoutCommit(dir: string): string | null {
  const r = spawnSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Runs bert_golden.py for one planned golden, writing it into outDir; returns what it printed. */
export function runGenerator(
  root: string,
  reference: Reference,
  planned: PlannedGolden,
  outDir: string,
  env: NodeJS.ProcessEnv,
): string {
  const python = pythonOf(env);
  const args = [
    GENERATOR,
    ...(reference.kind === 'google' ? ['--bert-dir', reference.bertDir] : ['--reference', 'hf']),
    '--vocab',
    planned.target.vocab,
    planned.target.lower ? '--lower' : '--cased',
    '--corpus',
    planned.corpus,
    '--max-input-chars-per-word',
    String(planned.target.max_input_chars_per_word),
    '--out',
    outDir,
  ];
  // Paths in the golden meta are file names only, so running from the root keeps the output independent of it.
  const r = spawnSync(python, args, { cwd: root, encoding: 'utf8', env: { ...env, PYTHONDONTWRITEBYTECODE: '1' } });
  if (r.error !== undefined) {
    throw new ParityError('E_REFERENCE_PROCESS', `cannot run ${python} ${GENERATOR}: ${r.error.message}`, {
      cause: r.error,
    });
  }
  if (r.status !== 0) {
    throw new ParityError(
      'E_REFERENCE_PROCESS',
      `generating ${planned.file} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`,
      { details: { file: planned.file } },
    );
  }
  return r.stdout.trim();
}
