import { readFileSync } from 'node:fs';

/**
 * Whether process `pid` has ended within `waitMs`. A zombie counts as ended: a killed grandchild is
 * reparented to PID 1 (or a subreaper), which may reap it late or, in a bare container, never.
 */
export async function processGone(pid: number, waitMs = 1000): Promise<boolean> {
  const deadline = performance.now() + waitMs;
  while (alive(pid)) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  if (process.platform !== 'linux') return true;
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may hold spaces and parentheses, so split at the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false; // gone between the two checks
  }
}

export { coded } from '@bert-parity/core/testing';
