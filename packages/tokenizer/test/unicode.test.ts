import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isParityError, ParityError } from '@bert-parity/core';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, generateModule } from '../../../tools/unicode/generate.ts';
import {
  DEFAULT_UNICODE_VERSION,
  GENERAL_CATEGORIES,
  type GeneralCategory,
  getUnicodeTables,
  UNICODE_VERSIONS,
  type UnicodeVersion,
} from '../src/unicode/index.ts';

const CODE_POINTS = 0x110000;
const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
const cps = (s: string) => [...s].map((c) => hex(c.codePointAt(0) ?? -1)).join(' ');

/** Versions at or after `from` in UNICODE_VERSIONS order. */
const since = (from: UnicodeVersion) => UNICODE_VERSIONS.slice(UNICODE_VERSIONS.indexOf(from));
const before = (to: UnicodeVersion) => UNICODE_VERSIONS.slice(0, UNICODE_VERSIONS.indexOf(to));

describe('getUnicodeTables', () => {
  it('defaults to the reference Python version (3.11 → Unicode 14.0.0) and caches', () => {
    const tables = getUnicodeTables();
    expect(DEFAULT_UNICODE_VERSION).toBe('14.0.0');
    expect(tables.version).toBe('14.0.0');
    expect(getUnicodeTables('14.0.0')).toBe(tables);
    expect(tables.categories).toBeInstanceOf(Uint8Array);
    expect(tables.categories.length).toBe(CODE_POINTS);
  });

  it('rejects versions it has no tables for with E_UNICODE_VERSION, naming the supported ones', () => {
    for (const bad of ['12.1.0', '14.0', '']) {
      let caught: unknown;
      try {
        getUnicodeTables(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ParityError);
      expect(isParityError(caught, 'E_UNICODE_VERSION')).toBe(true);
      const message = (caught as ParityError).message;
      expect(message).toContain(JSON.stringify(bad));
      for (const supported of UNICODE_VERSIONS) expect(message).toContain(supported);
    }
  });

  it('treats code points outside 0..10FFFF as unassigned without mappings', () => {
    const t = getUnicodeTables();
    for (const cp of [-1, CODE_POINTS, 1.5]) {
      expect(t.category(cp)).toBe('Cn');
      expect(t.isAssigned(cp)).toBe(false);
      expect(t.isPythonSpace(cp)).toBe(false);
      expect(t.lower(cp)).toBeUndefined();
    }
  });
});

describe.each(UNICODE_VERSIONS)('Unicode %s', (version) => {
  const t = getUnicodeTables(version);

  it('categories[cp] is the GENERAL_CATEGORIES index of category(cp)', () => {
    for (const cp of [0x41, 0x4e00, 0xd800, 0xe000, 0x1f600, 0x10ffff]) {
      expect(GENERAL_CATEGORIES[t.categories[cp] ?? -1]).toBe(t.category(cp));
    }
  });

  it.each<[string, GeneralCategory, number]>([
    ['U+0000 NULL', 'Cc', 0x0000],
    ['U+007F DELETE', 'Cc', 0x007f],
    ['U+0085 NEXT LINE', 'Cc', 0x0085],
    ['! EXCLAMATION MARK', 'Po', 0x21],
    ['" QUOTATION MARK', 'Po', 0x22],
    ['$ DOLLAR SIGN', 'Sc', 0x24],
    ["' APOSTROPHE", 'Po', 0x27],
    ['( LEFT PARENTHESIS', 'Ps', 0x28],
    [') RIGHT PARENTHESIS', 'Pe', 0x29],
    ['+ PLUS SIGN', 'Sm', 0x2b],
    ['- HYPHEN-MINUS', 'Pd', 0x2d],
    ['0 DIGIT ZERO', 'Nd', 0x30],
    ['< LESS-THAN SIGN', 'Sm', 0x3c],
    ['^ CIRCUMFLEX ACCENT', 'Sk', 0x5e],
    ['_ LOW LINE', 'Pc', 0x5f],
    ['` GRAVE ACCENT', 'Sk', 0x60],
    ['| VERTICAL LINE', 'Sm', 0x7c],
    ['~ TILDE', 'Sm', 0x7e],
    ['U+00A0 NO-BREAK SPACE', 'Zs', 0x00a0],
    ['U+00AD SOFT HYPHEN', 'Cf', 0x00ad],
    ['U+01C5 LATIN CAPITAL LETTER D WITH SMALL LETTER Z WITH CARON', 'Lt', 0x01c5],
    ['U+0345 COMBINING GREEK YPOGEGRAMMENI', 'Mn', 0x0345],
    ['U+1FEF GREEK VARIA', 'Sk', 0x1fef],
    ['U+200B ZERO WIDTH SPACE', 'Cf', 0x200b],
    ['U+200D ZERO WIDTH JOINER', 'Cf', 0x200d],
    ['U+2028 LINE SEPARATOR', 'Zl', 0x2028],
    ['U+2029 PARAGRAPH SEPARATOR', 'Zp', 0x2029],
    ['U+3000 IDEOGRAPHIC SPACE', 'Zs', 0x3000],
    ['U+3002 IDEOGRAPHIC FULL STOP', 'Po', 0x3002],
    ['U+4E00 CJK UNIFIED IDEOGRAPH-4E00', 'Lo', 0x4e00],
    ['U+9FA5 CJK UNIFIED IDEOGRAPH-9FA5', 'Lo', 0x9fa5],
    ['U+AC00 HANGUL SYLLABLE GA', 'Lo', 0xac00],
    ['U+D800 first high surrogate', 'Cs', 0xd800],
    ['U+DBFF last high surrogate', 'Cs', 0xdbff],
    ['U+DC00 first low surrogate', 'Cs', 0xdc00],
    ['U+DFFF last low surrogate', 'Cs', 0xdfff],
    ['U+E000 first private use', 'Co', 0xe000],
    ['U+F8FF last BMP private use', 'Co', 0xf8ff],
    ['U+FDD0 noncharacter', 'Cn', 0xfdd0],
    ['U+FE0F VARIATION SELECTOR-16', 'Mn', 0xfe0f],
    ['U+FEFF ZERO WIDTH NO-BREAK SPACE', 'Cf', 0xfeff],
    ['U+FF01 FULLWIDTH EXCLAMATION MARK', 'Po', 0xff01],
    ['U+FFFE noncharacter', 'Cn', 0xfffe],
    ['U+FFFF noncharacter', 'Cn', 0xffff],
    ['U+1F3FB EMOJI MODIFIER FITZPATRICK TYPE-1-2', 'Sk', 0x1f3fb],
    ['U+1F600 GRINNING FACE', 'So', 0x1f600],
    ['U+1F9D1 ADULT', 'So', 0x1f9d1],
    ['U+20000 CJK UNIFIED IDEOGRAPH-20000', 'Lo', 0x20000],
    ['U+E0001 LANGUAGE TAG', 'Cf', 0xe0001],
    ['U+F0000 first plane-15 private use', 'Co', 0xf0000],
    ['U+10FFFD last private use', 'Co', 0x10fffd],
    ['U+10FFFE noncharacter', 'Cn', 0x10fffe],
    ['U+10FFFF noncharacter', 'Cn', 0x10ffff],
  ])('%s is %s', (_name, expected, cp) => {
    expect(t.category(cp)).toBe(expected);
    expect(t.isAssigned(cp)).toBe(expected !== 'Cn');
  });

  it('Python-space is exactly CPython 3.11\u2019s str.isspace set (Bidi WS/B/S or Zs)', () => {
    const expected = [
      0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
      0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
    ];
    const actual: number[] = [];
    for (let cp = 0; cp < CODE_POINTS; cp++) if (t.isPythonSpace(cp)) actual.push(cp);
    expect(actual.map(hex)).toEqual(expected.map(hex));
    // Named cases: U+001C (a Bidi B control) counts for Python; ZWSP, U+180E (Cf since Unicode 6.3) and BOM do not.
    expect(t.isPythonSpace(0x001c)).toBe(true);
    expect(t.isPythonSpace(0x00a0)).toBe(true);
    expect(t.isPythonSpace(0x2028)).toBe(true);
    for (const cp of [0x200b, 0x180e, 0xfeff]) expect(t.isPythonSpace(cp)).toBe(false);
  });

  it('White_Space is the PropList set (U+0085 in, U+001C and U+200B out)', () => {
    const actual: number[] = [];
    for (let cp = 0; cp < CODE_POINTS; cp++) if (t.isWhiteSpace(cp)) actual.push(cp);
    const expected = [
      0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
      0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
    ];
    expect(actual.map(hex)).toEqual(expected.map(hex));
  });

  it('Cased and Case_Ignorable', () => {
    // [code point, Cased, Case_Ignorable]
    const samples: [number, boolean, boolean][] = [
      [0x41, true, false], // A
      [0x61, true, false], // a
      [0x31, false, false], // 1
      [0x27, false, true], // APOSTROPHE (Word_Break MidNumLet)
      [0x2e, false, true], // FULL STOP (MidNumLet)
      [0x3a, false, true], // COLON (MidLetter)
      [0x5e, false, true], // CIRCUMFLEX ACCENT (Sk)
      [0x00ad, false, true], // SOFT HYPHEN (Cf)
      [0x00b7, false, true], // MIDDLE DOT (MidLetter)
      [0x02b0, true, true], // MODIFIER LETTER SMALL H: Lm and Other_Lowercase
      [0x0345, true, true], // COMBINING GREEK YPOGEGRAMMENI: Mn and Other_Lowercase
      [0x0301, false, true], // COMBINING ACUTE ACCENT
      [0x01c5, true, false], // Dž (Lt)
      [0x2019, false, true], // RIGHT SINGLE QUOTATION MARK (MidNumLet)
      [0x4e00, false, false], // CJK ideograph
      [0x3a3, true, false], // Σ
    ];
    for (const [cp, cased, ignorable] of samples) {
      expect([hex(cp), t.isCased(cp), t.isCaseIgnorable(cp)]).toEqual([hex(cp), cased, ignorable]);
    }
  });

  it('full case mappings: unconditional SpecialCasing first, no context or language rules', () => {
    const lower = (cp: number) => t.lower(cp) ?? String.fromCodePoint(cp);
    const upper = (cp: number) => t.upper(cp) ?? String.fromCodePoint(cp);
    expect(t.lower(0x41)).toBe('a');
    expect(t.lower(0x61)).toBeUndefined();
    expect(t.lower(0x4e00)).toBeUndefined();
    expect(cps(lower(0x0130))).toBe('U+0069 U+0307'); // İ → i̇ (SpecialCasing), not the simple i
    expect(lower(0x0049)).toBe('i'); // no Turkish rule
    expect(lower(0x03a3)).toBe('\u03c3'); // Σ → σ; Final_Sigma is the caller's job
    expect(lower(0x212a)).toBe('k'); // KELVIN SIGN
    expect(lower(0x2126)).toBe('\u03c9'); // OHM SIGN
    expect(lower(0x1e9e)).toBe('\u00df'); // CAPITAL SHARP S → ß
    expect(t.lower(0x00df)).toBeUndefined(); // SpecialCasing's identity entry for ß is not a change
    expect(lower(0x1f88)).toBe('\u1f80'); // titlecase-ish Greek with prosgegrammeni
    expect(lower(0x01c5)).toBe('\u01c6'); // Dž → dž
    expect(upper(0x00df)).toBe('SS');
    expect(cps(upper(0x0149))).toBe('U+02BC U+004E'); // ŉ → ʼN
    expect(cps(upper(0x1f80))).toBe('U+1F08 U+0399');
    expect(cps(upper(0x0390))).toBe('U+0399 U+0308 U+0301');
    expect(upper(0xfb00)).toBe('FF');
    expect(upper(0x0345)).toBe('\u0399');
    expect(upper(0x0069)).toBe('I'); // no Turkish dotted capital
    expect(upper(0x01c5)).toBe('\u01c4');
    expect(t.upper(0x41)).toBeUndefined();
  });
});

describe('differences between versions', () => {
  const categoryIn = (version: UnicodeVersion, cp: number) => getUnicodeTables(version).category(cp);

  it.each<[string, number, UnicodeVersion, GeneralCategory]>([
    ['U+061D ARABIC END OF TEXT MARK', 0x061d, '14.0.0', 'Po'],
    ['U+2C2F GLAGOLITIC CAPITAL LETTER CAUDATE CHRIVI', 0x2c2f, '14.0.0', 'Lu'],
    ['U+1F6DC WIRELESS', 0x1f6dc, '15.0.0', 'So'],
    ['U+0CF3 KANNADA SIGN COMBINING ANUSVARA ABOVE RIGHT', 0x0cf3, '15.0.0', 'Mc'],
    ['U+2FFC IDEOGRAPHIC DESCRIPTION CHARACTER SURROUND FROM RIGHT', 0x2ffc, '15.1.0', 'So'],
    ['U+2EBF0 CJK UNIFIED IDEOGRAPH-2EBF0 (Extension I)', 0x2ebf0, '15.1.0', 'Lo'],
    ['U+1C89 CYRILLIC CAPITAL LETTER TJE', 0x1c89, '16.0.0', 'Lu'],
    ['U+A7CB LATIN CAPITAL LETTER RAMS HORN', 0xa7cb, '16.0.0', 'Lu'],
    ['U+A7CE LATIN CAPITAL LETTER PHARYNGEAL VOICED FRICATIVE', 0xa7ce, '17.0.0', 'Lu'],
  ])('%s is Cn before %s and %s from then on', (_name, cp, added, gc) => {
    for (const v of before(added)) expect([v, categoryIn(v, cp)]).toEqual([v, 'Cn']);
    for (const v of since(added)) expect([v, categoryIn(v, cp)]).toEqual([v, gc]);
  });

  it('tracks recategorised characters', () => {
    expect(categoryIn('13.0.0', 0x1734)).toBe('Mn'); // HANUNOO SIGN PAMUDPOD became Mc in 14.0
    expect(categoryIn('14.0.0', 0x1734)).toBe('Mc');
    expect(categoryIn('15.1.0', 0x1171e)).toBe('Mn'); // AHOM CONSONANT SIGN MEDIAL RA became Mc in 16.0
    expect(categoryIn('16.0.0', 0x1171e)).toBe('Mc');
    expect(categoryIn('16.0.0', 0x0295)).toBe('Ll'); // LATIN LETTER PHARYNGEAL VOICED FRICATIVE became Lo in 17.0
    expect(categoryIn('17.0.0', 0x0295)).toBe('Lo');
  });

  it('tracks new case pairs, including new uppercase of old lowercase letters', () => {
    expect(getUnicodeTables('13.0.0').lower(0x2c2f)).toBeUndefined();
    expect(getUnicodeTables('14.0.0').lower(0x2c2f)).toBe('\u2c5f');
    expect(getUnicodeTables('15.1.0').lower(0x1c89)).toBeUndefined();
    expect(getUnicodeTables('16.0.0').lower(0x1c89)).toBe('\u1c8a');
    // U+0264 LATIN SMALL LETTER RAMS HORN gained the capital U+A7CB in 16.0.
    expect(getUnicodeTables('15.1.0').upper(0x0264)).toBeUndefined();
    expect(getUnicodeTables('16.0.0').upper(0x0264)).toBe('\ua7cb');
    expect(getUnicodeTables('16.0.0').lower(0xa7cb)).toBe('\u0264');
    expect(getUnicodeTables('16.0.0').lower(0xa7ce)).toBeUndefined();
    expect(getUnicodeTables('17.0.0').lower(0xa7ce)).toBe('\ua7cf');
  });
});

/** The engine's own Unicode version in our form ('17.0' → '17.0.0'), if we have tables for it. */
function engineVersion(): UnicodeVersion | undefined {
  const raw = process.versions.unicode;
  if (raw === undefined) return undefined;
  return UNICODE_VERSIONS.find((v) => v === raw || v === `${raw}.0`);
}

describe('agrees with the JavaScript engine when it has the same Unicode version', () => {
  const version = engineVersion();

  it.skipIf(version === undefined)(
    `every code point, Unicode ${version ?? `(engine has ${process.versions.unicode}, no tables)`}`,
    () => {
      const t = getUnicodeTables(version);
      const gcRegex = GENERAL_CATEGORIES.map((gc) => new RegExp(`^\\p{gc=${gc}}$`, 'u'));
      const cased = /^\p{Cased}$/u;
      const caseIgnorable = /^\p{Case_Ignorable}$/u;
      const whiteSpace = /^\p{White_Space}$/u;
      const mismatches: string[] = [];
      const report = (cp: number, what: string) => {
        if (mismatches.length < 20) mismatches.push(`${hex(cp)} ${what}`);
      };
      let checked = 0;
      for (let cp = 0; cp < CODE_POINTS; cp++) {
        const s = String.fromCodePoint(cp);
        // General categories partition the code space, so matching the expected one is enough.
        if (!gcRegex[t.categories[cp] ?? -1]?.test(s)) report(cp, `category ${t.category(cp)}`);
        if (cased.test(s) !== t.isCased(cp)) report(cp, 'Cased');
        if (caseIgnorable.test(s) !== t.isCaseIgnorable(cp)) report(cp, 'Case_Ignorable');
        if (whiteSpace.test(s) !== t.isWhiteSpace(cp)) report(cp, 'White_Space');
        // A lone character has no casing context, and the root locale has no language rules, so the
        // engine's full mapping must equal the unconditional one (U+03A3 alone is not final: σ).
        if (s.toLowerCase() !== (t.lower(cp) ?? s)) report(cp, `lower ${cps(s.toLowerCase())}`);
        if (s.toUpperCase() !== (t.upper(cp) ?? s)) report(cp, `upper ${cps(s.toUpperCase())}`);
        checked++;
      }
      expect(mismatches).toEqual([]);
      expect(checked).toBe(CODE_POINTS);
    },
  );
});

/** The Unicode version of the local python3's unicodedata, when python3 exists and we have tables for it. */
function pythonVersion(): UnicodeVersion | undefined {
  try {
    const out = execFileSync('python3', ['-c', 'import unicodedata; print(unicodedata.unidata_version)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return UNICODE_VERSIONS.find((v) => v === out);
  } catch {
    return undefined;
  }
}

// CPython is the reference itself; this runs wherever python3 is installed (3.11 gives 14.0.0).
const PYTHON_DUMP = `
import sys, unicodedata
cats, prev, run = [], None, 0
for c in range(0x110000):
    gc = unicodedata.category(chr(c))
    if gc == prev: run += 1
    else:
        if prev is not None: cats.append('%s:%d' % (prev, run))
        prev, run = gc, 1
cats.append('%s:%d' % (prev, run))
print(' '.join(cats))
print(' '.join('%x' % c for c in range(0x110000) if chr(c).isspace()))
for f in (str.lower, str.upper):
    print(' '.join('%x=%s' % (c, ','.join('%x' % ord(x) for x in f(chr(c))))
                   for c in range(0x110000) if f(chr(c)) != chr(c)))
`;

describe('agrees with the local CPython unicodedata, when there is one', () => {
  const version = pythonVersion();

  it.skipIf(version === undefined)(`categories, str.isspace, str.lower, str.upper (Unicode ${version})`, () => {
    const t = getUnicodeTables(version);
    const [cats = '', spaces = '', lowers = '', uppers = ''] = execFileSync('python3', ['-c', PYTHON_DUMP], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }).split('\n');
    let cp = 0;
    const wrong: string[] = [];
    for (const run of cats.split(' ')) {
      const [gc, count] = run.split(':');
      for (let end = cp + Number(count); cp < end; cp++) {
        if (t.category(cp) !== gc && wrong.length < 20) wrong.push(`${hex(cp)} ${gc} vs ${t.category(cp)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(cp).toBe(CODE_POINTS);

    const pySpaces = spaces.split(' ').map((h) => Number.parseInt(h, 16));
    const ourSpaces: number[] = [];
    for (let c = 0; c < CODE_POINTS; c++) if (t.isPythonSpace(c)) ourSpaces.push(c);
    expect(ourSpaces).toEqual(pySpaces);

    const table = (which: (cp: number) => string | undefined) => {
      const entries: string[] = [];
      for (let c = 0; c < CODE_POINTS; c++) {
        const mapped = which(c);
        if (mapped !== undefined) {
          entries.push(`${c.toString(16)}=${[...mapped].map((x) => (x.codePointAt(0) ?? 0).toString(16)).join(',')}`);
        }
      }
      return entries;
    };
    expect(table((c) => t.lower(c))).toEqual(lowers.split(' '));
    expect(table((c) => t.upper(c))).toEqual(uppers.split(' '));
  });
});

/** The first line that differs, short enough to read in a failure message. */
function firstDifference(committed: string, fresh: string): string | undefined {
  const a = committed.split('\n');
  const b = fresh.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: committed ${JSON.stringify(a[i])}, generated ${JSON.stringify(b[i])}`;
  }
  return undefined;
}

describe('generated data', () => {
  it.each(UNICODE_VERSIONS)('data/v%s.ts is what tools/unicode/generate.ts produces now', async (version) => {
    const { fileName, contents } = await generateModule(version);
    const committed = readFileSync(new URL(fileName, DATA_DIR), 'utf8');
    // On failure: pnpm --filter @bert-parity/tool-unicode generate
    expect(firstDifference(committed, contents)).toBeUndefined();
    expect(committed).toContain(`@unicode/unicode-${version}@`);
  });
});
