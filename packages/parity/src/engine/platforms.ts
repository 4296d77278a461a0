import { ParityError } from '@bert-parity/core';
import type { PlatformName, RuntimeName } from '../config/schema.ts';
import type { ModelCellPlan } from './model-cell.ts';
import type { PlannedSession, Platform, PlatformDefinition } from './platform.ts';
import { androidPlatform } from './platform-android.ts';
import { browserPlatform } from './platform-browser.ts';
import { hostPlatform } from './platform-host.ts';
import { sessionOptions } from './runtimes.ts';

const registry = new Map<PlatformName, PlatformDefinition>(
  [hostPlatform, androidPlatform, browserPlatform].map((p) => [p.name, p]),
);

/** Adds or replaces a platform (tests and embedders run cells on their own doubles). */
export function registerPlatform(platform: PlatformDefinition): void {
  registry.set(platform.name, platform);
}

function definition(name: PlatformName): PlatformDefinition {
  const p = registry.get(name);
  if (p !== undefined) return p;
  throw new ParityError(
    'E_PLATFORM_UNAVAILABLE',
    `platform ${name} has no runner in this build; expected one registered with registerPlatform()`,
  );
}

/** Whether a platform runs a runtime's cells (the planner leaves the other pairs out of the matrix). */
export function platformRuns(platform: PlatformName, runtime: RuntimeName): boolean {
  return registry.get(platform)?.runtimes.includes(runtime) ?? true;
}

/** How many cells of a platform may run at once (PlatformDefinition.concurrency). */
export function platformConcurrency(platform: PlatformName): number {
  return registry.get(platform)?.concurrency ?? 1;
}

/** The platforms of one run: each made at its first cell, all closed by close(). */
export class RunPlatforms {
  private readonly open = new Map<PlatformName, Platform>();

  get(name: PlatformName): Platform {
    let p = this.open.get(name);
    if (p === undefined) {
      p = definition(name).create();
      this.open.set(name, p);
    }
    return p;
  }

  /** Tells each platform with a prepare step the sessions the run's model cells will open there. */
  prepare(cells: readonly ModelCellPlan[]): void {
    const byPlatform = new Map<PlatformName, PlannedSession[]>();
    for (const c of cells) {
      const list = byPlatform.get(c.platform) ?? [];
      list.push({ runtime: c.runtime.name, options: sessionOptions(c.runtime, c.variant.config) });
      byPlatform.set(c.platform, list);
    }
    for (const [name, sessions] of byPlatform) {
      if (registry.get(name) !== undefined) this.get(name).prepare?.(sessions);
    }
  }

  /** Closes every platform made in this run; one that fails to close does not keep the others open. */
  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map((p) => p.close()));
  }
}
