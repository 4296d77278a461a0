import { ParityError } from '@bert-parity/core';
import { codePointLength } from './codepoints.ts';
import type { Vocabulary } from './vocab.ts';

/** The WordPiece split of one basic token: ids, piece strings, and piece boundaries in UTF-16 units. */
export interface Pieces {
  readonly ids: readonly number[];
  readonly tokens: readonly string[];
  /** bounds[k], bounds[k+1] delimit piece k inside the basic token; one more entry than pieces. */
  readonly bounds: readonly number[];
}

const CACHE_LIMIT = 200_000;

/**
 * google-research/bert WordpieceTokenizer: greedy longest-match-first over code points, continuation
 * pieces prefixed with "##", and the whole word becomes the unknown token when it is longer than
 * max_input_chars_per_word code points or when some part of it matches nothing.
 */
export class WordPiece {
  private readonly vocab: Vocabulary;
  private readonly unkId: number;
  private readonly unkToken: string;
  private readonly prefix: string;
  private readonly maxChars: number;
  /** Longest vocabulary entry in UTF-16 units: longer candidates cannot match, so they are not tried. */
  private readonly maxUnits: number;
  private readonly cache = new Map<string, Pieces>();

  constructor(vocab: Vocabulary, unkToken: string, prefix: string, maxInputCharsPerWord: number) {
    const unkId = vocab.id(unkToken);
    if (unkId === undefined) {
      throw new ParityError(
        'E_VOCAB_MISSING_TOKEN',
        `vocabulary ${vocab.info.source} has no unknown token ${JSON.stringify(unkToken)}; every word that cannot be split needs it`,
      );
    }
    this.vocab = vocab;
    this.unkId = unkId;
    this.unkToken = unkToken;
    this.prefix = prefix;
    this.maxChars = maxInputCharsPerWord;
    let maxUnits = 0;
    for (const [token] of vocab.entries()) if (token.length > maxUnits) maxUnits = token.length;
    this.maxUnits = maxUnits;
  }

  split(token: string): Pieces {
    let hit = this.cache.get(token);
    if (hit === undefined) {
      hit = this.compute(token);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(token, hit);
    }
    return hit;
  }

  private unknown(token: string): Pieces {
    return { ids: [this.unkId], tokens: [this.unkToken], bounds: [0, token.length] };
  }

  private compute(token: string): Pieces {
    const n = token.length;
    if (n > this.maxChars && codePointLength(token) > this.maxChars) return this.unknown(token);
    const vocab = this.vocab;
    const prefix = this.prefix;
    const ids: number[] = [];
    const tokens: string[] = [];
    const bounds: number[] = [0];
    let start = 0;
    while (start < n) {
      const budget = start > 0 ? this.maxUnits - prefix.length : this.maxUnits;
      let end = Math.min(n, start + budget);
      let found: number | undefined;
      let piece = '';
      while (end > start) {
        // Never end between the two halves of a surrogate pair: candidates are whole code points.
        const last = token.charCodeAt(end - 1);
        if (last >= 0xd800 && last <= 0xdbff && end < n) {
          const next = token.charCodeAt(end);
          if (next >= 0xdc00 && next <= 0xdfff) {
            end--;
            continue;
          }
        }
        piece = start > 0 ? prefix + token.slice(start, end) : token.slice(start, end);
        found = vocab.id(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return this.unknown(token);
      ids.push(found);
      tokens.push(piece);
      bounds.push(end);
      start = end;
    }
    return { ids, tokens, bounds };
  }
}
