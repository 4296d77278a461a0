import { isParityError, type ParityError } from '@bert-parity/core';

/** The ParityError a promise rejects with (fails the test if it resolves or throws something else). */
export async function coded(p: Promise<unknown>): Promise<ParityError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isParityError(e)) throw new Error(`expected a ParityError, got ${String(e)}`);
  return e;
}
