import { fileURLToPath } from 'node:url';
import type { GoldenFile, TokenizerImpl } from '@bert-parity/tokenizer';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The public vocabularies and their goldens: read in place, never copied into the repo. */
export const SHARED_SEED = fileURLToPath(new URL('../shared/golden-seed/', `file://${REPO_ROOT}`));
export const FIXTURE_GOLDEN = `${REPO_ROOT}golden/tokenizer/fixture-uncased.lower.dev.jsonl`;
export const FIXTURE_VOCAB = `${REPO_ROOT}golden/vocab/fixture-uncased.txt`;

/**
 * tokenize cases whose ids equal the reference, ignoring basic tokens: the measure the golden-seed README
 * quotes for existing ports. `verifyGolden` is stricter (basic tokens, tokens, ids, and encode cases).
 */
export function idsAgreement(impl: TokenizerImpl, golden: GoldenFile): { cases: number; agree: number } {
  let cases = 0;
  let agree = 0;
  for (const c of golden.cases) {
    if (c.type !== 'tokenize') continue;
    cases++;
    const ids = impl.tokenize(c.text).ids;
    if (ids.length === c.ids.length && ids.every((id, i) => id === c.ids[i])) agree++;
  }
  return { cases, agree };
}
