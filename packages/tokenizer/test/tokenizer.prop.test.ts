import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BertTokenizer, CJK_RANGES, getUnicodeTables, Vocabulary } from '../src/index.ts';
import {
  categoryStable,
  hardChar as hardCharOf,
  hardText as hardTextOf,
  longWord as longWordOf,
  wholeWords,
} from './arbitraries.ts';
import { FIXTURE_VOCAB } from './paths.ts';

// Properties replay from the seed and path fast-check prints on failure: FC_SEED=… FC_PATH=… pnpm test.
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const path = process.env.FC_PATH;
const params = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns,
  ...(seed === undefined ? {} : { seed }),
  ...(path === undefined ? {} : { path }),
});

const vocab = Vocabulary.fromFile(FIXTURE_VOCAB);
const lower = new BertTokenizer(vocab);
const cased = new BertTokenizer(vocab, { lowercase: false });
const tables14 = getUnicodeTables('14.0.0');
const words = wholeWords([...vocab.entries()].map(([token]) => token));
const hardChar = hardCharOf();
/** Mixed text of about `pieces` words and hard-character runs. */
const hardText = (pieces: number) => hardTextOf({ words, maxPieces: Math.ceil(pieces / 5), wordLimit: 200 });
const longWord = (around: number) => longWordOf(words, around);

/** WordpieceTokenizer.tokenize written out literally, without our shortcuts (length bound, cache, surrogate skip). */
function literalWordPiece(token: string, max: number): string[] {
  const chars = Array.from(token);
  if (chars.length > max) return ['[UNK]'];
  const out: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let cur: string | null = null;
    while (start < end) {
      let sub = chars.slice(start, end).join('');
      if (start > 0) sub = `##${sub}`;
      if (vocab.has(sub)) {
        cur = sub;
        break;
      }
      end -= 1;
    }
    if (cur === null) return ['[UNK]'];
    out.push(cur);
    start = end;
  }
  return out;
}

const isCjk = (cp: number) => CJK_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi);
/** Every separator of the basic tokenizer: Python whitespace that clean_text does not drop as a control. */
const SEPARATORS = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2003',
  '\u2009',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
];
const wordOf = fc
  .array(
    hardChar.filter((c) => !SEPARATORS.includes(c) && !/\s/u.test(c)),
    { minLength: 1, maxLength: 8 },
  )
  .map((a) => a.join(''));
const assignedIn14 = (s: string) => Array.from(s).every((c) => tables14.isAssigned(c.codePointAt(0) as number));

describe('tokenizer invariants (fast-check)', () => {
  it('ids are in range and name their own tokens', () => {
    fc.assert(
      fc.property(hardText(60), (text) => {
        // Arrange/Act
        const { tokens, ids } = lower.tokenizeWithOffsets(text);
        // Assert
        expect(ids.length).toBe(tokens.length);
        ids.forEach((id, i) => {
          expect(id).toBeGreaterThanOrEqual(0);
          expect(id).toBeLessThan(vocab.idLimit);
          expect(vocab.token(id)).toBe(tokens[i]);
        });
      }),
      params(400),
    );
  });

  it('WordPiece equals the literal reference loop on every basic token ([UNK] only where no split exists)', () => {
    fc.assert(
      fc.property(fc.oneof(hardText(60), longWord(200), longWord(100)), (text) => {
        const expected = lower.basicTokenize(text).flatMap((b) => literalWordPiece(b, 200));
        expect(lower.tokenize(text)).toEqual(expected);
      }),
      params(400),
    );
  });

  it("a word's pieces without ## spell the normalized word", () => {
    fc.assert(
      fc.property(hardText(60), (text) => {
        for (const word of lower.basicTokenize(text)) {
          const pieces = lower.tokenize(word);
          if (pieces.length === 1 && pieces[0] === '[UNK]') continue;
          expect(pieces.map((p, i) => (i > 0 ? p.replace(/^##/, '') : p)).join('')).toBe(word);
        }
      }),
      params(300),
    );
  });

  it('every CJK ideograph of the reference ranges is a basic token of its own', () => {
    fc.assert(
      fc.property(hardText(60), (text) => {
        const cjkIn = Array.from(text).filter((c) => isCjk(c.codePointAt(0) as number));
        const cjkOut = cased
          .basicTokenize(text)
          .filter((t) => Array.from(t).some((c) => isCjk(c.codePointAt(0) as number)));
        expect(cjkOut).toEqual(cjkIn);
      }),
      params(400),
    );
  });

  it('composed and decomposed input give the same ids when accents are stripped', () => {
    fc.assert(
      // Characters assigned after the pinned version are left out: the engine (Unicode 17) would decompose them.
      fc.property(hardText(40).filter(assignedIn14), (text) => {
        expect(lower.tokenizeToIds(text.normalize('NFD'))).toEqual(lower.tokenizeToIds(text.normalize('NFC')));
      }),
      params(400),
    );
  });

  it('whitespace variants between words do not change ids', () => {
    const separator = fc.array(fc.constantFrom(...SEPARATORS), { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(fc.tuple(wordOf, separator), { maxLength: 10 }), (parts) => {
        const plain = parts.map(([w]) => w).join(' ');
        const varied = parts.map(([w, s]) => s + w + s).join('');
        expect(lower.tokenizeToIds(varied)).toEqual(lower.tokenizeToIds(plain));
        expect(cased.tokenizeToIds(varied)).toEqual(cased.tokenizeToIds(plain));
      }),
      params(300),
    );
  });

  it('offsets lie inside the text, are non-empty and never go backwards', () => {
    fc.assert(
      fc.property(hardText(60), (text) => {
        const { offsets } = lower.tokenizeWithOffsets(text);
        let last = 0;
        for (const [a, b] of offsets) {
          expect(a).toBeGreaterThanOrEqual(last);
          expect(b).toBeGreaterThan(a);
          expect(b).toBeLessThanOrEqual(text.length);
          last = a;
        }
      }),
      params(300),
    );
  });

  it('encodings have exactly max_seq_length entries, a valid mask and segment ids', () => {
    fc.assert(
      fc.property(
        hardText(80),
        fc.option(hardText(80), { nil: null }),
        fc.integer({ min: 3, max: 64 }),
        (a, b, max) => {
          const e = lower.encode(a, b, { maxSeqLength: max });
          for (const column of [e.ids, e.tokens, e.typeIds, e.attentionMask, e.offsets])
            expect(column.length).toBe(max);
          const real = e.attentionMask.filter((m) => m === 1).length;
          expect(e.attentionMask).toEqual([...Array(real).fill(1), ...Array(max - real).fill(0)]);
          expect(e.ids[0]).toBe(vocab.id('[CLS]'));
          expect(e.ids[real - 1]).toBe(vocab.id('[SEP]'));
          expect(e.ids.slice(real).every((id) => id === 0)).toBe(true);
          const firstB = e.typeIds.indexOf(1);
          if (firstB >= 0) {
            expect(e.typeIds).toEqual([
              ...Array(firstB).fill(0),
              ...Array(real - firstB).fill(1),
              ...Array(max - real).fill(0),
            ]);
          }
        },
      ),
      params(300),
    );
  });

  it('tokenizeToIds, tokenize and tokenizeWithOffsets agree', () => {
    fc.assert(
      fc.property(hardText(60), (text) => {
        const detailed = lower.tokenizeWithOffsets(text);
        expect(lower.tokenize(text)).toEqual(detailed.tokens);
        expect(lower.tokenizeToIds(text)).toEqual(detailed.ids);
      }),
      params(200),
    );
  });

  it('long words (cut into pieces at safe punctuation) equal a plain lower → NFD → strip Mn → split', () => {
    // Oracle from the engine's own Unicode functions, on characters whose category is the same in every
    // version (so the engine's Unicode 17 agrees with the pinned 14.0), without whitespace or controls.
    const stable = categoryStable();
    const plain = (word: string) =>
      word
        .toLowerCase()
        .normalize('NFD')
        .replace(/\p{Mn}/gu, '')
        .split(/([\p{P}!-/:-@[-`{-~])/u)
        .filter((t) => t !== '');
    const wordChar = hardCharOf(
      (cp) =>
        stable(cp) &&
        !/[\p{White_Space}\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}]/u.test(String.fromCodePoint(cp)) &&
        cp !== 0x2028 &&
        cp !== 0x2029 &&
        !(cp >= 0x1c && cp <= 0x1f) &&
        !isCjk(cp),
    );
    const piece = fc.oneof(wordChar, fc.constantFrom(...words), fc.constantFrom(',', '-', '(', '.', "'", ':', 'Σ'));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 60, maxLength: 200 }), (parts) => {
        const word = parts.join('');
        expect(lower.basicTokenize(word)).toEqual(plain(word));
      }),
      params(200),
    );
  });

  it('safe cut points are punctuation that lowercasing, NFD and Final_Sigma cannot see', () => {
    for (const ch of '!"#$%&()*+,-/;?@[\\]_{|}~') {
      const cp = ch.codePointAt(0) as number;
      expect([ch, tables14.isCased(cp), tables14.isCaseIgnorable(cp), tables14.lower(cp)]).toEqual([
        ch,
        false,
        false,
        undefined,
      ]);
      expect(ch.normalize('NFD')).toBe(ch);
    }
  });
});
