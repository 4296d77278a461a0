import { describe, expect, it } from 'vitest';
import { preview } from '../src/index.ts';

describe('preview: bad values in error messages', () => {
  it('is JSON.stringify for short values', () => {
    for (const v of [
      1,
      'a"b',
      null,
      [1, [2, { a: 'x', b: [true, null] }]],
      {},
      [],
      { x: undefined, y: 2 },
      Number.NaN,
      -0,
      1e21,
    ]) {
      expect(preview(v)).toBe(JSON.stringify(v));
    }
    expect(preview(undefined)).toBe('undefined');
  });

  // pnpm fuzz found messages built with JSON.stringify overflowing the stack on such values (config,
  // tokenizer.json, labels files): preview never recurses and stops at its budget.
  it('cuts long and deeply nested values at the budget, without recursing', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(preview(deep)).toBe(`${'['.repeat(80)}…`);
    expect(preview('x'.repeat(1_000_000))).toBe(`"${'x'.repeat(79)}…`);
    expect(preview(Array(1_000_000).fill(7), 10)).toBe('[7,7,7,7,7…');
    expect(preview({ a: 1, b: 'two' }, 10)).toBe('{"a":1,"b"…');
  });
});
