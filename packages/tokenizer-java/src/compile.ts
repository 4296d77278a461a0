import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParityError } from '@bert-parity/core';
import type { Jdk } from './jdk.ts';

/** The harness's main class and its source, shipped in this package's java/ folder. */
export const HARNESS_CLASS = 'bertparity.harness.Harness';
export const HARNESS_SOURCE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../java/bertparity/harness/Harness.java',
);

/** Where compiled classes are kept: BERT_PARITY_JAVA_CACHE, else a folder in the OS temp dir. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERT_PARITY_JAVA_CACHE || join(tmpdir(), 'bert-parity-java');
}

/** Every .java file under a folder (or the file itself), sorted so the cache key is stable. */
export function javaSources(src: string): string[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(src);
  } catch (cause) {
    throw new ParityError('E_IO', `--java-src ${src} cannot be read: ${(cause as Error).message}`, { cause });
  }
  const out: string[] = [];
  if (st.isFile()) out.push(resolve(src));
  else {
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.java')) out.push(resolve(p));
      }
    };
    walk(src);
  }
  if (out.length === 0) {
    throw new ParityError('E_IO', `--java-src ${src} holds no .java files; expected the app's tokenizer sources`);
  }
  return out.sort();
}

export interface CompileResult {
  /** Folder of compiled classes (the app's and the harness's). */
  classesDir: string;
  /** True when an earlier compile of the same sources was reused. */
  cached: boolean;
}

/**
 * Compiles the app's sources together with the harness into `<cacheDir>/<key>`, the key being a hash of the
 * javac version, the classpath and every source's path and bytes; a finished folder is reused as is.
 * javac writes into a private temporary folder that is renamed into place, so concurrent runs never see a
 * half-written cache entry.
 */
export function compileJava(options: {
  jdk: Jdk;
  src: string;
  classpath?: string | undefined;
  cacheDir?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}): CompileResult {
  const sources = [...javaSources(options.src), HARNESS_SOURCE];
  const classpath = options.classpath ?? '';
  const hash = createHash('sha256');
  hash.update(`${options.jdk.version}\0${classpath}\0`);
  const root = resolve(options.src);
  for (const file of sources) {
    hash.update(`${relative(root, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir(options.env);
  const classesDir = join(cacheDir, hash.digest('hex').slice(0, 32));
  if (existsSync(join(classesDir, '.complete'))) return { classesDir, cached: true };

  mkdirSync(cacheDir, { recursive: true });
  const work = `${classesDir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(work, { recursive: true });
  try {
    // An argument file keeps long source lists under the command-line limit.
    const argfile = join(work, 'sources.txt');
    writeFileSync(argfile, sources.map((s) => `"${s.replaceAll('\\', '\\\\')}"`).join('\n'));
    const args = ['-d', join(work, 'classes'), '-encoding', 'UTF-8', '-proc:none', '-nowarn', '-Xmaxerrs', '20'];
    if (classpath !== '') args.push('-cp', classpath);
    const r = spawnSync(options.jdk.javac, [...args, `@${argfile}`], { encoding: 'utf8', env: options.env });
    if (r.error !== undefined || r.status !== 0) {
      const messages = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(0, 40).join('\n');
      throw new ParityError(
        'E_JAVA_COMPILE',
        `javac could not compile ${options.src} (${sources.length - 1} files${classpath ? `, classpath ${classpath}` : ''}); expected sources that compile with the host JDK:\n${messages || r.error?.message}`,
        { details: { src: options.src, javac: messages } },
      );
    }
    writeFileSync(join(work, 'classes', '.complete'), '');
    try {
      renameSync(join(work, 'classes'), classesDir);
    } catch (cause) {
      // Another run finished the same key first: theirs is as good as ours.
      if (!existsSync(join(classesDir, '.complete'))) throw cause;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { classesDir, cached: false };
}

/** The JVM classpath: compiled classes first, then the app's own jars. */
export const runClasspath = (classesDir: string, classpath?: string): string =>
  classpath ? `${classesDir}${delimiter}${classpath}` : classesDir;
