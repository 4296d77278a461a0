import { existsSync } from 'node:fs';
import { readGoldenFile } from '@bert-parity/tokenizer';
import { describe, expect, it } from 'vitest';
import { createHfTokenizersImpl, createTransformersJsImpl, verifyGoldenWithPeer } from '../src/index.ts';
import { idsAgreement, SHARED_SEED } from './paths.ts';

/**
 * The public BERT vocabularies are third-party files: they are read from <repo>/../shared/golden-seed and
 * never committed. Without that directory these tests are skipped (the skip reason is in their names).
 * Counts are measured; the causes are the ones fixture-golden.test.ts shows case by case (private-use
 * characters dropped, 100-character words, CJK ranges, Final_Sigma, truncation), in the same proportions.
 */
const expected = [
  // golden, lowercase, [agree of 3,396, ids agree of 3,096] per peer
  { golden: 'bert-base-uncased.lower', hf: [2813, 2630], tjs: [2630, 2519] },
  { golden: 'bert-base-cased.cased', hf: [2822, 2656], tjs: [2632, 2538] },
  { golden: 'bert-base-chinese.lower', hf: [2804, 2632], tjs: [2617, 2522] },
  { golden: 'bert-base-chinese.cased', hf: [2823, 2694], tjs: [2636, 2570] },
] as const;

const peers = [
  { key: 'hf', create: createHfTokenizersImpl },
  { key: 'tjs', create: createTransformersJsImpl },
] as const;

describe('peers on the public vocabularies (../shared/golden-seed)', () => {
  for (const { golden: name, ...counts } of expected) {
    const goldenPath = `${SHARED_SEED}tokenizer/${name}.dev.jsonl`;
    const present = existsSync(goldenPath);
    const skipNote = present ? '' : ` [skipped: ${goldenPath} not found; public vocabularies are read from ../shared]`;
    for (const { key, create } of peers) {
      const [agree, idsAgree] = counts[key];
      it.skipIf(!present)(`${key} on ${name}: ${agree}/3396 agree, ids ${idsAgree}/3096${skipNote}`, async () => {
        const golden = readGoldenFile(goldenPath);
        const vocabPath = `${SHARED_SEED}vocab/${golden.meta.vocab}.txt`;
        const impl = await create(vocabPath, { lowercase: golden.meta.do_lower_case });
        const report = await verifyGoldenWithPeer(impl, golden);
        expect(report.cases).toBe(3396);
        expect(report.agree).toBe(agree);
        expect(idsAgreement(impl, golden)).toEqual({ cases: 3096, agree: idsAgree });
      });
    }
  }
});
