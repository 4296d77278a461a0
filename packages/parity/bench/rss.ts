import { readFileSync } from 'node:fs';

/** The process's resident set now, in KiB (Linux's VmRSS; NaN where /proc/self/status has none). */
export function residentKb(): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);
}
