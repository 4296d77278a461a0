import { ParityError } from '@bert-parity/core';
import type { ResolvedOptions } from './profiles.ts';
import { GENERAL_CATEGORIES, type UnicodeTables } from './unicode/types.ts';

/** Character class bits, one byte per code point, so the scanner does one table load per character. */
export const DROP = 1; // removed by clean_text: U+0000, U+FFFD, control characters, lone surrogates
export const SPACE = 2; // ends a word
export const CJK = 4; // a word of its own
export const PUNCT = 8; // a token of its own after normalization
export const MARK = 16; // removed by accent stripping (Mn in every implementation)

const cat = (name: string): number => GENERAL_CATEGORIES.indexOf(name as never);
const CC = cat('Cc');
const CF = cat('Cf');
const CS = cat('Cs');
const CO = cat('Co');
const CN = cat('Cn');
const ZS = cat('Zs');
const MN = cat('Mn');
const PUNCT_CATS = new Set(['Pc', 'Pd', 'Ps', 'Pe', 'Pi', 'Pf', 'Po'].map(cat));

/** ASCII characters the reference counts as punctuation although Unicode calls some of them symbols ($+<=>^`|~). */
export function isAsciiPunctuation(cp: number): boolean {
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
}

const cache = new Map<string, Uint8Array>();

/** Builds (once per distinct behaviour) the class table for a resolved profile. */
export function classTable(options: ResolvedOptions, tables: UnicodeTables): Uint8Array {
  const key = [
    tables.version,
    options.controls,
    options.spaces,
    options.tokenizeChineseChars,
    options.cjkRanges.flat().join(','),
  ].join('|');
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const out = new Uint8Array(0x110000);
  const cats = tables.categories;
  const dropCn = options.controls === 'C*';
  const dropCoCs = options.controls !== 'Cc+Cf';
  for (let cp = 0; cp < 0x110000; cp++) {
    const c = cats[cp] as number;
    let bits = 0;
    // \t \n \r are technically Cc, but every implementation treats them as whitespace.
    const isTabOrNewline = cp === 9 || cp === 10 || cp === 13;
    const control =
      !isTabOrNewline && (c === CC || c === CF || (dropCoCs && (c === CS || c === CO)) || (dropCn && c === CN));
    if (cp === 0 || cp === 0xfffd || control || c === CS) bits |= DROP;
    const space =
      options.spaces === 'python'
        ? // _is_whitespace (space, \t, \n, \r, Zs) plus what Python's str.split() also splits on (U+2028, U+2029).
          isTabOrNewline || cp === 32 || c === ZS || tables.isPythonSpace(cp)
        : isTabOrNewline || tables.isWhiteSpace(cp);
    if (space) bits |= SPACE;
    if (isAsciiPunctuation(cp) || PUNCT_CATS.has(c)) bits |= PUNCT;
    if (c === MN) bits |= MARK;
    out[cp] = bits;
  }
  if (options.tokenizeChineseChars) {
    for (const [lo, hi] of options.cjkRanges) for (let cp = lo; cp <= hi; cp++) out[cp] = (out[cp] as number) | CJK;
  }
  cache.set(key, out);
  return out;
}

const ENGINE_UNICODE = process.versions.unicode ?? '0';

function versionNumber(v: string): number {
  const [major = 0, minor = 0] = v.split('.').map(Number);
  return major * 100 + minor;
}

/**
 * Normalization (NFD/NFC) uses the engine's data, which is exact for every character the pinned version
 * assigns as long as the engine is not older than the pinned version (Unicode stability policy).
 */
export function assertEngineCanNormalize(tables: UnicodeTables): void {
  if (versionNumber(ENGINE_UNICODE) < versionNumber(tables.version)) {
    throw new ParityError(
      'E_UNICODE_VERSION',
      `Unicode ${tables.version} needs a JavaScript engine with Unicode ≥ ${tables.version} for normalization; this Node.js has ${ENGINE_UNICODE}`,
    );
  }
}
