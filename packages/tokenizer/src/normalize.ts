import { MARK } from './classes.ts';
import { fromCodePoints } from './codepoints.ts';
import type { ResolvedOptions } from './profiles.ts';
import { GENERAL_CATEGORIES, type UnicodeTables } from './unicode/types.ts';

const CN = GENERAL_CATEGORIES.indexOf('Cn');

/**
 * A word as code points, each with the span [start, end) of original-text UTF-16 code units it came from.
 * Normalization keeps the spans: a character that expands (İ → i + U+0307) gives every piece its span;
 * a character that is removed takes its span with it.
 */
export interface SpannedWord {
  cps: number[];
  starts: number[];
  ends: number[];
}

/**
 * NFD or NFC following the pinned Unicode version. The engine's normalization is exact for characters the
 * pinned version assigns (decompositions and combining classes never change once assigned). Characters
 * the pinned version leaves unassigned must stay as they are and act as starters that nothing reorders or
 * composes across, so the text is normalized in segments between them.
 */
export function normalizePinned(text: string, form: 'NFD' | 'NFC', categories: Uint8Array): string {
  let segStart = 0;
  let out = '';
  let i = 0;
  let split = false;
  while (i < text.length) {
    const cp = text.codePointAt(i) as number;
    const width = cp > 0xffff ? 2 : 1;
    if (categories[cp] === CN && cp >= 0x80) {
      split = true;
      out += text.slice(segStart, i).normalize(form) + text.slice(i, i + width);
      segStart = i + width;
    }
    i += width;
  }
  if (!split) return text.normalize(form);
  return out + text.slice(segStart).normalize(form);
}

/**
 * CPython's Final_Sigma rule for U+03A3 in str.lower(): it becomes final sigma when preceded by a cased
 * character (skipping case-ignorable ones) and not followed by one (skipping case-ignorable ones).
 */
function isFinalSigma(cps: readonly number[], i: number, tables: UnicodeTables): boolean {
  let j = i - 1;
  while (j >= 0 && tables.isCaseIgnorable(cps[j] as number)) j--;
  if (j < 0 || !tables.isCased(cps[j] as number)) return false;
  let k = i + 1;
  while (k < cps.length && tables.isCaseIgnorable(cps[k] as number)) k++;
  return k === cps.length || !tables.isCased(cps[k] as number);
}

function lowerWord(word: SpannedWord, tables: UnicodeTables, finalSigma: boolean): SpannedWord {
  const out: SpannedWord = { cps: [], starts: [], ends: [] };
  const { cps, starts, ends } = word;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] as number;
    const s = starts[i] as number;
    const e = ends[i] as number;
    if (cp === 0x3a3 && finalSigma && isFinalSigma(cps, i, tables)) {
      out.cps.push(0x3c2);
      out.starts.push(s);
      out.ends.push(e);
      continue;
    }
    const mapped = cp < 0x80 ? undefined : tables.lower(cp);
    if (mapped === undefined) {
      out.cps.push(cp >= 65 && cp <= 90 ? cp + 32 : cp);
      out.starts.push(s);
      out.ends.push(e);
      continue;
    }
    for (const ch of mapped) {
      out.cps.push(ch.codePointAt(0) as number);
      out.starts.push(s);
      out.ends.push(e);
    }
  }
  return out;
}

/** The span of the whole word (loops, not Math.min(...spread): words can be millions of characters). */
function wordSpan(word: SpannedWord): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (let i = 0; i < word.starts.length; i++) {
    lo = Math.min(lo, word.starts[i] as number);
    hi = Math.max(hi, word.ends[i] as number);
  }
  return [lo, hi];
}

const decompositionCache = new Map<number, number[]>();

function decompose(cp: number, categories: Uint8Array): number[] {
  let hit = decompositionCache.get(cp);
  if (hit === undefined) {
    hit =
      categories[cp] === CN
        ? [cp]
        : Array.from(String.fromCodePoint(cp).normalize('NFD'), (c) => c.codePointAt(0) as number);
    // The engine's data is the same for every pinned version for assigned characters; Cn ones stay as they are.
    if (categories[cp] !== CN) decompositionCache.set(cp, hit);
  }
  return hit;
}

/** NFD, then drop the accent marks (Mn, or every mark for Rust tokenizers), keeping spans. */
function stripAccents(word: SpannedWord, tables: UnicodeTables, classes: Uint8Array): SpannedWord {
  const dec: SpannedWord = { cps: [], starts: [], ends: [] };
  const { cps, starts, ends } = word;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] as number;
    const parts = cp < 0xc0 ? [cp] : decompose(cp, tables.categories);
    for (const p of parts) {
      dec.cps.push(p);
      dec.starts.push(starts[i] as number);
      dec.ends.push(ends[i] as number);
    }
  }
  // Character-by-character decomposition equals NFD unless combining marks need canonical reordering;
  // then the reordered sequence is used and every character gets the span of the whole word.
  const joined = fromCodePoints(dec.cps);
  const nfd = normalizePinned(joined, 'NFD', tables.categories);
  let src = dec;
  if (nfd !== joined) {
    const [lo, hi] = wordSpan(word);
    const reordered = Array.from(nfd, (c) => c.codePointAt(0) as number);
    src = { cps: reordered, starts: reordered.map(() => lo), ends: reordered.map(() => hi) };
  }
  const out: SpannedWord = { cps: [], starts: [], ends: [] };
  for (let i = 0; i < src.cps.length; i++) {
    const cp = src.cps[i] as number;
    if ((classes[cp] as number) & MARK) continue;
    out.cps.push(cp);
    out.starts.push(src.starts[i] as number);
    out.ends.push(src.ends[i] as number);
  }
  return out;
}

function nfcWord(word: SpannedWord, tables: UnicodeTables): SpannedWord {
  const text = fromCodePoints(word.cps);
  const nfc = normalizePinned(text, 'NFC', tables.categories);
  if (nfc === text) return word;
  const [lo, hi] = wordSpan(word);
  const cps = Array.from(nfc, (c) => c.codePointAt(0) as number);
  return { cps, starts: cps.map(() => lo), ends: cps.map(() => hi) };
}

/** The per-word normalization of BasicTokenizer (before punctuation splitting), in the profile's order. */
export function normalizeWord(
  word: SpannedWord,
  options: ResolvedOptions,
  tables: UnicodeTables,
  classes: Uint8Array,
): SpannedWord {
  let w = options.nfc ? nfcWord(word, tables) : word;
  if (options.stripBeforeLower) {
    if (options.stripAccents) w = stripAccents(w, tables, classes);
    if (options.lowercase) w = lowerWord(w, tables, options.finalSigma);
  } else {
    if (options.lowercase) w = lowerWord(w, tables, options.finalSigma);
    if (options.stripAccents) w = stripAccents(w, tables, classes);
  }
  return w;
}
