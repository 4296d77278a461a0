/** Exit codes: 0 pass, 1 drift or mismatch, 2 usage, config, input or runtime error. */
export const EXIT = { pass: 0, mismatch: 1, error: 2 } as const;

/**
 * What the commands report back to `main`; commands never touch process.exitCode themselves. It lives
 * apart from cli.ts so that the commands cli.ts registers do not import cli.ts back.
 */
export interface CliState {
  exitCode: number;
}
