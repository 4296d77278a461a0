#!/usr/bin/env node
// @ts-check
/**
 * A stand-in for the `adb` client, for tests: same argv, same output shapes and exit codes as adb 1.0.41
 * for the commands the adapter uses (devices -l, -s SERIAL shell getprop|mkdir|rm|am instrument|am force-stop, push,
 * pull, version). Each device's file system is a folder on the host (<root>/<serial>/<absolute path>);
 * `am instrument` runs the host runner (LiteRT.js) on the request, as the APK would on a phone.
 *
 * Configured by the JSON file named in FAKE_ADB_CONFIG (see index.ts for its fields), which
 * also switches on failure injection. Plain JavaScript so each call starts in tens of milliseconds.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { runShellLine, shellKind } from './device-shell.mjs';

/**
 * @typedef {{ serial: string, state: string, props?: Record<string, string>, runnerInstalled?: boolean }} FakeDevice
 * @typedef {{ command: string, exit?: number, stderr: string, times?: number }} FailInjection
 * @typedef {{
 *   disconnectAfter?: { command: string, count: number },
 *   hang?: string,
 *   fail?: FailInjection,
 *   missingOutput?: string,
 *   malformedResult?: 'not-json' | 'bad-schema',
 *   runnerHangs?: boolean,
 *   runnerCrash?: 'process' | { exception: string, message: string },
 * }} Injection
 * @typedef {{ root: string, devices: FakeDevice[], runner: { component: string, command: string[] }, inject?: Injection }} FakeConfig
 * @typedef {{ counts: Record<string, number>, failed: number, gone: string[] }} FakeState
 */

const configPath = process.env.FAKE_ADB_CONFIG;
if (configPath === undefined) {
  process.stderr.write('fake adb: FAKE_ADB_CONFIG is not set\n');
  process.exit(2);
}
/** @type {FakeConfig} */
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const inject = config.inject ?? {};
const statePath = join(config.root, '.state.json');
/** @type {FakeState} */
const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : { counts: {}, failed: 0, gone: [] };
const saveState = () => writeFileSync(statePath, JSON.stringify(state));

/** @param {string} text @param {number} [code] @returns {never} */
function die(text, code = 1) {
  process.stderr.write(`${text}\n`);
  process.exit(code);
}

/** @param {string} text */
const out = (text) => process.stdout.write(text);

let args = process.argv.slice(2);
let serial = process.env.ANDROID_SERIAL;
if (args[0] === '-s') {
  serial = args[1];
  args = args.slice(2);
}
const [command = '', ...rest] = args;
/** The command name injections refer to: "instrument" for am instrument, "getprop", "mkdir", "rm", or adb's own. */
const kind = command === 'shell' ? shellKind(rest.join(' ')) : command;

// --- failure injection ------------------------------------------------------------------------------
if (inject.hang === kind) {
  // Hangs like a wedged USB transfer; the caller has to kill the process group. The pid lets tests check.
  writeFileSync(join(config.root, 'hung.pid'), String(process.pid));
  setInterval(() => undefined, 1 << 30);
} else {
  await main();
}

async function main() {
  if (inject.fail !== undefined && inject.fail.command === kind && state.failed < (inject.fail.times ?? Infinity)) {
    state.failed++;
    saveState();
    die(inject.fail.stderr, inject.fail.exit ?? 1);
  }
  if (command === 'version') {
    out('Android Debug Bridge version 1.0.41\nVersion 34.0.5-debian (bert-parity simulator)\n');
    return;
  }
  const present = config.devices.filter((d) => !state.gone.includes(d.serial));
  if (command === 'devices') {
    out('List of devices attached\n');
    for (const d of present) {
      const product = d.props?.['ro.product.name'] ?? 'sdk_gphone64_x86_64';
      const model = (d.props?.['ro.product.model'] ?? 'sdk_gphone64_x86_64').replace(/\s/g, '_');
      out(
        d.state === 'device'
          ? `${d.serial}\tdevice product:${product} model:${model} transport_id:1\n`
          : `${d.serial}\t${d.state} transport_id:2\n`,
      );
    }
    out('\n');
    return;
  }
  const device = pickDevice(present);
  if (command === 'get-state') {
    out(`${device.state}\n`);
    return;
  }
  const fs = join(config.root, device.serial);
  /** @param {string} p */
  const onHost = (p) => join(fs, p);
  if (command === 'push') {
    const target = rest[rest.length - 1] ?? '';
    const sources = rest.slice(0, -1);
    for (const src of sources) {
      if (!existsSync(src)) die(`adb: error: cannot stat '${src}': No such file or directory`);
      const intoDir = target.endsWith('/') || (existsSync(onHost(target)) && statSync(onHost(target)).isDirectory());
      const dest = onHost(intoDir ? join(target, basename(src)) : target);
      if (!existsSync(dirname(dest)))
        die(
          `adb: error: failed to copy '${src}' to '${target}': remote couldn't create file: No such file or directory`,
        );
      copyFileSync(src, dest);
      out(`${src}: 1 file pushed, 0 skipped. 42.0 MB/s (${statSync(src).size} bytes in 0.001s)\n`);
    }
    countAndMaybeDisconnect(device.serial);
    return;
  }
  if (command === 'pull') {
    // pull REMOTE... LOCAL: a folder is copied as LOCAL when LOCAL does not exist, else into it.
    const local = rest[rest.length - 1] ?? '.';
    const remotes = rest.slice(0, -1);
    for (const remote of remotes) {
      if (!existsSync(onHost(remote)))
        die(`adb: error: failed to stat remote object '${remote}': No such file or directory`);
      const dest = existsSync(local) && statSync(local).isDirectory() ? join(local, basename(remote)) : local;
      cpSync(onHost(remote), dest, { recursive: true });
      out(`${remote}: pulled, 0 skipped. 40.1 MB/s\n`);
    }
    countAndMaybeDisconnect(device.serial);
    return;
  }
  if (command === 'shell') {
    const shellDevice = {
      fs,
      props: device.props ?? {},
      runner: config.runner,
      pidDir: config.root,
      ...(device.runnerInstalled === undefined ? {} : { runnerInstalled: device.runnerInstalled }),
    };
    const status = await runShellLine(
      shellDevice,
      rest.join(' '),
      { out, err: (t) => process.stderr.write(t) },
      instrumentHooks(),
    );
    if (status !== 0) process.exit(status);
    countAndMaybeDisconnect(device.serial);
    return;
  }
  die(`adb: unknown command ${command}`);
}

/** @param {FakeDevice[]} present @returns {FakeDevice} */
function pickDevice(present) {
  if (serial === undefined) {
    if (present.length === 0) die('adb: no devices/emulators found');
    if (present.length > 1) die('adb: more than one device/emulator');
  }
  const d = serial === undefined ? present[0] : present.find((x) => x.serial === serial);
  if (d === undefined) die(`adb: device '${serial}' not found`);
  if (d.state === 'unauthorized') {
    die(
      "adb: device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set\nTry 'adb kill-server' if that seems wrong.",
    );
  }
  if (d.state !== 'device') die(`adb: device ${d.state}`);
  return d;
}

/** @param {string} serialOfDevice */
function countAndMaybeDisconnect(serialOfDevice) {
  state.counts[kind] = (state.counts[kind] ?? 0) + 1;
  const after = inject.disconnectAfter;
  if (after !== undefined && after.command === kind && state.counts[kind] >= after.count)
    state.gone.push(serialOfDevice);
  saveState();
}

/**
 * The fake's runner failure injection, around the shared `am instrument` (a declaration: main runs above it).
 * @returns {import('./device-shell.mjs').InstrumentHooks}
 */
function instrumentHooks() {
  return {
    beforeRun: () => {
      if (inject.runnerHangs === true) {
        // The runner starts and never finishes (a wedged interpreter); am waits for it (-w), and so does adb.
        // On a device the runner is not adb's child: killing the local adb leaves it running. So it runs in a
        // session of its own (setsid) and only `am force-stop` ends it. Both record their pids for the tests.
        writeFileSync(join(config.root, 'hung.pid'), String(process.pid));
        const pidFile = JSON.stringify(join(config.root, 'runner.pid'));
        spawnSync('setsid', [
          process.execPath,
          '-e',
          `require('node:fs').writeFileSync(${pidFile}, String(process.pid)); setInterval(() => {}, 1 << 30);`,
        ]);
        die('fake adb: the hanging runner exited; expected only am force-stop to end it');
      }
      const crash = inject.runnerCrash;
      if (crash === undefined) return undefined;
      // What am prints when the instrumented process goes away before finishing (result code 0, i.e.
      // RESULT_CANCELED). A process death (a signal in native code, the low-memory killer) reports only
      // shortMsg "Process crashed."; an uncaught Java exception reports its class as shortMsg and
      // "class: message" as longMsg. Recent am prints the result keys sorted, so longMsg comes first.
      if (crash === 'process') out('INSTRUMENTATION_RESULT: shortMsg=Process crashed.\n');
      else {
        out(`INSTRUMENTATION_RESULT: longMsg=${crash.exception}: ${crash.message}\n`);
        out(`INSTRUMENTATION_RESULT: shortMsg=${crash.exception}\n`);
      }
      out('INSTRUMENTATION_CODE: 0\n');
      return 0;
    },
    afterRun: (dir) => {
      const resultFile = join(dir, 'result.json');
      if (inject.missingOutput !== undefined && existsSync(resultFile)) {
        const result = JSON.parse(readFileSync(resultFile, 'utf8'));
        const file = result.outputs?.[inject.missingOutput];
        if (typeof file === 'string') unlinkSync(join(dir, file));
      }
      if (inject.malformedResult === 'not-json')
        writeFileSync(resultFile, '{"protocol": "bert-parity/device@1", "status": ');
      if (inject.malformedResult === 'bad-schema' && existsSync(resultFile)) {
        const result = JSON.parse(readFileSync(resultFile, 'utf8'));
        result.latencyMs = 'fast';
        writeFileSync(resultFile, JSON.stringify(result));
      }
    },
  };
}
