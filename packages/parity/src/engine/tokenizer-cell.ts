import { basename, relative } from 'node:path';
import { runVerify } from '../commands/tokenizer.ts';
import type { TokenizerCell } from '../report/types.ts';
import { errorOf } from './model-cell.ts';

export interface TokenizerCellPlan {
  kind: 'tokenizer';
  id: string;
  impl: 'ours' | 'hf-tokenizers' | 'transformers.js';
  golden: string;
}

export const tokenizerCellId = (impl: string, golden: string) =>
  `tokenizer:${impl}/${basename(golden).replace(/\.jsonl$/, '')}`;

/** One implementation on one golden file, with the same logic as `bert-parity tokenizer verify`. */
export async function runTokenizerCell(plan: TokenizerCellPlan): Promise<TokenizerCell> {
  const start = performance.now();
  const cell: TokenizerCell = {
    kind: 'tokenizer',
    id: plan.id,
    impl: plan.impl,
    // Relative to the working directory, so reports read the same on every machine.
    golden: relative(process.cwd(), plan.golden) || plan.golden,
    status: 'error',
    cases: 0,
    agree: 0,
    mismatches: [],
    wallMs: 0,
  };
  try {
    const { reports } = await runVerify({ golden: [plan.golden], impl: plan.impl });
    const r = reports[0];
    if (r !== undefined) {
      cell.cases = r.cases;
      cell.agree = r.agree;
      cell.mismatches = r.mismatches.slice(0, 20).map((m) => ({ id: m.id, field: m.field, firstDiff: m.firstDiff }));
      cell.status = r.agree === r.cases ? 'pass' : 'fail';
    }
  } catch (e) {
    cell.error = errorOf(e);
  }
  cell.wallMs = performance.now() - start;
  return cell;
}
