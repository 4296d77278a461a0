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
  /**
   * How many of its cells may run at once (default 1), never two of one runtime. The browser takes two:
   * each session is a page of its own, and its cells mostly wait on the page, not on this process.
   */
  readonly concurrency?: number;
  /** A fresh instance for one run. Nothing starts here: a platform starts what it needs at its first open(). */
  create(): Platform;
}

/** A session a run will open: what a platform may start ahead of the cell. */
export interface PlannedSession {
  readonly runtime: RuntimeName;
  readonly options: AdapterOptions;
}

export interface Platform {
  /**
   * Optional: the sessions this run will open on the platform, in plan order, told before the first
   * cell so it can start what they need meanwhile (the browser loads each runtime's page while the host
   * computes references and runs its cells). A hint: failures surface at open(), in their cell.
   */
  prepare?(sessions: readonly PlannedSession[]): void;
  open(runtime: RuntimeName, model: ModelArtifact, options: AdapterOptions): Promise<RuntimeSession>;
  /** Stops what open() started (a browser, a server); the engine calls it once when the run ends, errors included. */
  close(): Promise<void>;
}
