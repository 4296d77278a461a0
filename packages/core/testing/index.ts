import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isParityError, type ParityError } from '../src/errors.ts';

/** The ParityError a call throws; any other error is rethrown, and not throwing fails the test. */
export function thrown(fn: () => unknown): ParityError {
  try {
    fn();
  } catch (error) {
    if (isParityError(error)) return error;
    throw error;
  }
  throw new Error('expected a ParityError');
}

/** The ParityError a promise rejects with; anything else (or no rejection) fails the test. */
export async function coded(p: Promise<unknown>): Promise<ParityError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isParityError(e)) throw new Error(`expected a ParityError, got ${String(e)}`);
  return e;
}

/**
 * A file of the third-party data kept beside the repository (`../shared` relative to the repo root: public
 * vocabularies, goldens, real exporters' models), never committed. BERT_PARITY_SHARED names another folder
 * (a git worktree has its own root, so its `../shared` may not exist). Tests skip, saying so, when absent.
 */
export function sharedPath(...parts: string[]): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const base = process.env.BERT_PARITY_SHARED || resolve(root, '../shared');
  return resolve(base, ...parts);
}
