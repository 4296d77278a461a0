#!/usr/bin/env node
/**
 * `pnpm android:simulate [check options]`: the android workflow's check without a device. The runner's
 * own Kotlin code (android/app) is compiled for the host JVM against the doubles in android/host and
 * answers a simulated device's `am instrument`; then `bert-parity check --platform android` runs against
 * that device with the config android/parity.android.json (or the --config given).
 *
 * For working on the runner or the device protocol. It says nothing about ARM kernels, delegates or a
 * real Android framework: the TFLite numbers come from LiteRT.js (see android/host/README.md).
 */
import { resolve } from 'node:path';
import { createKotlinRunnerSimulator, kotlinRunnerMissing } from '@bert-parity/android-simulator';
import { main } from '../src/cli.ts';
import { REPO_ROOT } from '../src/paths.ts';

const args = process.argv.slice(2);
const missing = kotlinRunnerMissing();
if (missing.length > 0) {
  console.error(`android:simulate needs ${missing.join('; ')}`);
  process.exit(2);
}
console.error('compiling the runner (android/app) for the host JVM…');
const device = await createKotlinRunnerSimulator();
for (const w of device.build.warnings) console.error(`kotlinc/javac: ${w}`);
Object.assign(process.env, { ADB: device.env.ADB, FAKE_ADB_CONFIG: device.env.FAKE_ADB_CONFIG });
delete process.env.ADB_SERIAL;
try {
  const config = args.includes('--config') ? [] : ['--config', resolve(REPO_ROOT, 'android/parity.android.json')];
  process.exitCode = await main(['check', '--platform', 'android', ...config, ...args]);
} finally {
  device.dispose();
}
