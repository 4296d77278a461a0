import { preview } from '@bert-parity/core';
import type { z } from 'zod';

/**
 * zod's issues as one line each: the path in the document, what was expected and the value found (shown
 * with `preview`, since bad values in user files can be megabytes long or nested thousands deep).
 */
type Issue = z.core.$ZodIssue;

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(root)' : out;
}

/** Unions report every branch; the branch that got furthest says what the author most likely meant. */
function flatten(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
  if (best.length === 0) return [issue];
  return best.flatMap((i) => flatten({ ...i, path: [...issue.path, ...i.path] } as Issue));
}

function describe(issue: Issue, raw: unknown): string {
  const value = at(raw, issue.path);
  const shown = value === undefined ? 'missing' : preview(value);
  if (issue.code === 'unrecognized_keys') {
    return `${pathText(issue.path)}: unknown key(s) ${issue.keys.map((k) => preview(k)).join(', ')}`;
  }
  return `${pathText(issue.path)}: ${issue.message} (got ${shown})`;
}

export function describeIssues(error: z.ZodError, raw: unknown): string[] {
  return error.issues.flatMap(flatten).map((i) => describe(i, raw));
}
