import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ParityError } from '@bert-parity/core';
import type { PairInput, PeerEncoding, PeerTokenizerImpl, PeerTokens } from '@bert-parity/tokenizer-peers';
import { compileJava, HARNESS_CLASS, runClasspath } from './compile.ts';
import { findJdk } from './jdk.ts';

export interface JavaImplOptions {
  /** Folder (or one file) of the app's Java tokenizer sources. */
  src: string;
  /** Fully qualified class name, e.g. com.example.bert.BertTokenizer (nested classes as Outer$Inner). */
  className: string;
  /** vocab.txt, loaded by the harness the reference's way and handed to the constructor as a path or a map. */
  vocabPath: string;
  /** do_lower_case, passed to constructors that take it. */
  lowercase: boolean;
  /** Jars or folders the sources need (path-delimiter separated), for javac and the JVM. */
  classpath?: string | undefined;
  /** Compile cache folder (default BERT_PARITY_JAVA_CACHE or the OS temp dir). */
  cacheDir?: string | undefined;
  /** Milliseconds one JVM run over all inputs may take (default 120000). */
  timeoutMs?: number | undefined;
  /** Environment for finding and running the JDK (default process.env). */
  env?: NodeJS.ProcessEnv | undefined;
}

/** What the app's tokenizer produced for one input, with its own tokens kept for diagnosis. */
export interface JavaEncoding extends PeerEncoding {
  tokens: string[];
}

export interface JavaTokenizerImpl extends PeerTokenizerImpl {
  /** The constructor the harness used, e.g. "com.x.Tok(String vocabPath, boolean doLowerCase)"; set by prepare. */
  constructorUsed(): string | undefined;
  /** Whether the classes came from the compile cache. */
  readonly compiledFromCache: boolean;
  encode(textA: string, textB: string | null, maxSeqLength: number): JavaEncoding;
}

type Answer<T> = { ok: true; value: T } | { ok: false; error: ParityError };

interface Request {
  key: string;
  line: string;
  label: string;
}

const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * JSON with every non-ASCII UTF-16 unit written as a \u escape: the pipe carries ASCII only, so lone
 * surrogates and supplementary characters reach Java's UTF-16 strings exactly as JavaScript holds them.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${(c.charCodeAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}

const pairKey = (a: string, b: string | null, max: number) => JSON.stringify([a, b, max]);
const clip = (s: string, n = 60) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * The app's Java tokenizer behind the conformance interface. Creating it compiles the sources (or reuses the
 * cache); `prepare` runs one JVM over every input not answered yet; `tokenize`/`encode` answer from those
 * results. An exception the app throws on one input is replayed as E_JAVA_RUNTIME for that input only, so
 * `verifyGolden` records it as a mismatch on that case.
 */
export function createJavaImpl(options: JavaImplOptions): JavaTokenizerImpl {
  const env = options.env ?? process.env;
  const jdk = findJdk(env);
  const compiled = compileJava({
    jdk,
    src: options.src,
    classpath: options.classpath,
    cacheDir: options.cacheDir,
    env,
  });
  const name = `java:${options.className}`;
  const tokenCache = new Map<string, Answer<PeerTokens>>();
  const encodeCache = new Map<string, Answer<JavaEncoding>>();
  let constructorUsed: string | undefined;

  const caseError = (label: string, rec: { error?: unknown; trace?: unknown }) => {
    const trace = Array.isArray(rec.trace) ? rec.trace.slice(0, 4).map((l) => `\n    ${l}`) : [];
    return new ParityError(
      'E_JAVA_RUNTIME',
      `${options.className}.tokenize threw on ${label}: ${String(rec.error)}${trace.join('')}`,
      { details: { error: rec.error, trace: rec.trace } },
    );
  };

  async function runJvm(requests: Request[]): Promise<Map<string, Record<string, unknown>>> {
    const args = [
      '-Xss64m',
      '-cp',
      runClasspath(compiled.classesDir, options.classpath),
      HARNESS_CLASS,
      options.className,
      options.vocabPath,
      String(options.lowercase),
    ];
    const child = spawn(jdk.java, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const answers = new Map<string, Record<string, unknown>>();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 20_000) stderr += d;
    });
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const exited = new Promise<{ code: number | null; error?: Error }>((done) => {
      child.on('error', (error) => done({ code: null, error }));
      child.on('close', (code) => done({ code }));
    });
    // A JVM that dies early closes the pipe; the exit path below reports why.
    child.stdin.on('error', () => {});
    let fatal: Record<string, unknown> | undefined;
    const lines = createInterface({ input: child.stdout });
    const reading = (async () => {
      let first = true;
      for await (const line of lines) {
        let rec: Record<string, unknown>;
        try {
          rec = JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new ParityError('E_JAVA_RUNTIME', `the Java harness wrote a line that is not JSON: ${clip(line, 200)}`);
        }
        if (first) {
          first = false;
          if (rec.fatal !== undefined) {
            fatal = rec;
            continue;
          }
          constructorUsed = String(rec.constructor);
          continue;
        }
        answers.set(String(rec.id), rec);
      }
    })();
    // One write: Node buffers it and feeds the pipe as the JVM reads.
    child.stdin.end(requests.map((r) => `${r.line}\n`).join(''));
    const [exit, readError] = await Promise.all([
      exited,
      reading.then(
        () => undefined,
        (e: unknown) => e,
      ),
    ]);
    clearTimeout(timer);
    if (readError !== undefined) throw readError;
    if (exit.error !== undefined) {
      throw new ParityError('E_IMPL_UNAVAILABLE', `cannot start ${jdk.java}: ${exit.error.message}`);
    }
    if (fatal !== undefined) {
      const code = fatal.fatal === 'E_JAVA_CLASS' ? 'E_JAVA_CLASS' : 'E_JAVA_RUNTIME';
      const trace = Array.isArray(fatal.trace)
        ? fatal.trace
            .slice(0, 6)
            .map((l) => `\n    ${l}`)
            .join('')
        : '';
      throw new ParityError(
        code,
        `--java-class ${options.className} (sources ${options.src}): ${String(fatal.message)}${trace}`,
        {
          details: { className: options.className, src: options.src },
        },
      );
    }
    if (timedOut) {
      const stuck = requests[answers.size];
      throw new ParityError(
        'E_JAVA_TIMEOUT',
        `${options.className} did not finish ${requests.length} inputs in ${timeoutMs} ms (answered ${answers.size}${stuck ? `; stuck on ${stuck.label}` : ''}); expected one JVM run to finish, raise --java-timeout if the tokenizer is just slow`,
      );
    }
    if (answers.size < requests.length) {
      const tail = stderr.trim().split('\n').slice(0, 12).join('\n');
      throw new ParityError(
        'E_JAVA_RUNTIME',
        `the JVM running ${options.className} exited with code ${exit.code} after ${answers.size} of ${requests.length} inputs${requests[answers.size] ? ` (at ${requests[answers.size]?.label})` : ''}; expected an answer per input. stderr:\n${tail}`,
      );
    }
    return answers;
  }

  async function prepare(inputs: { texts?: readonly string[]; pairs?: readonly PairInput[] }): Promise<void> {
    const requests: Request[] = [];
    const seen = new Set<string>();
    for (const text of inputs.texts ?? []) {
      if (tokenCache.has(text) || seen.has(`t${text}`)) continue;
      seen.add(`t${text}`);
      requests.push({
        key: text,
        line: asciiJson({ id: String(requests.length), op: 'tokenize', text }),
        label: `text ${clip(text)}`,
      });
    }
    const pairStart = requests.length;
    for (const p of inputs.pairs ?? []) {
      const key = pairKey(p.textA, p.textB, p.maxSeqLength);
      if (encodeCache.has(key) || seen.has(`p${key}`)) continue;
      seen.add(`p${key}`);
      requests.push({
        key,
        line: asciiJson({ id: String(requests.length), op: 'encode', a: p.textA, b: p.textB, max: p.maxSeqLength }),
        label: `pair ${clip(p.textA)} / ${p.textB === null ? 'null' : clip(p.textB)}`,
      });
    }
    if (requests.length === 0) return;
    const answers = await runJvm(requests);
    requests.forEach((r, i) => {
      const rec = answers.get(String(i)) as Record<string, unknown>;
      if (i < pairStart) {
        tokenCache.set(
          r.key,
          rec.error !== undefined
            ? { ok: false, error: caseError(r.label, rec) }
            : { ok: true, value: { tokens: rec.tokens as string[], ids: rec.ids as number[] } },
        );
      } else {
        encodeCache.set(
          r.key,
          rec.error !== undefined
            ? { ok: false, error: caseError(r.label, rec) }
            : {
                ok: true,
                value: {
                  tokens: rec.tokens as string[],
                  inputIds: rec.input_ids as number[],
                  inputMask: rec.input_mask as number[],
                  segmentIds: rec.segment_ids as number[],
                },
              },
        );
      }
    });
  }

  function lookup<T>(cache: Map<string, Answer<T>>, key: string, what: string): T {
    const hit = cache.get(key);
    if (hit === undefined) {
      throw new ParityError(
        'E_IMPL_UNAVAILABLE',
        `${name} answers ${what} only for inputs given to prepare() first (input ${key.slice(0, 80)})`,
      );
    }
    if (!hit.ok) throw hit.error;
    return hit.value;
  }

  return {
    name,
    version: jdk.version.split('\n')[0] ?? 'unknown',
    compiledFromCache: compiled.cached,
    constructorUsed: () => constructorUsed,
    prepare,
    async tokenizeBatch(texts) {
      await prepare({ texts });
      return texts.map((t) => lookup(tokenCache, t, 'tokenize'));
    },
    tokenize(text) {
      return lookup(tokenCache, text, 'tokenize');
    },
    encode(textA, textB, maxSeqLength) {
      return lookup(encodeCache, pairKey(textA, textB, maxSeqLength), 'encode');
    },
  };
}
