import { relative, resolve } from 'node:path';
import { ParityError } from '@bert-parity/core';
import { type ParityConfig, type PlatformConfig, RUNTIME_NAMES, type RuntimeName } from '../config/schema.ts';
import type { ModelCellPlan } from './model-cell.ts';
import { platformRuns } from './platforms.ts';
import { RUNTIME_FORMATS } from './runtimes.ts';
import { agreementCellId, type TokenizerCellPlan, tokenizerCellId } from './tokenizer-cell.ts';
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
 * Every cell in a fixed order: tokenizer conformance and agreement (config order), then variants × runtimes ×
 * platforms in config order, keeping only runtimes that run the variant's format and platforms that run
 * the runtime (host: the runtimes with an adapter here; android: litert; browser: its web runtimes) and,
 * where the variant lists its platforms, are among them. A variant whose format
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
  for (const a of config.tokenizer.agreement) {
    const tokenizer = resolve(baseDir, a.tokenizer);
    cells.push({
      kind: 'tokenizer-agreement',
      id: agreementCellId(a.impl, tokenizer),
      impl: a.impl,
      tokenizer,
      lowercase: config.tokenizer.lowercase,
      knownDifferences: a.knownDifferences,
    });
  }
  for (const variant of variants) {
    const runtimes =
      variant.format === undefined
        ? [{ name: '-' as never, batch: 1, optional: false }]
        : config.runtimes.filter((r) => RUNTIME_FORMATS[r.name].includes(variant.format as never));
    for (const runtime of runtimes) {
      for (const on of platforms) {
        if (variant.format !== undefined && !platformRuns(on.name, runtime.name)) continue;
        if (variant.config.platforms !== undefined && !variant.config.platforms.includes(on.name)) continue;
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

/**
 * Which runtimes' cells to run: `only` keeps the model cells of these runtimes (and drops the tokenizer
 * cells, which belong to no runtime) and makes them required, since they were asked for by name: one that
 * cannot load here is an error, not a skip, even when the config marks it optional. `skip` leaves these
 * runtimes' cells out. CI runs the shards with `skip: ['tfjs-node']` and a job that has tfjs-node installed
 * with `only: ['tfjs-node']`; `report merge --require-shards` checks that the parts add up to the matrix.
 */
export interface RuntimeFilter {
  only?: readonly RuntimeName[];
  skip?: readonly RuntimeName[];
}

/** A --runtime/--skip-runtime value: a runtime the config names (E_USAGE otherwise, listing them). */
export function parseRuntimeNames(option: string, values: readonly string[], config: ParityConfig): RuntimeName[] {
  const configured = config.runtimes.map((r) => r.name as string);
  for (const v of values) {
    if (!(RUNTIME_NAMES as readonly string[]).includes(v)) {
      throw new ParityError('E_USAGE', `${option} ${JSON.stringify(v)}; expected one of ${RUNTIME_NAMES.join(', ')}`);
    }
    if (!configured.includes(v)) {
      throw new ParityError(
        'E_USAGE',
        `${option} ${v}: the config has no runtime ${v}; it has ${configured.join(', ')}`,
      );
    }
  }
  return [...new Set(values)] as RuntimeName[];
}

/** The cells a runtime filter keeps (see RuntimeFilter), in plan order. */
export function filterRuntimes(cells: readonly CellPlan[], filter: RuntimeFilter | undefined): CellPlan[] {
  const only = filter?.only?.length ? new Set<string>(filter.only) : undefined;
  const skip = new Set<string>(filter?.skip ?? []);
  const out: CellPlan[] = [];
  for (const c of cells) {
    if (c.kind !== 'model') {
      if (only === undefined) out.push(c);
      continue;
    }
    const name = c.runtime.name as string;
    if (skip.has(name) || (only !== undefined && !only.has(name))) continue;
    out.push(only === undefined ? c : { ...c, runtime: { ...c.runtime, optional: false } });
  }
  return out;
}

export const shownPath = (path: string) => relative(process.cwd(), path) || path;
