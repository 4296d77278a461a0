import { readFileSync } from 'node:fs';
import { ParityError, preview } from '@bert-parity/core';

/**
 * Python's str.isspace() set, which `str.strip()` removes. It is the same in every Unicode version since
 * 6.3 (Bidi_Class WS/B/S or General_Category Zs), so a literal list is exact here.
 */
const PY_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** Python's str.strip() without arguments. */
function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_SPACE.has(s.charCodeAt(a))) a++;
  while (b > a && PY_SPACE.has(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

export interface VocabularyLoadInfo {
  /** Where the vocabulary came from (a path, or a label). */
  source: string;
  /** Lines read (ids assigned), including empty and duplicate lines. */
  lines: number;
  /** Non-fatal oddities: a BOM, CRLF line ends, empty lines, duplicates. */
  warnings: string[];
}

/**
 * A WordPiece vocabulary: token → id, and id → token for the ids that survive.
 *
 * `fromText` follows google-research/bert `load_vocab`: lines are read in text mode (universal newlines:
 * \n, \r\n and \r end a line), each line is `strip()`ped of all Unicode whitespace, the n-th line gets
 * id n, and when two lines give the same key the later id wins (so `size` counts distinct tokens and
 * some ids have no token). One deliberate difference: a UTF-8 byte order mark at the start is dropped
 * (with a warning) instead of becoming part of the first token, which would make that token unmatchable.
 */
export class Vocabulary {
  private readonly byToken: Map<string, number>;
  private readonly byId: (string | undefined)[];
  readonly info: VocabularyLoadInfo;

  private constructor(byToken: Map<string, number>, info: VocabularyLoadInfo) {
    this.byToken = byToken;
    this.info = info;
    this.byId = [];
    for (const [token, id] of byToken) this.byId[id] = token;
  }

  /** Number of distinct tokens (Python's `len(vocab)`). */
  get size(): number {
    return this.byToken.size;
  }

  /** One more than the largest id: the embedding rows a model needs. */
  get idLimit(): number {
    return this.byId.length;
  }

  id(token: string): number | undefined {
    return this.byToken.get(token);
  }

  token(id: number): string | undefined {
    return this.byId[id];
  }

  has(token: string): boolean {
    return this.byToken.has(token);
  }

  entries(): IterableIterator<[string, number]> {
    return this.byToken.entries();
  }

  static fromText(text: string, source = '<text>'): Vocabulary {
    const warnings: string[] = [];
    let body = text;
    if (body.charCodeAt(0) === 0xfeff) {
      body = body.slice(1);
      warnings.push('a UTF-8 byte order mark was dropped from the start of the file');
    }
    if (body.length === 0) {
      throw new ParityError('E_VOCAB_EMPTY', `vocabulary ${source} is empty; expected one token per line`);
    }
    if (body.includes('\r')) warnings.push('lines end in \\r\\n or \\r; read as line ends (Python universal newlines)');
    const byToken = new Map<string, number>();
    let lines = 0;
    let empty = 0;
    let duplicates = 0;
    let start = 0;
    const n = body.length;
    while (start < n) {
      let end = start;
      let c = 0;
      while (end < n) {
        c = body.charCodeAt(end);
        if (c === 10 || c === 13) break;
        end++;
      }
      const token = pyStrip(body.slice(start, end));
      if (token === '') empty++;
      if (byToken.has(token)) {
        duplicates++;
        byToken.delete(token); // re-insert so iteration order follows the winning id
      }
      byToken.set(token, lines);
      lines++;
      start = end + (c === 13 && body.charCodeAt(end + 1) === 10 ? 2 : 1);
    }
    if (empty > 0) warnings.push(`${empty} empty line(s): each took an id, as in the reference`);
    if (duplicates > 0)
      warnings.push(`${duplicates} duplicate token(s): the later line's id wins, as in the reference`);
    return new Vocabulary(byToken, { source, lines, warnings });
  }

  static fromFile(path: string): Vocabulary {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (cause) {
      throw new ParityError('E_IO', `cannot read vocabulary ${path}: ${(cause as Error).message}`, { cause });
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch (cause) {
      throw new ParityError('E_VOCAB_ENCODING', `vocabulary ${path} is not valid UTF-8`, { cause });
    }
    return Vocabulary.fromText(text, path);
  }

  /** From a token → id map (Hugging Face tokenizer.json `model.vocab`). Ids must be non-negative integers. */
  static fromMap(map: Readonly<Record<string, unknown>>, source = '<map>'): Vocabulary {
    const byToken = new Map<string, number>();
    const seen = new Map<number, string>();
    for (const [token, id] of Object.entries(map)) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
        throw new ParityError(
          'E_VOCAB_FORMAT',
          `vocabulary ${source}: token ${preview(token)} has id ${preview(id)}; expected a non-negative integer`,
        );
      }
      const other = seen.get(id);
      if (other !== undefined) {
        throw new ParityError(
          'E_VOCAB_FORMAT',
          `vocabulary ${source}: tokens ${preview(other)} and ${preview(token)} share id ${id}`,
        );
      }
      seen.set(id, token);
      byToken.set(token, id);
    }
    if (byToken.size === 0) throw new ParityError('E_VOCAB_EMPTY', `vocabulary ${source} has no tokens`);
    return new Vocabulary(byToken, { source, lines: byToken.size, warnings: [] });
  }
}
