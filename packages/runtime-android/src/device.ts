import { ParityError } from '@bert-parity/core';
import type { Adb, AdbOutput } from './adb.ts';
import { type DeviceFacts, deviceFacts, parseGetprop } from './facts.ts';

export interface Timeouts {
  /** devices, getprop, mkdir, rm. */
  commandMs: number;
  /** push and pull. */
  transferMs: number;
  /** One `am instrument` (model load plus all repeats). */
  runMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { commandMs: 15_000, transferMs: 120_000, runMs: 600_000 };

/** Paths we send to the device shell are ours (no quotes inside), quoted so the device shell keeps them whole. */
function q(path: string): string {
  if (path.includes("'")) throw new RangeError(`device path ${path} contains a quote`);
  return `'${path}'`;
}

/** One selected device: every command goes through `adb -s <serial>`. */
export class AndroidDevice {
  constructor(
    private readonly adb: Adb,
    readonly serial: string,
    private readonly timeouts: Timeouts,
    private readonly retries: number,
  ) {}

  private run(args: string[], timeoutMs: number, retries = this.retries): Promise<AdbOutput> {
    return this.adb.exec(['-s', this.serial, ...args], { timeoutMs, retries });
  }

  async facts(): Promise<DeviceFacts> {
    const { stdout } = await this.run(['shell', 'getprop'], this.timeouts.commandMs);
    return deviceFacts(this.serial, parseGetprop(stdout));
  }

  /** Makes a folder, first removing `previous` (the last call's folder) in the same shell call. */
  async makeDir(dir: string, previous?: string): Promise<void> {
    const rm = previous === undefined ? '' : `rm -rf ${q(previous)} && `;
    await this.run(['shell', `${rm}mkdir -p ${q(dir)}`], this.timeouts.commandMs);
  }

  async remove(path: string): Promise<void> {
    await this.run(['shell', `rm -rf ${q(path)}`], this.timeouts.commandMs);
  }

  /** Copies one local file to a path on the device. */
  async pushAs(local: string, remote: string): Promise<void> {
    await this.run(['push', local, remote], this.timeouts.transferMs);
  }

  /** Copies local files into an existing folder on the device. */
  async push(files: readonly string[], remoteDir: string): Promise<void> {
    await this.run(['push', ...files, `${remoteDir}/`], this.timeouts.transferMs);
  }

  /** Copies a device folder to a local path that does not exist yet (adb pull copies it as that path). */
  async pullDir(remoteDir: string, local: string): Promise<void> {
    await this.run(['pull', remoteDir, local], this.timeouts.transferMs);
  }

  /**
   * Starts the runner with `am instrument -w` and waits. Never retried: a run is not idempotent in time
   * spent, and a timeout means the device is stuck. Returns am's output for diagnosis.
   */
  async instrument(component: string, requestPath: string): Promise<string> {
    let stdout: string;
    try {
      ({ stdout } = await this.run(
        ['shell', `am instrument -w -e request ${q(requestPath)} ${component}`],
        this.timeouts.runMs,
        0,
      ));
    } catch (e) {
      if (e instanceof ParityError && e.code === 'E_DEVICE_TIMEOUT') {
        // Killing the local adb leaves the runner going on the device; stop it so the next run starts clean.
        const stopped = await this.forceStop(component);
        throw new ParityError(
          e.code,
          `${e.message}; ${stopped ? 'the runner app was force-stopped on the device' : 'force-stopping the runner app on the device failed too'}`,
          { cause: e, details: { ...e.details, forceStopped: stopped } },
        );
      }
      // Newer adb passes am's exit status on: a missing runner then arrives as a failed command.
      const text = e instanceof ParityError && e.code === 'E_DEVICE_COMMAND' ? String(e.details?.stderr ?? '') : '';
      const failure = instrumentationFailure(text);
      if (text === '' || failure === undefined || failure.startsWith('am instrument ended')) throw e;
      throw new ParityError('E_DEVICE_RUNNER', `runner ${component} on ${this.serial}: ${failure}`, {
        cause: e,
        details: { serial: this.serial, component, output: text.slice(0, 2000) },
      });
    }
    const failure = instrumentationFailure(stdout);
    if (failure?.startsWith('am instrument ended') === true) await this.confirmStillAttached(component);
    if (failure !== undefined) {
      throw new ParityError('E_DEVICE_RUNNER', `runner ${component} on ${this.serial}: ${failure}`, {
        details: { serial: this.serial, component, output: stdout.slice(0, 2000) },
      });
    }
    return stdout;
  }

  /**
   * adb (29 at least) ends `shell am instrument` with exit 0 and no output when the device drops off during
   * the call, which reads like a runner that said nothing. `adb get-state` tells the two apart.
   */
  private async confirmStillAttached(component: string): Promise<void> {
    try {
      await this.run(['get-state'], this.timeouts.commandMs, 0);
    } catch (e) {
      if (!(e instanceof ParityError) || e.code !== 'E_DEVICE_DISCONNECTED') throw e;
      throw new ParityError(
        'E_DEVICE_DISCONNECTED',
        `the device went away during "am instrument … ${component}" (adb ended it with no output); adb get-state: ${String(e.details?.stderr ?? e.message)}`,
        { cause: e, details: { ...e.details, serial: this.serial } },
      );
    }
  }

  /** `am force-stop <package>`, best effort (the device may be the reason the run hung). */
  private async forceStop(component: string): Promise<boolean> {
    const pkg = component.split('/')[0] ?? component;
    try {
      await this.run(['shell', `am force-stop ${q(pkg)}`], this.timeouts.commandMs, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * What `am instrument -w` prints when the runner never produced a result: not installed ("Unable to find
 * instrumentation info"), crashed ("Process crashed"), or finished without a code. `am` itself exits 0 in
 * these cases on most releases, so the text is what tells.
 */
export function instrumentationFailure(stdout: string): string | undefined {
  if (/Unable to find instrumentation info|INSTRUMENTATION_FAILED/.test(stdout)) {
    return 'the runner is not installed; build and install it: cd android && ./gradlew installDebug (see docs/device-protocol.md)';
  }
  const crash = /shortMsg=(.*)/.exec(stdout);
  if (crash !== null || /Process crashed/.test(stdout)) {
    const long = /longMsg=(.*)/.exec(stdout);
    return `the runner crashed: ${(long?.[1] ?? crash?.[1] ?? 'Process crashed').trim()}`;
  }
  if (!/INSTRUMENTATION_CODE: -?\d+/.test(stdout)) {
    return `am instrument ended without an INSTRUMENTATION_CODE line; output: ${stdout.trim().slice(0, 300) || '(none)'}`;
  }
  return undefined;
}
