import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const GOLDEN = resolve(REPO, 'golden');
export const FIXTURE_VOCAB = resolve(GOLDEN, 'vocab/fixture-uncased.txt');
/** Third-party goldens and vocabularies beside the repository; never committed, absent on a bare clone. */
export const SEED = resolve(REPO, '../shared/golden-seed');
export const HAVE_SEED = existsSync(resolve(SEED, 'tokenizer'));
export const SEED_MISSING = `../shared/golden-seed is absent (expected at ${SEED}): the public-vocabulary goldens are not checked`;
