/** String.fromCodePoint over an array of any length (spreading a long array overflows the stack). */
export function fromCodePoints(cps: readonly number[], from = 0, to = cps.length): string {
  const CHUNK = 4096;
  if (to - from <= CHUNK) return String.fromCodePoint(...cps.slice(from, to));
  let out = '';
  for (let i = from; i < to; i += CHUNK) out += String.fromCodePoint(...cps.slice(i, Math.min(to, i + CHUNK)));
  return out;
}

/** Number of code points in a string (a lone surrogate counts as one, as in a Python str). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
