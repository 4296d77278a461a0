import { relative, resolve } from 'node:path';
import { ParityError } from '@bert-parity/core';
import type { ParityConfig, PlatformConfig } from '../config/schema.ts';
import type { ModelCellPlan } from './model-cell.ts';
import { platformRuns } from './platforms.ts';
import { RUNTIME_FORMATS } from './runtimes.ts';
import { type TokenizerCellPlan, tokenizerCellId } from './tokenizer-cell.ts';
import type { ResolvedVariant } from './variants.ts';

export type CellPlan = ModelCellPlan | TokenizerCellPlan;

export interface Shard {
  /** 1-based. */
  index: number;
  total: number;
}

/** "i/n" with 1 <= i <= n. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (m === null || total < 1 || index < 1 || index > total) {
    throw new ParityError('E_USAGE', `--shard ${JSON.stringify(text)}; expected i/n with 1 <= i <= n, e.g. 2/3`);
  }
  return { index, total };
}

/**
 * Every cell in a fixed order: tokenizer conformance (config order), then variants × runtimes ×
 * platforms in config order, keeping only runtimes that run the variant's format and platforms that run
 * the runtime (host: the runtimes with an adapter here; android: litert; browser: its web runtimes). A variant whose format
 * is unknown (its file could not be read and the config names no format) gets one cell per platform with
 * runtime "-", which reports the read error.
 */
export function planCells(
  config: ParityConfig,
  baseDir: string,
  variants: readonly ResolvedVariant[],
  platforms: readonly PlatformConfig[],
): CellPlan[] {
  const cells: CellPlan[] = [];
  for (const check of config.tokenizer.conformance) {
    for (const g of check.golden) {
      const golden = resolve(baseDir, g);
      cells.push({ kind: 'tokenizer', id: tokenizerCellId(check.impl, golden), impl: check.impl, golden });
    }
  }
  for (const variant of variants) {
    const runtimes =
      variant.format === undefined
        ? [{ name: '-' as never, batch: 1, optional: false }]
        : config.runtimes.filter((r) => RUNTIME_FORMATS[r.name].includes(variant.format as never));
    for (const runtime of runtimes) {
      for (const on of platforms) {
        if (variant.format !== undefined && !platformRuns(on.name, runtime.name)) continue;
        cells.push({
          kind: 'model',
          id: `${variant.name}@${runtime.name}/${on.name}`,
          variant,
          runtime,
          platform: on.name,
          on,
        });
      }
    }
  }
  const seen = new Set<string>();
  for (const c of cells) {
    if (seen.has(c.id)) {
      throw new ParityError('E_CONFIG', `cell ${c.id} appears twice; expected each golden and variant listed once`);
    }
    seen.add(c.id);
  }
  return cells;
}

/**
 * Cells of one shard: cell k (0-based, in plan order) belongs to shard (k mod n) + 1. Round-robin keeps
 * the slow runtimes, which sit next to each other in the plan, spread over the shards.
 */
export function shardCells<T>(cells: readonly T[], shard: Shard | undefined): T[] {
  if (shard === undefined) return [...cells];
  return cells.filter((_, k) => k % shard.total === shard.index - 1);
}

export const shownPath = (path: string) => relative(process.cwd(), path) || path;
