/**
 * The on-device Kotlin runner (android/app), compiled for the host JVM against the doubles in
 * android/host (Android framework classes, TFLite Interpreter API backed by LiteRT.js through
 * litert-bridge.ts), so the simulator can run the APK's own code instead of host-runner.ts.
 *
 * Needs a JDK (java, javac), Android's org.json (Debian's libandroid-json-java) and the Kotlin compiler
 * the project pins (npm package kotlin-compiler, the version of the Kotlin Gradle plugin in
 * android/build.gradle.kts). The compiled classes are cached by a hash of every source.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export const ANDROID_DIR = fileURLToPath(new URL('../../../android/', import.meta.url));
const RUNNER_SOURCES = join(ANDROID_DIR, 'app/src/main/kotlin');
const HOST_SOURCES = join(ANDROID_DIR, 'host/java');
export const RUNNER_MANIFEST = join(ANDROID_DIR, 'app/src/main/AndroidManifest.xml');
const BRIDGE = fileURLToPath(new URL('./litert-bridge.ts', import.meta.url));
/** Debian's libandroid-json-java: the org.json that Android itself ships (from AOSP libcore). */
const DEBIAN_ORG_JSON = '/usr/share/java/com.android.json.jar';

export interface KotlinRunnerTools {
  java: string;
  javac: string;
  kotlinc: string;
  kotlinVersion: string;
  kotlinStdlib: string;
  orgJson: string;
}

/** Finds what the build needs; `missing` names each absent piece and where it comes from. */
export function findKotlinRunnerTools(
  env: NodeJS.ProcessEnv = process.env,
): { tools: KotlinRunnerTools } | { missing: string[] } {
  const missing: string[] = [];
  const onPath = (name: string) => {
    const dirs = [env.JAVA_HOME ? join(env.JAVA_HOME, 'bin') : '', ...(env.PATH ?? '').split(delimiter)];
    return dirs
      .filter((d) => d !== '')
      .map((d) => join(d, name))
      .find((p) => existsSync(p));
  };
  const java = onPath('java');
  const javac = onPath('javac');
  if (java === undefined || javac === undefined) missing.push('a JDK (java and javac; Debian: default-jdk-headless)');
  const orgJson = env.BERT_PARITY_ORG_JSON_JAR ?? DEBIAN_ORG_JSON;
  if (!existsSync(orgJson)) missing.push(`Android's org.json at ${orgJson} (Debian: libandroid-json-java)`);
  let kotlinHome: string | undefined;
  try {
    kotlinHome = dirname(require.resolve('kotlin-compiler/package.json'));
  } catch {
    missing.push('the Kotlin compiler (npm package kotlin-compiler; run pnpm install)');
  }
  if (missing.length > 0 || java === undefined || javac === undefined || kotlinHome === undefined) return { missing };
  const kotlinVersion = (JSON.parse(readFileSync(join(kotlinHome, 'package.json'), 'utf8')) as { version: string })
    .version;
  return {
    tools: {
      java,
      javac,
      kotlinc: join(kotlinHome, 'bin/kotlinc'),
      kotlinVersion,
      kotlinStdlib: join(kotlinHome, 'lib/kotlin-stdlib.jar'),
      orgJson,
    },
  };
}

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .map((f) => join(dir, f))
    .sort();
}

export interface KotlinRunnerBuild {
  /** The runner's classes (android/app) and the doubles' (android/host). */
  classes: { runner: string; doubles: string };
  /** Compiler warnings (kotlinc and javac), one per line; empty when clean. */
  warnings: string[];
  /** `am instrument` stand-in for the fake adb: the runner's own code on the JVM. */
  command: string[];
}

/**
 * Compiles the doubles (javac) and then the runner (kotlinc, against the doubles), unless the cache
 * already holds this exact set of sources. Throws with the compiler's output when either fails.
 */
export async function buildKotlinRunner(
  tools: KotlinRunnerTools,
  cacheRoot = join(ANDROID_DIR, '../node_modules/.cache/bert-parity-kotlin-runner'),
): Promise<KotlinRunnerBuild> {
  const kotlin = filesUnder(RUNNER_SOURCES, '.kt');
  const java = filesUnder(HOST_SOURCES, '.java');
  const hash = createHash('sha256').update(`kotlinc ${tools.kotlinVersion}\0${tools.orgJson}\0`);
  for (const f of [...kotlin, ...java]) hash.update(`${relative(ANDROID_DIR, f)}\0`).update(readFileSync(f));
  const dir = join(cacheRoot, hash.digest('hex').slice(0, 16));
  const warningsFile = join(dir, 'warnings.txt');
  if (!existsSync(warningsFile)) {
    // Built aside and renamed, so a concurrent build or an interrupted one never leaves half a cache.
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const warnings: string[] = [];
    const step = async (what: string, exe: string, args: string[]) => {
      try {
        const { stdout, stderr } = await run(exe, args, {
          // kotlinc finds the JDK's classes through JAVA_HOME; /usr/bin/java is a symlink into the JDK.
          env: { ...process.env, JAVA_HOME: dirname(dirname(realpathSync(tools.java))) },
          maxBuffer: 16 << 20,
        });
        warnings.push(
          ...`${stdout}${stderr}`
            .split('\n')
            .filter((l) => /warning/i.test(l))
            .map((l) => l.replace(`${ANDROID_DIR}`, 'android/')),
        );
      } catch (e) {
        const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
        rmSync(tmp, { recursive: true, force: true });
        throw new Error(`${what} failed:\n${`${stdout}${stderr}`.trim() || (e as Error).message}`);
      }
    };
    // Two folders: kotlinc leaves its own -d folder out of the classpath, so the doubles live apart.
    const doubles = join(tmp, 'doubles');
    await step('javac (android/host doubles)', tools.javac, [
      '--release',
      '17',
      '-Xlint:all',
      '-d',
      doubles,
      '-cp',
      tools.orgJson,
      ...java,
    ]);
    await step('kotlinc (android/app runner)', tools.kotlinc, [
      '-jvm-target',
      '17',
      '-d',
      join(tmp, 'runner'),
      '-cp',
      [doubles, tools.orgJson].join(delimiter),
      ...kotlin,
    ]);
    writeFileSync(join(tmp, 'warnings.txt'), warnings.join('\n'));
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process finished the same build first
    }
  }
  const warnings = readFileSync(warningsFile, 'utf8').split('\n').filter(Boolean);
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const classes = { runner: join(dir, 'runner'), doubles: join(dir, 'doubles') };
  return {
    classes,
    warnings,
    command: [
      tools.java,
      // Quick start matters more than peak speed: the JVM starts once per am instrument.
      '-XX:TieredStopAtLevel=1',
      `-Dbertparity.manifest=${RUNNER_MANIFEST}`,
      `-Dbertparity.bridge=${JSON.stringify([process.execPath, '--import', tsx, BRIDGE])}`,
      '-cp',
      [classes.runner, classes.doubles, tools.kotlinStdlib, tools.orgJson].join(delimiter),
      'dev.bertparity.host.AmInstrument',
    ],
  };
}
