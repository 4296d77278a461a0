import fc from 'fast-check';

/**
 * Text generators biased toward the characters where BERT tokenizers disagree: CJK (BMP and
 * supplementary planes, inside and outside the reference's ranges), combining marks, controls and format
 * characters, Unicode whitespace, punctuation vs symbols, emoji sequences, and long words around the
 * 100/200-character limits.
 */
const fromRanges = (ranges: readonly [number, number][]) =>
  fc.oneof(...ranges.map(([lo, hi]) => fc.integer({ min: lo, max: hi }))).map((cp) => String.fromCodePoint(cp));

export const asciiLetter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
export const latinAccented = fromRanges([
  [0xc0, 0x24f], // Latin-1 and Latin Extended-A/B: composed accents
  [0x1e00, 0x1eff], // Latin Extended Additional
]);
export const combiningMark = fromRanges([
  [0x300, 0x36f], // Mn
  [0x483, 0x489], // Mn and Me (Cyrillic)
  [0x93e, 0x94c], // Mc and Mn (Devanagari vowel signs)
  [0x1ab0, 0x1ace], // Mn, some assigned after Unicode 13/14
  [0x20d0, 0x20f0], // Mn and Me (symbols)
]);
export const cjk = fromRanges([
  [0x4e00, 0x9fff],
  [0x3400, 0x4dbf],
  [0xf900, 0xfaff], // compatibility ideographs: NFD changes them
  [0x20000, 0x2a6df],
  [0x2b740, 0x2b81f], // ends in unassigned code points
  [0x2f800, 0x2fa1f],
  [0x30000, 0x3134f], // Extension G: not in the reference's ranges
  [0x3040, 0x30ff], // kana: not CJK for BERT
  [0xac00, 0xd7a3], // Hangul: not CJK for BERT
]);
export const control = fromRanges([
  [0x0, 0x8],
  [0xb, 0xc],
  [0xe, 0x1f],
  [0x7f, 0x9f],
  [0xad, 0xad], // soft hyphen, Cf
  [0x200b, 0x200f], // zero width, Cf
  [0x2060, 0x2064],
  [0xfeff, 0xfeff],
  [0xfffd, 0xfffd],
  [0xe000, 0xe010], // private use, Co
  [0x378, 0x379], // unassigned
]);
export const whitespace = fc.constantFrom(
  ' ',
  '\t',
  '\n',
  '\r',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2005',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\u0085',
  '\u000b',
  '\u000c',
  '\u001c',
);
export const punctuationOrSymbol = fc.constantFrom(
  ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  '\u00a1',
  '\u00a7',
  '\u00ab',
  '\u00b6',
  '\u00b7',
  '\u00bf',
  '\u2010',
  '\u2014',
  '\u2018',
  '\u201c',
  '\u2026',
  '\u3001',
  '\u3002',
  '\uff01',
  '\uff0c',
  '\u00a2',
  '\u00a9',
  '\u00ae',
  '\u00b0',
  '\u00b1',
  '\u00d7',
  '\u20ac',
  '\u2122',
  '\u2190',
  '\u221e',
  '\u1fef',
  '\u1fed',
  '\u037e',
  '\u0387',
);
export const emoji = fc.constantFrom(
  '\u{1F600}',
  '\u{1F44D}\u{1F3FD}',
  '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}',
  '\u{1F1EB}\u{1F1F7}',
  '\u2764\ufe0f',
  '#\ufe0f\u20e3',
  '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}',
);
export const greekCased = fc.constantFrom('Σ', 'σ', 'ς', 'Α', 'Ω', 'ά', 'ΐ', '\u0345', "'", '.', 'İ', 'ẞ', 'K', 'Å');
export const anyCodePoint = fc
  .integer({ min: 0, max: 0x10ffff })
  .filter((cp) => cp < 0xd800 || cp > 0xdfff)
  .map((cp) => String.fromCodePoint(cp));

export const hardChar = fc.oneof(
  { arbitrary: asciiLetter, weight: 8 },
  { arbitrary: latinAccented, weight: 3 },
  { arbitrary: combiningMark, weight: 2 },
  { arbitrary: cjk, weight: 2 },
  { arbitrary: control, weight: 1 },
  { arbitrary: whitespace, weight: 3 },
  { arbitrary: punctuationOrSymbol, weight: 3 },
  { arbitrary: emoji, weight: 1 },
  { arbitrary: greekCased, weight: 1 },
  { arbitrary: anyCodePoint, weight: 1 },
);

/** Mixed text of up to maxLength characters drawn from the hard classes. */
export const hardText = (maxLength = 40) => fc.array(hardChar, { maxLength }).map((parts) => parts.join(''));

/** One long word near a length limit (in code points), made of letters, marks and astral characters. */
export const longWord = (around: number) =>
  fc
    .tuple(
      fc.integer({ min: around - 3, max: around + 3 }),
      fc.constantFrom('a', 'é', 'e\u0301', '\u{1D400}', '\u4e00'),
    )
    .map(([n, unit]) => unit.repeat(n));
