/** The ParityError code a call throws, or undefined when it does not throw. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

/** The ParityError code and message a call throws, or undefined when it does not throw. */
export function errorOf(fn: () => unknown): [code: string | undefined, message: string] | undefined {
  try {
    fn();
  } catch (e) {
    return [(e as { code?: string }).code, (e as Error).message];
  }
  return undefined;
}
