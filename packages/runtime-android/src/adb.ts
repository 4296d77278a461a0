import { spawn } from 'node:child_process';
import { ParityError } from '@bert-parity/core';

/**
 * Runs the real `adb` executable (Debian's `adb` package, or the Android SDK's platform-tools). Spawning
 * the client rather than speaking the adb server protocol keeps one code path for a phone, an emulator and
 * the test simulator (a fake `adb` on ADB/PATH), and needs no dependency.
 */
export interface AdbCallOptions {
  /** Killed (the whole process group) after this many ms: E_DEVICE_TIMEOUT. */
  timeoutMs: number;
  /** Extra attempts after a transient failure (never after a timeout or a disconnect). */
  retries?: number;
}

export interface AdbOutput {
  stdout: string;
  stderr: string;
}

/** What adb prints when the device it was talking to is gone (wording differs between adb releases). */
const DISCONNECTED =
  /device '[^']*' not found|device not found|no devices\/emulators found|device offline|device still (connecting|authorizing)/i;
/** Failures of the transport itself that a second attempt usually gets past. */
const TRANSIENT =
  /error: closed|protocol fault|connection reset|broken pipe|failed to (read|write)|transport error|Resource temporarily unavailable/i;

const RETRY_DELAY_MS = 100;

export class Adb {
  constructor(
    /** The executable: ADB env, else `adb` looked up on PATH. */
    readonly executable: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env, explicit?: string): Adb {
    return new Adb(explicit ?? (env.ADB !== undefined && env.ADB !== '' ? env.ADB : 'adb'), env);
  }

  /** Runs `adb <args>`; retries transient transport failures a bounded number of times. */
  async exec(args: readonly string[], options: AdbCallOptions): Promise<AdbOutput> {
    const retries = options.retries ?? 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(args, options.timeoutMs);
      } catch (e) {
        const transient = e instanceof ParityError && e.code === 'E_DEVICE_COMMAND' && e.details?.transient === true;
        if (!transient || attempt >= retries) throw e;
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS * (attempt + 1)));
      }
    }
  }

  private once(args: readonly string[], timeoutMs: number): Promise<AdbOutput> {
    const command = `${this.executable} ${args.join(' ')}`;
    return new Promise((resolve, reject) => {
      // Own process group, so a timeout kills whatever adb started (the simulator's runner included).
      const child = spawn(this.executable, args, { stdio: ['ignore', 'pipe', 'pipe'], env: this.env, detached: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, timeoutMs);
      child.on('error', (cause: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new ParityError(
            'E_ADB_UNAVAILABLE',
            `cannot start adb "${this.executable}" (${cause.code ?? cause.message}); expected an adb executable: install Debian's adb package or the Android SDK platform-tools, or set ADB=/path/to/adb`,
            { cause, details: { adb: this.executable } },
          ),
        );
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8').trim();
        if (timedOut) {
          reject(
            new ParityError(
              'E_DEVICE_TIMEOUT',
              `adb command "${command}" did not finish within ${timeoutMs} ms and was killed`,
              {
                details: { args, timeoutMs },
              },
            ),
          );
        } else if (code !== 0) {
          const text = stderr !== '' ? stderr : stdout.trim();
          const status = code === null ? `signal ${signal}` : `exit code ${code}`;
          if (DISCONNECTED.test(text)) {
            reject(
              new ParityError('E_DEVICE_DISCONNECTED', `the device went away during "${command}": ${text}`, {
                details: { args, code, stderr: text },
              }),
            );
          } else {
            reject(
              new ParityError(
                'E_DEVICE_COMMAND',
                `adb command "${command}" failed with ${status}: ${text || '(no output)'}`,
                {
                  details: { args, code, stderr: text, transient: TRANSIENT.test(text) },
                },
              ),
            );
          }
        } else {
          resolve({ stdout, stderr });
        }
      });
    });
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
