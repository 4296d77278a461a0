import { ParityError } from '@bert-parity/core';

let depth = 0;
let saved: typeof fetch | undefined;

/**
 * Runs `task` with globalThis.fetch replaced by a guard that rejects every non-file URL with
 * E_RUNTIME_NETWORK: transformers.js reads local folders with fs, so any fetch during a load or run is
 * an attempt to reach the network. Nested and concurrent calls share one guard; the original fetch is
 * restored when the last one ends. Other code fetching in the same process meanwhile is refused too.
 */
export async function withoutNetwork<T>(task: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    saved = globalThis.fetch;
    const original = saved;
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.startsWith('file:')) return original(input, init);
      throw new ParityError(
        'E_RUNTIME_NETWORK',
        `a fetch of ${url} was attempted while running offline; expected local files only`,
        {
          details: { url },
        },
      );
    }) as typeof fetch;
  }
  try {
    return await task();
  } finally {
    if (--depth === 0 && saved !== undefined) globalThis.fetch = saved;
  }
}
