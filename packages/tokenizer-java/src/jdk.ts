import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ParityError } from '@bert-parity/core';

export interface Jdk {
  javac: string;
  java: string;
  /** `javac -version` output, part of the compile cache key. */
  version: string;
}

/**
 * Finds the host JDK: `$JAVA_HOME/bin` when JAVA_HOME names a JDK, else `javac`/`java` on PATH. Both tools
 * must run; otherwise E_IMPL_UNAVAILABLE says what was looked for.
 */
export function findJdk(env: NodeJS.ProcessEnv = process.env): Jdk {
  const home = env.JAVA_HOME;
  const exe = process.platform === 'win32' ? '.exe' : '';
  const fromHome = home !== undefined && home !== '' && existsSync(join(home, 'bin', `javac${exe}`));
  const javac = fromHome ? join(home as string, 'bin', `javac${exe}`) : 'javac';
  const java = fromHome ? join(home as string, 'bin', `java${exe}`) : 'java';
  const where = fromHome ? `JAVA_HOME=${home}` : `PATH=${env.PATH ?? ''}`;
  const probe = (tool: string) => {
    const r = spawnSync(tool, ['-version'], { env, encoding: 'utf8' });
    if (r.error !== undefined || r.status !== 0) {
      const why = r.error?.message ?? `exit ${r.status}: ${(r.stderr ?? '').trim()}`;
      throw new ParityError(
        'E_IMPL_UNAVAILABLE',
        `no JDK for --impl java: cannot run ${tool} (${why}); looked in ${where}; expected a JDK 11 or later (javac and java) on PATH or in JAVA_HOME`,
        { details: { tool, where } },
      );
    }
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  };
  const version = probe(javac);
  probe(java);
  return { javac, java, version };
}
