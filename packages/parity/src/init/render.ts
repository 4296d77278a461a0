/**
 * A config value with comments attached to its entries, so one object renders both as a commented
 * `parity.config.ts` and, stripped, as JSON or as the value the engine runs.
 */
export type Commented = string | number | boolean | CommentedArray | CommentedObject;

export interface CommentedArray {
  readonly kind: 'array';
  readonly items: readonly { readonly value: Commented; readonly comment?: readonly string[] }[];
}

export interface CommentedObject {
  readonly kind: 'object';
  readonly entries: readonly {
    readonly key: string;
    readonly value: Commented;
    readonly comment?: readonly string[];
  }[];
}

export const obj = (entries: CommentedObject['entries']): CommentedObject => ({ kind: 'object', entries });
export const arr = (items: CommentedArray['items']): CommentedArray => ({ kind: 'array', items });
/** An entry or item with comment lines above it. */
export const note = <T extends { value: Commented }>(
  x: T,
  comment: readonly string[] | string,
): T & { comment: readonly string[] } => ({
  ...x,
  comment: typeof comment === 'string' ? [comment] : comment,
});
/** A plain object of plain values. */
export function plainObj(value: Record<string, unknown>): CommentedObject {
  return obj(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([key, v]) => ({ key, value: plain(v) })),
  );
}
function plain(v: unknown): Commented {
  if (Array.isArray(v)) return arr(v.map((value) => ({ value: plain(value) })));
  if (v !== null && typeof v === 'object') return plainObj(v as Record<string, unknown>);
  return v as string | number | boolean;
}

/** The value without comments, as the config loader and JSON see it. */
export function strip(v: Commented): unknown {
  if (typeof v !== 'object') return v;
  if (v.kind === 'array') return v.items.map((i) => strip(i.value));
  return Object.fromEntries(v.entries.map((e) => [e.key, strip(e.value)]));
}

/** Numbers as a person writes bounds: 1e-5 rather than 0.00001. */
export function numberText(n: number): string {
  if (n !== 0 && Math.abs(n) < 1e-3) return n.toExponential();
  return String(n);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const hasComments = (v: Commented): boolean =>
  typeof v === 'object' &&
  (v.kind === 'array'
    ? v.items.some((i) => (i.comment?.length ?? 0) > 0 || hasComments(i.value))
    : v.entries.some((e) => (e.comment?.length ?? 0) > 0 || hasComments(e.value)));

function inline(v: Commented): string {
  if (typeof v === 'string') return `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'boolean') return String(v);
  if (v.kind === 'array') return `[${v.items.map((i) => inline(i.value)).join(', ')}]`;
  if (v.entries.length === 0) return '{}';
  return `{ ${v.entries.map((e) => `${key(e.key)}: ${inline(e.value)}`).join(', ')} }`;
}

const key = (k: string) => (IDENTIFIER.test(k) ? k : `'${k}'`);

/** TypeScript source for a value at `indent`, comments as `//` lines above their entries. */
export function renderTs(v: Commented, indent = 0, width = 110): string {
  const flat = inline(v);
  if (typeof v !== 'object' || (!hasComments(v) && flat.length + indent <= width)) return flat;
  const pad = ' '.repeat(indent + 2);
  const lines: string[] = [];
  const comments = (c: readonly string[] | undefined) => {
    for (const line of c ?? []) lines.push(`${pad}// ${line}`);
  };
  if (v.kind === 'array') {
    for (const i of v.items) {
      comments(i.comment);
      lines.push(`${pad}${renderTs(i.value, indent + 2, width)},`);
    }
    return `[\n${lines.join('\n')}\n${' '.repeat(indent)}]`;
  }
  for (const e of v.entries) {
    comments(e.comment);
    lines.push(`${pad}${key(e.key)}: ${renderTs(e.value, indent + 2, width)},`);
  }
  return `{\n${lines.join('\n')}\n${' '.repeat(indent)}}`;
}
