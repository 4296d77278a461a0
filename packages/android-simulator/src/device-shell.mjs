// @ts-check
/**
 * The simulated device's shell: the commands the adapter sends (`getprop`, `mkdir -p`, `rm -rf`, `am instrument`,
 * `am force-stop`, joined by `&&`), run against a host folder that stands for the device's file system. Shared by
 * the fake adb client (fake-adb.mjs) and the simulated adbd (adbd.ts), so both devices behave alike. Plain
 * JavaScript, so the fake adb can load it without a TypeScript loader.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * @typedef {{
 *   fs: string,
 *   props: Record<string, string>,
 *   runnerInstalled?: boolean,
 *   runner: { component: string, command: string[] },
 *   pidDir: string,
 * }} ShellDevice
 *   fs: host folder holding the device's `/`; runner.command gets <request on host> <fs> <getprop JSON> <component>;
 *   pidDir: where a hanging runner records its pid (runner.pid) for `am force-stop`.
 * @typedef {{ out: (text: string) => void, err: (text: string) => void }} ShellIo
 * @typedef {{
 *   beforeRun?: (io: ShellIo) => number | undefined | Promise<number | undefined>,
 *   afterRun?: (callDir: string) => void,
 * }} InstrumentHooks
 *   beforeRun answers instead of the runner when it returns an exit code; afterRun sees the call folder before am
 *   reports (failure injection of the fake adb).
 */

/** The last command of a shell line (`rm -rf a && mkdir -p b` is a mkdir), as failure injection names it. @param {string} line */
export function shellKind(line) {
  const t = line.trim();
  if (t.startsWith('am instrument')) return 'instrument';
  if (t.startsWith('am force-stop')) return 'force-stop';
  const last = t.split('&&').pop() ?? '';
  return last.trim().split(/\s+/)[0] ?? '';
}

/** Splits a device shell line into words, honouring single quotes (all the adapter sends). @param {string} line */
export function words(line) {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/**
 * Runs a shell line (commands joined by `&&`) and returns its exit status; stops at the first failure, as sh does.
 * @param {ShellDevice} device @param {string} line @param {ShellIo} io @param {InstrumentHooks} [hooks]
 * @returns {Promise<number>}
 */
export async function runShellLine(device, line, io, hooks = {}) {
  for (const part of line.split('&&')) {
    const status = await runCommand(device, words(part.trim()), io, hooks);
    if (status !== 0) return status;
  }
  return 0;
}

/** @param {ShellDevice} device @param {string[]} argv @param {ShellIo} io @param {InstrumentHooks} hooks */
async function runCommand(device, argv, io, hooks) {
  const [cmd, ...a] = argv;
  /** @param {string} p */
  const onHost = (p) => join(device.fs, p);
  if (cmd === 'getprop') {
    for (const [k, v] of Object.entries(device.props)) io.out(`[${k}]: [${v}]\n`);
    return 0;
  }
  if (cmd === 'mkdir' && a[0] === '-p') {
    mkdirSync(onHost(a[1] ?? ''), { recursive: true });
    return 0;
  }
  if (cmd === 'rm' && a[0] === '-rf') {
    rmSync(onHost(a[1] ?? ''), { recursive: true, force: true });
    return 0;
  }
  if (cmd === 'am' && a[0] === 'instrument') return instrument(device, a, io, hooks);
  if (cmd === 'am' && a[0] === 'force-stop') {
    // Kills the app's process if one is running (a hanging runner records its pid); silent either way.
    const pidFile = join(device.pidDir, 'runner.pid');
    if (a[1] === device.runner.component.split('/')[0] && existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return 0;
  }
  io.err(`/system/bin/sh: ${cmd}: not found\n`);
  return 127;
}

/**
 * `am instrument -w -e request PATH COMPONENT`, printing what am prints: the runner's own report when it speaks
 * like am (the Kotlin runner's JVM harness), else a plain success; a runner that exits non-zero is reported as a
 * process crash, and a missing APK as am reports it (status lines on stdout, the exception on stderr, exit 1).
 * @param {ShellDevice} device @param {string[]} a @param {ShellIo} io @param {InstrumentHooks} hooks
 */
async function instrument(device, a, io, hooks) {
  const at = a.indexOf('request');
  const request = a[at + 1] ?? '';
  const component = a[a.length - 1] ?? '';
  if (device.runnerInstalled === false || component !== device.runner.component) {
    io.out(
      `INSTRUMENTATION_STATUS: Error=Unable to find instrumentation info for: ComponentInfo{${component}}\nINSTRUMENTATION_STATUS_CODE: -1\n`,
    );
    io.err(`android.util.AndroidException: INSTRUMENTATION_FAILED: ${component}\n`);
    return 1;
  }
  const early = await hooks.beforeRun?.(io);
  if (early !== undefined) return early;
  const [exe = process.execPath, ...pre] = device.runner.command;
  const run = await spawnCollect(exe, [
    ...pre,
    join(device.fs, request),
    device.fs,
    JSON.stringify(device.props),
    component,
  ]);
  if (run.status !== 0) {
    io.out(
      `INSTRUMENTATION_RESULT: shortMsg=Process crashed.\nINSTRUMENTATION_RESULT: longMsg=${(run.stderr || run.error || '').split('\n')[0]}\nINSTRUMENTATION_CODE: 0\n`,
    );
    return 0;
  }
  hooks.afterRun?.(dirname(join(device.fs, request)));
  io.out(
    /INSTRUMENTATION_CODE/.test(run.stdout)
      ? run.stdout
      : 'INSTRUMENTATION_RESULT: status=done\nINSTRUMENTATION_CODE: -1\n',
  );
  return 0;
}

/**
 * Runs the runner without blocking the caller's event loop (adbd serves other streams meanwhile).
 * @param {string} exe @param {string[]} args
 * @returns {Promise<{ status: number | null, stdout: string, stderr: string, error?: string }>}
 */
function spawnCollect(exe, args) {
  return new Promise((resolve) => {
    const child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    /** @type {Buffer[]} */
    const out = [];
    /** @type {Buffer[]} */
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    /** @type {string | undefined} */
    let error;
    child.on('error', (e) => {
      error = e.message;
    });
    child.on('close', (status) =>
      resolve({
        status: error === undefined ? status : null,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ...(error === undefined ? {} : { error }),
      }),
    );
  });
}
