import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BertTokenizer, Vocabulary } from '../src/index.ts';
import { REFERENCE_ENV, ReferenceClient } from '../src/reference-client.ts';
import { hardText, wholeWords } from './arbitraries.ts';
import { FIXTURE_VOCAB } from './paths.ts';

/**
 * Our google-bert profile against the live reference tokenizer, on generated text. Runs when
 * BERT_PARITY_REFERENCE holds the command of a reference server (tools/golden/bert_golden.py --serve, see
 * tools/golden/README.md); BERT_PARITY_REFERENCE_VOCAB names the vocabulary that server was started with
 * (default golden/vocab/fixture-uncased.txt). BERT_PARITY_REFERENCE_RUNS sets the number of cases (default 300).
 * Every counterexample it finds becomes a named golden case: pnpm golden:add --corpus regress "text".
 */
const client = ReferenceClient.fromEnv();
const vocabPath = process.env.BERT_PARITY_REFERENCE_VOCAB ?? FIXTURE_VOCAB;
const runs = Number(process.env.BERT_PARITY_REFERENCE_RUNS ?? 300);
const why = `${REFERENCE_ENV} is not set: no live reference to compare with (see tools/golden/README.md)`;

describe.skipIf(client === null)(`live reference${client === null ? ` (skipped: ${why})` : ''}`, () => {
  const vocab = Vocabulary.fromFile(vocabPath);
  const words = wholeWords([...vocab.entries()].map(([t]) => t));
  afterAll(async () => {
    await client?.close();
  });

  for (const lower of [true, false]) {
    it(`google-bert equals the reference on generated text (lower=${lower})`, async () => {
      const ours = new BertTokenizer(vocab, { lowercase: lower });
      await fc.assert(
        fc.asyncProperty(hardText({ words, wordLimit: 200 }), async (text) => {
          const ref = await (client as ReferenceClient).tokenize(text, lower);
          expect({
            basic: ours.basicTokenize(text),
            tokens: ours.tokenize(text),
            ids: ours.tokenizeToIds(text),
          }).toEqual({
            basic: ref.basicTokens,
            tokens: ref.tokens,
            ids: ref.ids,
          });
        }),
        { numRuns: runs },
      );
    });
  }
});
