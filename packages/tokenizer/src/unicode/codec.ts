/**
 * The text encoding of the generated tables in ./data: a stream of unsigned variable-length integers
 * written in the base64url alphabet, so the data is a plain string literal that needs no escaping.
 * Each character carries 5 value bits (least significant group first) and a continuation bit (32).
 * Values below 32 take one character, below 1024 two, below 2^15 three.
 *
 * Shared by the generator (tools/unicode/generate.ts, which encodes) and tables.ts (which decodes), and
 * deliberately free of data imports so that the generator still runs when the data files are stale.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Bumped when the layout of the generated modules changes, so stale data fails loudly. */
export const DATA_FORMAT = 1;

const DIGIT_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT_OF[ALPHABET.charCodeAt(i)] = i;

export function encodeUint(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** 30) {
    throw new RangeError(`encodeUint: ${value} is not an integer in [0, 2^30)`);
  }
  let out = '';
  let rest = value;
  do {
    const low = rest & 31;
    rest >>>= 5;
    out += ALPHABET[rest > 0 ? low | 32 : low];
  } while (rest > 0);
  return out;
}

/** Zigzag maps signed deltas to unsigned ones: 0, -1, 1, -2, 2 … → 0, 1, 2, 3, 4 … */
export function encodeInt(value: number): string {
  return encodeUint(value < 0 ? -2 * value - 1 : 2 * value);
}

/** Sequential reader over one encoded field. */
export class UintReader {
  private readonly text: string;
  private readonly field: string;
  private pos = 0;

  constructor(text: string, field: string) {
    this.text = text;
    this.field = field;
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  uint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const code = this.text.charCodeAt(this.pos++);
      const digit = code < 128 ? (DIGIT_OF[code] ?? -1) : -1;
      if (digit < 0) throw new Error(`unicode data field ${this.field}: bad character at ${this.pos - 1}`);
      value += (digit & 31) * 2 ** shift;
      if (digit < 32) return value;
      shift += 5;
    }
  }

  int(): number {
    const z = this.uint();
    return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }
}
