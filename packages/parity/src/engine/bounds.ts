import type { ModelPrecision } from '@bert-parity/core';
import type { ParityConfig } from '../config/schema.ts';
import type { OutputBound } from '../report/types.ts';

type LooseBound = { [K in keyof OutputBound]?: number | undefined };
type Bounds = Readonly<Record<string, LooseBound>> | undefined;

const pick = (b: Bounds, output: string): LooseBound | undefined => b?.[output] ?? b?.['*'];

/**
 * The bound of one output: bounds[precision][output] (or its "*"), with the variant's own bounds for
 * that output (or "*") laid over it field by field. undefined when nothing is declared.
 */
export function boundFor(
  config: ParityConfig,
  precision: ModelPrecision,
  output: string,
  variantBounds: Bounds,
): OutputBound | undefined {
  const base = pick(config.bounds[precision], output);
  const own = pick(variantBounds, output);
  if (base === undefined && own === undefined) return undefined;
  const merged: Record<string, number> = {};
  for (const [k, v] of Object.entries({ ...base, ...own })) if (v !== undefined) merged[k] = v;
  return merged as OutputBound;
}
