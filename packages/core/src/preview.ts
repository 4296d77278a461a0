/**
 * A value from an untrusted file, shown in an error message: what JSON.stringify writes, cut after `max`
 * characters with "…". Written without recursion and stopping at the budget, because the values that
 * end up in error messages are the malformed ones: arrays nested 100,000 deep (JSON.stringify overflows
 * the stack) or strings and objects of megabytes (a message no one can read). undefined is "undefined".
 */
export function preview(value: unknown, max = 80): string {
  let out = '';
  // Work items: a value to write, or literal text (closing brackets, separators).
  const stack: ({ text: string } | { value: unknown })[] = [{ value }];
  while (stack.length > 0 && out.length <= max) {
    const item = stack.pop() as { text: string } | { value: unknown };
    if ('text' in item) {
      out += item.text;
      continue;
    }
    const v = item.value;
    if (v === undefined) out += 'undefined';
    else if (typeof v === 'string') out += JSON.stringify(v.length > max ? v.slice(0, max + 1) : v);
    else if (typeof v === 'bigint') out += `${v}`;
    else if (v === null || typeof v !== 'object') out += JSON.stringify(v) ?? String(v);
    else {
      const isArray = Array.isArray(v);
      // Inside arrays JSON.stringify writes null for what it cannot write (undefined, functions); in objects
      // it leaves the key out.
      const unwritable = (x: unknown) => x === undefined || typeof x === 'function' || typeof x === 'symbol';
      const entries: [string | undefined, unknown][] = isArray
        ? v.slice(0, max).map((x) => [undefined, unwritable(x) ? null : x])
        : Object.keys(v)
            .slice(0, max)
            .map((k): [string, unknown] => [k, (v as Record<string, unknown>)[k]])
            .filter(([, x]) => !unwritable(x));
      out += isArray ? '[' : '{';
      stack.push({ text: isArray ? ']' : '}' });
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, x] = entries[i] as [string | undefined, unknown];
        stack.push({ value: x });
        if (key !== undefined) stack.push({ text: `${JSON.stringify(key)}:` });
        if (i > 0) stack.push({ text: ',' });
      }
    }
  }
  return out.length > max || stack.length > 0 ? `${out.slice(0, max)}…` : out;
}
