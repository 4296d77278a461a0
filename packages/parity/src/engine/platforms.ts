import {
  type ModelArtifact,
  ParityError,
  type RuntimeAdapter,
  type RuntimeSession,
  type SessionOptions,
} from '@bert-parity/core';
import type { PlatformName, RuntimeName } from '../config/schema.ts';
import { androidPlatform } from './platform-android.ts';

/**
 * Where a cell runs. `host` opens the adapter in this process. Other platforms (Android, from the Android
 * issue) plug in with registerPlatform: they get the adapter's name, the artifact and the options and
 * return a session that speaks the same contract, so the engine, metrics and reports do not change.
 */
export interface Platform {
  readonly name: PlatformName;
  /** The runtimes whose cells this platform runs; absent means every runtime. */
  readonly runtimes?: readonly RuntimeName[];
  open(adapter: RuntimeAdapter, model: ModelArtifact, options: SessionOptions): Promise<RuntimeSession>;
}

const host: Platform = { name: 'host', open: (adapter, model, options) => adapter.open(model, options) };

const registry = new Map<PlatformName, Platform>([
  ['host', host],
  ['android', androidPlatform],
]);

export function registerPlatform(platform: Platform): void {
  registry.set(platform.name, platform);
}

/** Whether a platform runs a runtime's cells (the planner leaves the other pairs out of the matrix). */
export function platformRuns(platform: PlatformName, runtime: RuntimeName): boolean {
  const p = registry.get(platform);
  return p?.runtimes === undefined || p.runtimes.includes(runtime);
}

export function platformFor(name: PlatformName): Platform {
  const p = registry.get(name);
  if (p !== undefined) return p;
  throw new ParityError(
    'E_PLATFORM_UNAVAILABLE',
    `platform ${name} has no runner in this build; expected one registered with registerPlatform() (the Android device runner provides "android")`,
  );
}
