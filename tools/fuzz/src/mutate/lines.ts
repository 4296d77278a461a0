import fc from 'fast-check';
import { concat, MAX_INPUT_BYTES } from './bytes.ts';
import { applyJsonOp, type JsonOp, jsonOp } from './json.ts';

/**
 * Line-level mutations for line files (vocab.txt, JSON lines): lines repeated, dropped, swapped, made
 * hostile (byte order marks, NULs, CR, bytes that are not UTF-8, very long lines), line ends changed;
 * `json` applies a JSON op to one line (JSON-lines files).
 */
export type LinesOp =
  | { kind: 'repeat'; line: number; times: number }
  | { kind: 'drop'; line: number; count: number }
  | { kind: 'swap'; line: number; other: number }
  | { kind: 'insert'; line: number; bytes: Uint8Array }
  | { kind: 'crlf' }
  | { kind: 'json'; line: number; op: JsonOp };

const enc = (s: string) => new TextEncoder().encode(s);
const HOSTILE_LINES: readonly Uint8Array[] = [
  enc(''),
  enc('   '),
  enc('\ufeff[UNK]'),
  enc('\u0000'),
  enc('\r'),
  enc('\u2028'),
  Uint8Array.of(0xff, 0xfe, 0x41),
  Uint8Array.of(0xed, 0xa0, 0x80), // an encoded lone surrogate: not UTF-8
  Uint8Array.of(0xc3),
  enc('a'.repeat(100_000)),
  enc('##'),
  enc('[CLS] [SEP]'),
  enc('{}'),
  enc('[]'),
  enc('null'),
  enc('{"type":"meta"}'),
];

const line = fc.nat({ max: 0xffffffff });

export const linesOp = (json: boolean): fc.Arbitrary<LinesOp> =>
  fc.oneof(
    fc.record({ kind: fc.constant('repeat' as const), line, times: fc.constantFrom(2, 100, 50_000) }),
    fc.record({ kind: fc.constant('drop' as const), line, count: fc.constantFrom(1, 5, 1000) }),
    fc.record({ kind: fc.constant('swap' as const), line, other: line }),
    fc.record({
      kind: fc.constant('insert' as const),
      line,
      bytes: fc.oneof(fc.constantFrom(...HOSTILE_LINES), fc.uint8Array({ maxLength: 32 })),
    }),
    fc.constant({ kind: 'crlf' as const }),
    ...(json ? [fc.record({ kind: fc.constant('json' as const), line, op: jsonOp })] : []),
  );

const NL = 0x0a;

function split(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === NL) {
      out.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  out.push(bytes.subarray(start));
  return out;
}

function join(lines: readonly Uint8Array[], nl: Uint8Array = Uint8Array.of(NL)): Uint8Array {
  const parts: Uint8Array[] = [];
  lines.forEach((l, i) => {
    if (i > 0) parts.push(nl);
    parts.push(l);
  });
  return concat(parts);
}

export function applyLinesOp(bytes: Uint8Array, op: LinesOp): Uint8Array | undefined {
  const lines = split(bytes);
  const n = lines.length;
  const at = (i: number) => i % n;
  switch (op.kind) {
    case 'repeat': {
      const i = at(op.line);
      const times = Math.min(op.times, Math.floor(MAX_INPUT_BYTES / ((lines[i] as Uint8Array).length + 1)));
      return join([
        ...lines.slice(0, i),
        ...Array<Uint8Array>(times).fill(lines[i] as Uint8Array),
        ...lines.slice(i + 1),
      ]);
    }
    case 'drop': {
      const i = at(op.line);
      return join([...lines.slice(0, i), ...lines.slice(i + op.count)]);
    }
    case 'swap': {
      const out = [...lines];
      const i = at(op.line);
      const j = at(op.other);
      [out[i], out[j]] = [out[j] as Uint8Array, out[i] as Uint8Array];
      return join(out);
    }
    case 'insert': {
      const i = op.line % (n + 1);
      return join([...lines.slice(0, i), op.bytes, ...lines.slice(i)]);
    }
    case 'crlf':
      return join(lines, Uint8Array.of(0x0d, NL));
    case 'json': {
      const i = at(op.line);
      const text = new TextDecoder().decode(lines[i]);
      const mutated = applyJsonOp(text, op.op);
      if (mutated === undefined) return undefined;
      const out = [...lines];
      out[i] = enc(mutated);
      return join(out);
    }
  }
}
