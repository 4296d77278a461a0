/**
 * XML 1.0 text and attribute escaping. Characters XML 1.0 forbids outright (C0 controls other than tab,
 * newline and carriage return; U+FFFE, U+FFFF; unpaired surrogates) cannot even be written as character
 * references, so they are replaced by a visible `\uXXXX` so the message still says what was there.
 */
export function escapeXml(text: string, attribute = false): string {
  // One regex pass over the text (pnpm fuzz found a 1 MB cell id taking seconds of building strings one
  // character at a time); only the characters that need it go through escapeChar.
  return text.replace(SPECIAL, (ch) => escapeChar(ch, attribute));
}

/** Every character escapeChar may change (in the u mode, only unpaired surrogates match the surrogate range). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const SPECIAL = /[&<>"'\u0000-\u001f\ud800-\udfff\ufffe\uffff]/gu;

function escapeChar(ch: string, attribute: boolean): string {
  const cp = ch.codePointAt(0) as number;
  if (ch === '&') return '&amp;';
  if (ch === '<') return '&lt;';
  if (ch === '>') return '&gt;';
  if (attribute && ch === '"') return '&quot;';
  if (attribute && ch === "'") return '&apos;';
  // Attribute-value normalization would turn these into spaces; references keep them.
  if (attribute && (cp === 0x9 || cp === 0xa || cp === 0xd)) return `&#${cp};`;
  if (cp === 0xd) return '&#13;';
  if (forbidden(cp)) return `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return ch;
}

function forbidden(cp: number): boolean {
  if (cp < 0x20) return cp !== 0x9 && cp !== 0xa && cp !== 0xd;
  // SPECIAL yields lone surrogates as single code units.
  return (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffe || cp === 0xffff;
}
