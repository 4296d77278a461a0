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
