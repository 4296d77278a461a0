import fc from 'fast-check';
import { getUnicodeTables, UNICODE_VERSIONS } from '../src/index.ts';

/**
 * Generators for differential tests between BERT tokenizers, biased toward the character classes where
 * implementations disagree. Every class is a list of code point ranges, so a caller can filter code points
 * (`keep`) without touching the shapes of the text: words from a vocabulary, runs of hard characters,
 * Unicode whitespace, emoji sequences and long words around a length limit.
 */
export type Range = readonly [lo: number, hi: number];
export type Keep = (cp: number) => boolean;

export const LATIN_ACCENTED: readonly Range[] = [
  [0xc0, 0x24f], // Latin-1 Supplement and Latin Extended-A/B: precomposed accents
  [0x1e00, 0x1eff], // Latin Extended Additional
];
export const COMBINING_MARKS: readonly Range[] = [
  [0x300, 0x36f], // Mn
  [0x483, 0x489], // Mn, and Me at U+0488..U+0489
  [0x591, 0x5bd], // Hebrew points, Mn
  [0x900, 0x903], // Devanagari: Mn and Mc
  [0x93e, 0x94f], // Devanagari vowel signs: Mc and Mn
  [0x1ab0, 0x1aff], // Combining Diacritical Marks Extended: partly assigned after Unicode 13
  [0x20d0, 0x20f0], // combining marks for symbols: Mn and Me
  [0xfe20, 0xfe2f], // combining half marks
];
export const CJK: readonly Range[] = [
  [0x4e00, 0x9fff],
  [0x3400, 0x4dbf],
  [0xf900, 0xfaff], // compatibility ideographs (NFD maps most of them)
  [0x3040, 0x30ff], // kana: not CJK for BERT
  [0xac00, 0xd7a3], // Hangul syllables: not CJK for BERT, decomposed by NFD
];
export const CJK_SUPPLEMENTARY: readonly Range[] = [
  [0x20000, 0x2a6df], // Extension B
  [0x2a700, 0x2b73f], // Extension C
  [0x2b740, 0x2b81f], // Extension D
  [0x2b820, 0x2ceaf], // Extension E
  [0x2ceb0, 0x2ebef], // Extension F: outside BERT's ranges
  [0x2f800, 0x2fa1f], // Compatibility Ideographs Supplement
  [0x30000, 0x323af], // Extensions G and H: outside BERT's ranges, assigned in 13.0 and 15.0
];
export const CONTROLS: readonly Range[] = [
  [0x0, 0x1f], // C0, including \t \n \r and the separators U+001C..U+001F
  [0x7f, 0x9f], // DEL and C1, including U+0085
];
export const FORMAT: readonly Range[] = [
  [0xad, 0xad],
  [0x600, 0x605],
  [0x61c, 0x61c],
  [0x180e, 0x180e], // Mongolian vowel separator: Cf since 6.3, no longer White_Space
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f], // includes unassigned U+2065
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffb],
  [0x1d173, 0x1d17a],
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f], // tags
];
export const PRIVATE_USE_AND_UNASSIGNED: readonly Range[] = [
  [0xe000, 0xe00f],
  [0xf8f0, 0xf8ff],
  [0xf0000, 0xf000f],
  [0x10fff0, 0x10fffd],
  [0x378, 0x379], // unassigned in every version
  [0xfdd0, 0xfdd3], // noncharacters
  [0xfffe, 0xffff],
  [0x50000, 0x50003], // unassigned plane 5
];
/** Everything White_Space or Python-space, plus the characters they are confused with. */
export const WHITESPACE: readonly Range[] = [
  [0x9, 0xd],
  [0x1c, 0x20],
  [0x85, 0x85],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];
/** Punctuation (P*) next to symbols (S*) that look like punctuation; ASCII symbols count as punctuation in BERT. */
export const PUNCTUATION_AND_SYMBOLS: readonly Range[] = [
  [0x21, 0x2f],
  [0x3a, 0x40],
  [0x5b, 0x60],
  [0x7b, 0x7e],
  [0xa1, 0xbf], // ¡ § « ¶ · » ¿ (P*) among ¢ © ® ° ± (S*)
  [0x37e, 0x37e],
  [0x387, 0x387],
  [0x55a, 0x55f],
  [0x589, 0x58a],
  [0x2010, 0x2027],
  [0x2030, 0x205e],
  [0x20a0, 0x20c0], // currency signs, Sc; U+20C0 assigned in 14.0
  [0x2190, 0x21ff], // arrows, Sm/So
  [0x2e00, 0x2e5d], // Supplemental Punctuation, partly assigned after 13.0
  [0x3001, 0x3003],
  [0x3008, 0x3011],
  [0xff01, 0xff0f],
  [0xffe0, 0xffee],
  [0x1f3fb, 0x1f3ff], // skin tone modifiers: Sk
];
export const CASE_SPECIALS = ['Σ', 'σ', 'ς', 'Ά', 'ΐ', '\u0345', 'İ', 'ı', 'ẞ', 'ß', 'K', 'Å', 'ǅ', 'ﬁ', 'Ꭰ', 'ꭰ'];
export const EMOJI_SEQUENCES = [
  '\u{1F600}',
  '\u{1F44D}\u{1F3FD}', // skin tone
  '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}', // ZWJ family
  '\u{1F1EB}\u{1F1F7}', // regional indicators
  '\u2764\uFE0F', // variation selector
  '#\uFE0F\u20E3', // keycap
  '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}', // tag sequence
  '\u{1FAE8}', // assigned in 15.0
];

/**
 * General_Category identical in every Unicode version we ship tables for (13.0.0..17.0.0). Peers with
 * older or newer tables agree with a pinned version only on these.
 */
export function categoryStable(): Keep {
  const tables = UNICODE_VERSIONS.map((v) => getUnicodeTables(v).categories);
  const first = tables[0] as Uint8Array;
  return (cp) => tables.every((t) => t[cp] === first[cp]);
}

const all = (s: string, keep: Keep) => {
  for (const ch of s) if (!keep(ch.codePointAt(0) as number)) return false;
  return true;
};

/** One code point from the ranges that `keep` accepts. */
export function charIn(ranges: readonly Range[], keep: Keep = () => true): fc.Arbitrary<string> {
  const allowed = ranges.filter(([lo, hi]) => {
    for (let cp = lo; cp <= hi; cp++) if (keep(cp)) return true;
    return false;
  });
  if (allowed.length === 0) throw new Error('charIn: the filter rejects every code point of these ranges');
  return fc
    .oneof(...allowed.map(([lo, hi]) => fc.integer({ min: lo, max: hi })))
    .filter(keep)
    .map((cp) => String.fromCodePoint(cp));
}

export interface HardTextOptions {
  /** Real words (e.g. a vocabulary's whole-word tokens), so WordPiece has something to split. */
  words: readonly string[];
  keep?: Keep;
  /** Pieces per text (words, runs of hard characters, spaces, emoji, long words). */
  maxPieces?: number;
  /** Long words are generated with lengths around this many code points. */
  wordLimit?: number;
}

/** A hard character: one of the classes above, weighted toward the ones tokenizers disagree on. */
export function hardChar(keep: Keep = () => true): fc.Arbitrary<string> {
  const emoji = EMOJI_SEQUENCES.filter((s) => all(s, keep));
  const cased = CASE_SPECIALS.filter((s) => all(s, keep));
  const classes: [readonly Range[], number][] = [
    [LATIN_ACCENTED, 3],
    [COMBINING_MARKS, 3],
    [CJK, 2],
    [CJK_SUPPLEMENTARY, 2],
    [CONTROLS, 2],
    [FORMAT, 2],
    [PRIVATE_USE_AND_UNASSIGNED, 1],
    [WHITESPACE, 2],
    [PUNCTUATION_AND_SYMBOLS, 3],
  ];
  const accepts = (ranges: readonly Range[]) =>
    ranges.some(([lo, hi]) => {
      for (let cp = lo; cp <= hi; cp++) if (keep(cp)) return true;
      return false;
    });
  // A class the filter empties is left out, so callers can exclude whole classes (e.g. controls).
  return fc.oneof(
    ...classes
      .filter(([ranges]) => accepts(ranges))
      .map(([ranges, weight]) => ({ arbitrary: charIn(ranges, keep), weight })),
    { arbitrary: fc.constantFrom(...(emoji.length > 0 ? emoji : ['\u{1F600}'])), weight: 1 },
    { arbitrary: fc.constantFrom(...(cased.length > 0 ? cased : ['σ'])), weight: 1 },
  );
}

/** A word of `around`±5 code points: vocabulary words glued together, sometimes with an accent or an ideograph. */
export function longWord(words: readonly string[], around: number, keep: Keep = () => true): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.integer({ min: around - 5, max: around + 5 }),
      fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 40 }),
      fc.option(fc.oneof(charIn(LATIN_ACCENTED, keep), charIn(COMBINING_MARKS, keep), charIn(CJK, keep))),
    )
    .map(([n, parts, extra]) => {
      let s = parts.join('');
      while (Array.from(s).length < n) s += s;
      const cps = Array.from(s).slice(0, n);
      if (extra !== null) cps[Math.floor(cps.length / 2)] = extra;
      return cps.join('');
    });
}

/** Mixed text: words, hard characters glued to words or standing alone, whitespace, emoji, long words. */
export function hardText(options: HardTextOptions): fc.Arbitrary<string> {
  const keep = options.keep ?? (() => true);
  const word = fc
    .constantFrom(...options.words)
    .chain((w) => fc.constantFrom(w, w.toUpperCase(), w.charAt(0).toUpperCase() + w.slice(1)));
  const hard = hardChar(keep);
  const space = fc.oneof(
    { arbitrary: fc.constant(' '), weight: 4 },
    { arbitrary: charIn(WHITESPACE, keep), weight: 1 },
  );
  const piece = fc.oneof(
    { arbitrary: word, weight: 5 },
    { arbitrary: fc.array(hard, { minLength: 1, maxLength: 4 }).map((cs) => cs.join('')), weight: 4 },
    { arbitrary: fc.tuple(word, hard, word).map(([a, h, b]) => a + h + b), weight: 2 },
    { arbitrary: longWord(options.words, options.wordLimit ?? 100, keep), weight: 1 },
  );
  return fc
    .array(fc.tuple(piece, space), { maxLength: options.maxPieces ?? 12 })
    .map((parts) => parts.map(([p, s]) => p + s).join(''))
    .filter((s) => all(s, keep));
}

/** Whole-word tokens of a vocabulary (no "##", no [SPECIAL]), the word list `hardText` wants. */
export function wholeWords(tokens: Iterable<string>, limit = 5000): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (out.length >= limit) break;
    if (!t.startsWith('##') && !t.startsWith('[') && /^\p{L}{2,}$/u.test(t)) out.push(t);
  }
  return out;
}
