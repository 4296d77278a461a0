import fc from 'fast-check';

/**
 * Structure-aware JSON mutations: the file is parsed, one node (picked by position in a walk of the
 * document) is replaced, removed, repeated or renamed, and the document is written back. Deep nesting is
 * spliced into the text after serialization, so depths of 100,000 never touch a recursive serializer.
 */
export type JsonOp =
  | { kind: 'replace'; node: number; value: Replacement }
  | { kind: 'remove'; node: number }
  | { kind: 'repeat'; node: number; times: number }
  | { kind: 'rename'; node: number; key: string }
  | { kind: 'swap'; node: number; other: number };

type Replacement =
  | { type: 'nest'; depth: number; shape: 'array' | 'object' }
  | { type: 'value'; value: unknown }
  | { type: 'string'; length: number; char: string };

const NEST_DEPTHS = [64, 1000, 10_000, 100_000] as const;

/** Values that break numeric and type assumptions: huge, tiny, negative, fractional, non-finite as text. */
const HOSTILE_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  -1,
  0.5,
  2 ** 31,
  2 ** 32,
  2 ** 53 + 2,
  1e308,
  -1e308,
  5e-324,
  '',
  'NaN',
  'Infinity',
  '-Infinity',
  '\u0000',
  '\ud800',
  '__proto__',
  '../../etc/passwd',
  '/abs/path',
  [],
  {},
  [[]],
  JSON.parse('{"__proto__":{"polluted":true}}'),
];

const replacement: fc.Arbitrary<Replacement> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('nest' as const),
      depth: fc.constantFrom(...NEST_DEPTHS),
      shape: fc.constantFrom('array' as const, 'object' as const),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ type: fc.constant('value' as const), value: fc.constantFrom(...HOSTILE_VALUES) }),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('value' as const), value: fc.jsonValue({ maxDepth: 3 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('string' as const),
      length: fc.constantFrom(1000, 100_000, 1_000_000),
      char: fc.constantFrom('a', ' ', '\u00e9', '\u{1F600}', '\\', '"'),
    }),
  },
);

const node = fc.nat({ max: 0xffffffff });

export const jsonOp: fc.Arbitrary<JsonOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('replace' as const), node, value: replacement }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), node }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('repeat' as const),
      node,
      times: fc.constantFrom(2, 10, 1000, 100_000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('rename' as const),
      node,
      key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'toString'), fc.string()),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), node, other: node }) },
);

interface Slot {
  parent: unknown[] | Record<string, unknown>;
  key: number | string;
}

/** Every slot holding a value (parents before children), at most `limit`. */
function slots(root: { value: unknown }, limit = 20_000): Slot[] {
  const out: Slot[] = [{ parent: root as unknown as Record<string, unknown>, key: 'value' }];
  for (let i = 0; i < out.length && out.length < limit; i++) {
    const s = out[i] as Slot;
    const v = (s.parent as Record<string | number, unknown>)[s.key];
    if (Array.isArray(v)) for (let k = 0; k < v.length; k++) out.push({ parent: v, key: k });
    else if (v !== null && typeof v === 'object')
      for (const k of Object.keys(v)) out.push({ parent: v as Record<string, unknown>, key: k });
  }
  return out;
}

const NEST_MARK = '\u0001nest\u0001';

/** The document with one op applied, as text; undefined when the text is not JSON (byte ops take over). */
export function applyJsonOp(text: string, op: JsonOp): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const root = { value };
  const all = slots(root);
  const slot = all[op.node % all.length] as Slot;
  const get = (s: Slot) => (s.parent as Record<string | number, unknown>)[s.key];
  const set = (s: Slot, v: unknown) => {
    (s.parent as Record<string | number, unknown>)[s.key] = v;
  };
  let nest: { depth: number; shape: 'array' | 'object' } | undefined;
  switch (op.kind) {
    case 'replace':
      if (op.value.type === 'nest') {
        nest = op.value;
        set(slot, NEST_MARK);
      } else if (op.value.type === 'string') set(slot, op.value.char.repeat(op.value.length));
      else set(slot, structuredClone(op.value.value));
      break;
    case 'remove':
      if (slot.parent === (root as unknown)) return '';
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
      break;
    case 'repeat': {
      if (!Array.isArray(slot.parent)) {
        // A value that is not an array element becomes an array of copies of itself.
        set(slot, Array<unknown>(Math.min(op.times, 1000)).fill(get(slot)));
      } else {
        const copies = Array<unknown>(Math.min(op.times, 100_000)).fill(get(slot));
        slot.parent.splice(slot.key as number, 1, ...copies);
      }
      break;
    }
    case 'rename': {
      if (Array.isArray(slot.parent) || slot.parent === (root as unknown)) return undefined;
      const v = get(slot);
      delete slot.parent[slot.key as string];
      Object.defineProperty(slot.parent, op.key, { value: v, enumerable: true, writable: true, configurable: true });
      break;
    }
    case 'swap': {
      const other = all[op.other % all.length] as Slot;
      const a = get(slot);
      set(slot, get(other));
      set(other, a);
      break;
    }
  }
  let out: string;
  try {
    out = JSON.stringify(root.value) ?? '';
  } catch {
    return undefined; // a swap made a cycle
  }
  if (nest !== undefined) {
    const [open, close] = nest.shape === 'array' ? ['[', ']'] : ['{"a":', '}'];
    const inner = nest.shape === 'array' ? '' : '0';
    out = out.replace(JSON.stringify(NEST_MARK), () => open.repeat(nest.depth) + inner + close.repeat(nest.depth));
  }
  return out;
}
