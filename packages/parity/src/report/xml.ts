/**
 * XML 1.0 text and attribute escaping. Characters XML 1.0 forbids outright (C0 controls other than tab,
 * newline and carriage return; U+FFFE, U+FFFF; unpaired surrogates) cannot even be written as character
 * references, so they are replaced by a visible `\uXXXX` so the message still says what was there.
 */
export function escapeXml(text: string, attribute = false): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (attribute && ch === '"') out += '&quot;';
    else if (attribute && ch === "'") out += '&apos;';
    // Attribute-value normalization would turn these into spaces; references keep them.
    else if (attribute && (cp === 0x9 || cp === 0xa || cp === 0xd)) out += `&#${cp};`;
    else if (cp === 0xd) out += '&#13;';
    else if (forbidden(cp)) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

function forbidden(cp: number): boolean {
  if (cp < 0x20) return cp !== 0x9 && cp !== 0xa && cp !== 0xd;
  // for…of yields lone surrogates as single code units.
  return (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffe || cp === 0xffff;
}
