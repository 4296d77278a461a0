import { vi } from 'vitest';
import { main } from '../../src/cli.ts';

export interface CliRun {
  code: number;
  /** console.log lines and stdout writes, one entry each, joined with newlines. */
  out: string;
  /** console.error lines and stderr writes, likewise. */
  err: string;
}

/** Runs the bert-parity CLI in-process and captures what it prints. */
export async function runCli(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (sink: string[]) => (chunk: string | Uint8Array) => {
    sink.push(String(chunk).replace(/\n$/, ''));
    return true;
  };
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  vi.spyOn(process.stdout, 'write').mockImplementation(capture(out));
  vi.spyOn(process.stderr, 'write').mockImplementation(capture(err));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    vi.restoreAllMocks();
  }
}
