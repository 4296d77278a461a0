import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RUNNER_COMPONENT } from '@bert-parity/runtime-android';
import { buildKotlinRunner, findKotlinRunnerTools, type KotlinRunnerBuild } from './kotlin-runner.ts';

export {
  ANDROID_DIR,
  buildKotlinRunner,
  findKotlinRunnerTools,
  type KotlinRunnerBuild,
  type KotlinRunnerTools,
} from './kotlin-runner.ts';

/** A simulated device as `adb devices` lists it and `getprop` describes it. */
export interface SimDevice {
  serial: string;
  /** device, unauthorized, offline, … (default device). */
  state?: string;
  props?: Record<string, string>;
  /** false: `am instrument` answers as for a missing APK. */
  runnerInstalled?: boolean;
}

/** Failure injection, read by the fake adb on every call. */
export interface Injection {
  /** The device vanishes after the count-th successful call of this command (push, pull, instrument, …). */
  disconnectAfter?: { command: string; count: number };
  /** This command never returns (devices, getprop, mkdir, push, pull, instrument, rm). */
  hang?: string;
  /** This command exits non-zero with stderr, the first `times` calls (default every call). */
  fail?: { command: string; exit?: number; stderr: string; times?: number };
  /** The runner's output file for this port is deleted before the host pulls it. */
  missingOutput?: string;
  /** result.json is cut short (not-json) or has a field of the wrong type (bad-schema). */
  malformedResult?: 'not-json' | 'bad-schema';
  /**
   * `am instrument` starts a runner that never finishes; the fake writes its own pid to <root>/hung.pid
   * and the runner's to <root>/runner.pid.
   */
  runnerHangs?: boolean;
  /**
   * The runner dies during `am instrument`, and am prints what it prints then: `process` for a process
   * death (shortMsg "Process crashed." only), or an uncaught Java exception (shortMsg the class, longMsg
   * "class: message").
   */
  runnerCrash?: 'process' | { exception: string; message: string };
}

export const FAKE_ADB = fileURLToPath(new URL('./fake-adb.mjs', import.meta.url));
const HOST_RUNNER = fileURLToPath(new URL('./host-runner.ts', import.meta.url));

export const EMULATOR_PROPS: Readonly<Record<string, string>> = {
  'ro.product.manufacturer': 'Google',
  'ro.product.model': 'sdk_gphone64_x86_64',
  'ro.product.name': 'sdk_gphone64_x86_64',
  'ro.product.cpu.abi': 'x86_64',
  'ro.product.cpu.abilist': 'x86_64,arm64-v8a',
  'ro.build.version.sdk': '34',
  'ro.build.version.release': '14',
  'ro.build.fingerprint': 'google/sdk_gphone64_x86_64/emu64xa:14/UE1A.230829.036/1:userdebug/dev-keys',
  'ro.kernel.qemu': '1',
};

export interface Simulator {
  /** Environment for the adapter: ADB points at the fake, FAKE_ADB_CONFIG at this simulator. */
  readonly env: NodeJS.ProcessEnv;
  /** Host folder holding each device's file system (<root>/<serial>/…). */
  readonly root: string;
  /** Replaces the failure injection (and resets the fake's counters). */
  inject(injection: Injection): void;
  /** How many times the fake ran each command so far. */
  counts(): Record<string, number>;
  dispose(): void;
}

export interface SimulatorOptions {
  devices?: SimDevice[];
  inject?: Injection;
  /**
   * What `am instrument` runs, given <request on host> <device folder on host> <getprop JSON> <component>:
   * default the LiteRT.js host runner (host-runner.ts); buildKotlinRunner() gives the APK's own Kotlin
   * code on the JVM.
   */
  runnerCommand?: string[];
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const root = mkdtempSync(join(tmpdir(), 'bert-parity-sim-'));
  const devices = (options.devices ?? [{ serial: 'emulator-5554' }]).map((d) => ({
    state: 'device',
    props: EMULATOR_PROPS,
    ...d,
  }));
  for (const d of devices) mkdirSync(join(root, d.serial, 'data/local/tmp'), { recursive: true });
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const configPath = join(root, 'fake-adb.json');
  const write = (inject: Injection) => {
    writeFileSync(
      configPath,
      JSON.stringify({
        root,
        devices,
        runner: {
          component: RUNNER_COMPONENT,
          command: options.runnerCommand ?? [process.execPath, '--import', tsx, HOST_RUNNER],
        },
        inject,
      }),
    );
    rmSync(join(root, '.state.json'), { force: true });
  };
  write(options.inject ?? {});
  const env: NodeJS.ProcessEnv = { ...process.env, ADB: FAKE_ADB, FAKE_ADB_CONFIG: configPath };
  delete env.ADB_SERIAL;
  delete env.ANDROID_SERIAL;
  return {
    env,
    root,
    inject: write,
    counts: () => {
      try {
        return (JSON.parse(readFileSync(join(root, '.state.json'), 'utf8')) as { counts: Record<string, number> })
          .counts;
      } catch {
        return {};
      }
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** What building the Kotlin runner needs and this machine lacks (empty: createKotlinRunnerSimulator works). */
export function kotlinRunnerMissing(env: NodeJS.ProcessEnv = process.env): string[] {
  const found = findKotlinRunnerTools(env);
  return 'missing' in found ? found.missing : [];
}

export interface KotlinRunnerSimulator extends Simulator {
  readonly build: KotlinRunnerBuild;
}

/**
 * A simulator whose `am instrument` runs the APK's own Kotlin code on the JVM (android/app against the
 * doubles in android/host), built first or taken from the cache.
 */
export async function createKotlinRunnerSimulator(
  options: Omit<SimulatorOptions, 'runnerCommand'> = {},
): Promise<KotlinRunnerSimulator> {
  const found = findKotlinRunnerTools();
  if ('missing' in found)
    throw new Error(`the Kotlin runner cannot be built here: missing ${found.missing.join('; ')}`);
  const build = await buildKotlinRunner(found.tools);
  return { ...createSimulator({ ...options, runnerCommand: build.command }), build };
}

export {
  type Adbd,
  type AdbdInjection,
  type AdbdOptions,
  type AdbResult,
  type AdbServer,
  DEFAULT_FEATURES,
  deviceBanner,
  findAdb,
  type RealAdbDevice,
  type RealAdbDeviceOptions,
  startAdbd,
  startAdbServer,
  startRealAdbDevice,
} from './adbd.ts';
