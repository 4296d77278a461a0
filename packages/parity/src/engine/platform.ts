import type { ModelArtifact, RuntimeSession } from '@bert-parity/core';
import type { AdapterOptions } from '@bert-parity/runtime-base';
import type { PlatformName, RuntimeName } from '../config/schema.ts';

/**
 * Where cells run: `host` opens the runtime's adapter in this process; `android` sends TFLite models to a
 * device; `browser` runs the runtimes' web builds in headless Chromium. A platform declares the runtimes
 * it runs (the planner leaves the other pairs out of the matrix) and makes one Platform per run, which
 * opens sessions that speak the same contract, so the engine, metrics and reports do not change.
 */
export interface PlatformDefinition {
  readonly name: PlatformName;
  readonly runtimes: readonly RuntimeName[];
  /** A fresh instance for one run. Nothing starts here: a platform starts what it needs at its first open(). */
  create(): Platform;
}

export interface Platform {
  open(runtime: RuntimeName, model: ModelArtifact, options: AdapterOptions): Promise<RuntimeSession>;
  /** Stops what open() started (a browser, a server); the engine calls it once when the run ends, errors included. */
  close(): Promise<void>;
}
