import { CJK, DROP, PUNCT, SPACE } from './classes.ts';
import { fromCodePoints } from './codepoints.ts';
import { normalizeWord, type SpannedWord } from './normalize.ts';
import type { ResolvedOptions } from './profiles.ts';
import type { UnicodeTables } from './unicode/types.ts';

/**
 * Receives each basic token (BasicTokenizer output) with its span [start, end) in the original text, in
 * UTF-16 code units. `starts`/`ends` give the span of each code point of the token when the token is not
 * a verbatim slice of the text (normalization changed it, or clean_text removed characters inside it),
 * relative to `shift` (the span of code point i is starts[i] + shift, ends[i] + shift); they are null
 * when token === text.slice(start, end).
 */
export type BasicSink = (
  token: string,
  start: number,
  end: number,
  starts: readonly number[] | null,
  ends: readonly number[] | null,
  shift: number,
) => void;

/** The basic tokens of one normalized word, with spans relative to the word's start. */
interface CachedWord {
  tokens: string[];
  starts: number[][];
  ends: number[][];
}

/** Short non-ASCII words recur (CJK characters, accented words): their normalization is cached. */
const WORD_CACHE_MAX_UNITS = 48;
const WORD_CACHE_LIMIT = 100_000;

/** Words needing normalization longer than this (UTF-16 units) are processed in pieces (splitLongWord). */
const LONG_WORD_UNITS = 256;
/** ASCII punctuation that is safe to cut a word at before normalization (see splitLongWord). */
const SAFE_SPLIT = new Uint8Array(128);
for (const ch of '!"#$%&()*+,-/;?@[\\]_{|}~') SAFE_SPLIT[ch.charCodeAt(0)] = 1;

/**
 * google-research/bert BasicTokenizer in one pass over the text, for all profiles:
 * clean_text (drop controls, whitespace → space), CJK ideographs as words of their own, split on
 * whitespace, then per word: normalization (lowercase, accent stripping, NFC per profile) and splitting
 * off every punctuation character as a token of its own.
 */
export class BasicScanner {
  private readonly classes: Uint8Array;
  private readonly options: ResolvedOptions;
  private readonly tables: UnicodeTables;
  private readonly normalizes: boolean;
  private readonly neverSplit: ReadonlySet<string>;
  private readonly wordCache = new Map<string, CachedWord>();

  constructor(options: ResolvedOptions, tables: UnicodeTables, classes: Uint8Array) {
    this.options = options;
    this.tables = tables;
    this.classes = classes;
    this.normalizes = options.lowercase || options.stripAccents || options.nfc;
    this.neverSplit = new Set(options.neverSplit);
  }

  /** Scans text[from, to) and calls sink for each basic token, in order. */
  scan(text: string, sink: BasicSink, from = 0, to = text.length): void {
    const classes = this.classes;
    let wordStart = -1;
    let wordEnd = -1;
    let contiguous = true;
    let ascii = true;
    let i = from;
    while (i < to) {
      let cp = text.charCodeAt(i);
      let width = 1;
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < to) {
        const lo = text.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          width = 2;
        }
      }
      const cls = classes[cp] as number;
      if (cls & (DROP | SPACE | CJK)) {
        if (cls & DROP) {
          // clean_text removes the character; the word goes on around it.
          if (wordStart >= 0) contiguous = false;
        } else {
          if (wordStart >= 0) {
            this.word(text, wordStart, wordEnd, contiguous, ascii, sink);
            wordStart = -1;
          }
          if (cls & CJK && !(cls & SPACE)) this.word(text, i, i + width, true, false, sink);
        }
        i += width;
        continue;
      }
      if (wordStart < 0) {
        wordStart = i;
        contiguous = true;
        ascii = true;
      }
      if (cp >= 0x80) ascii = false;
      wordEnd = i + width;
      i += width;
    }
    if (wordStart >= 0) this.word(text, wordStart, wordEnd, contiguous, ascii, sink);
  }

  /** One whitespace-delimited word text[start, end) (DROP characters inside are skipped unless contiguous). */
  private word(text: string, start: number, end: number, contiguous: boolean, ascii: boolean, sink: BasicSink): void {
    if (this.neverSplit.size > 0) {
      const raw = contiguous ? text.slice(start, end) : this.spanned(text, start, end);
      const token = typeof raw === 'string' ? raw : fromCodePoints(raw.cps);
      if (this.neverSplit.has(token)) {
        sink(
          token,
          start,
          end,
          typeof raw === 'string' ? null : raw.starts,
          typeof raw === 'string' ? null : raw.ends,
          0,
        );
        return;
      }
    }
    if (!(contiguous && (ascii || !this.normalizes)) && end - start > LONG_WORD_UNITS) {
      this.splitLongWord(text, start, end, sink);
      return;
    }
    this.segment(text, start, end, contiguous, ascii, sink);
  }

  /**
   * A long word that needs normalization is cut at ASCII punctuation that normalization can neither
   * change nor see across: not cased, not case-ignorable (so Final_Sigma context stops there), a starter
   * that nothing reorders across, and not one of < = > (which NFC composes with U+0338). Each piece is
   * then normalized alone; the result equals normalizing the whole word, with bounded memory per piece.
   */
  private splitLongWord(text: string, start: number, end: number, sink: BasicSink): void {
    let from = start;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80 && SAFE_SPLIT[c] === 1) {
        if (i > from) this.segmentOf(text, from, i, sink);
        sink(text[i] as string, i, i + 1, null, null, 0);
        from = i + 1;
      }
    }
    if (end > from) this.segmentOf(text, from, end, sink);
  }

  /** A part of a word, after finding out whether it is contiguous (no dropped characters) and ASCII. */
  private segmentOf(text: string, start: number, end: number, sink: BasicSink): void {
    let contiguous = true;
    let ascii = true;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) ascii = false;
      if ((this.classes[c] as number) & DROP && !(c >= 0xd800 && c <= 0xdfff && i + 1 < end)) contiguous = false;
    }
    if (!ascii) contiguous = this.isContiguous(text, start, end);
    this.segment(text, start, end, contiguous, ascii, sink);
  }

  private isContiguous(text: string, start: number, end: number): boolean {
    for (let i = start; i < end; ) {
      const cp = text.codePointAt(i) as number;
      if ((this.classes[cp] as number) & DROP) return false;
      i += cp > 0xffff ? 2 : 1;
    }
    return true;
  }

  /** Normalization and punctuation split of text[start, end), a word or a piece of a long word. */
  private segment(
    text: string,
    start: number,
    end: number,
    contiguous: boolean,
    ascii: boolean,
    sink: BasicSink,
  ): void {
    if (contiguous && (ascii || !this.normalizes)) {
      const verbatim = text.slice(start, end);
      const word = ascii && this.options.lowercase ? verbatim.toLowerCase() : verbatim;
      this.splitVerbatim(word, start, sink);
      return;
    }
    if (contiguous && end - start <= WORD_CACHE_MAX_UNITS) {
      const key = text.slice(start, end);
      let hit = this.wordCache.get(key);
      if (hit === undefined) {
        const entry: CachedWord = { tokens: [], starts: [], ends: [] };
        // Spans relative to the word: scan the word alone, so they start at 0.
        const w = normalizeWord(this.spanned(key, 0, key.length), this.options, this.tables, this.classes);
        this.splitSpanned(w, (token, _s, _e, starts, ends) => {
          entry.tokens.push(token);
          entry.starts.push(starts as number[]);
          entry.ends.push(ends as number[]);
        });
        if (this.wordCache.size >= WORD_CACHE_LIMIT) this.wordCache.clear();
        this.wordCache.set(key, entry);
        hit = entry;
      }
      for (let k = 0; k < hit.tokens.length; k++) {
        const starts = hit.starts[k] as number[];
        const ends = hit.ends[k] as number[];
        sink(
          hit.tokens[k] as string,
          start + (starts[0] as number),
          start + (ends.at(-1) as number),
          starts,
          ends,
          start,
        );
      }
      return;
    }
    let w = this.spanned(text, start, end);
    if (this.normalizes) w = normalizeWord(w, this.options, this.tables, this.classes);
    this.splitSpanned(w, sink);
  }

  /** The kept code points of text[start, end) with their spans. */
  private spanned(text: string, start: number, end: number): SpannedWord {
    const w: SpannedWord = { cps: [], starts: [], ends: [] };
    for (let i = start; i < end; ) {
      const cp = text.codePointAt(i) as number;
      const width = cp > 0xffff ? 2 : 1;
      if (!((this.classes[cp] as number) & DROP)) {
        w.cps.push(cp);
        w.starts.push(i);
        w.ends.push(i + width);
      }
      i += width;
    }
    return w;
  }

  /** Punctuation split of a word that is a verbatim (or ASCII-lowercased) slice starting at `base`. */
  private splitVerbatim(word: string, base: number, sink: BasicSink): void {
    const classes = this.classes;
    let tokStart = 0;
    let i = 0;
    const n = word.length;
    while (i < n) {
      const cp = word.codePointAt(i) as number;
      const width = cp > 0xffff ? 2 : 1;
      if ((classes[cp] as number) & PUNCT) {
        if (i > tokStart) sink(word.slice(tokStart, i), base + tokStart, base + i, null, null, 0);
        sink(word.slice(i, i + width), base + i, base + i + width, null, null, 0);
        tokStart = i + width;
      }
      i += width;
    }
    if (n > tokStart) sink(tokStart === 0 ? word : word.slice(tokStart), base + tokStart, base + n, null, null, 0);
  }

  /** Punctuation split of a normalized word, each token carrying the spans of its code points. */
  private splitSpanned(w: SpannedWord, sink: BasicSink): void {
    const classes = this.classes;
    const { cps, starts, ends } = w;
    const emit = (a: number, b: number) => {
      sink(
        fromCodePoints(cps, a, b),
        starts[a] as number,
        ends[b - 1] as number,
        starts.slice(a, b),
        ends.slice(a, b),
        0,
      );
    };
    let tokStart = 0;
    for (let i = 0; i < cps.length; i++) {
      if ((classes[cps[i] as number] as number) & PUNCT) {
        if (i > tokStart) emit(tokStart, i);
        emit(i, i + 1);
        tokStart = i + 1;
      }
    }
    if (cps.length > tokStart) emit(tokStart, cps.length);
  }
}
