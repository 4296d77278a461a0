import { nextTurn } from './turn.ts';

/** A unit of a lane's work: `runtime` is what may not run twice at once (undefined: nothing shared). */
export interface LaneItem {
  readonly runtime?: string | undefined;
}

/**
 * Runs a lane's items, at most `width` at a time, starting them in order. An item whose runtime is busy
 * waits and a later item of another runtime goes first: a runtime's cells never overlap (TF.js and
 * LiteRT.js hold process-global state on the host; in a browser, a runtime's loaded page serves one
 * session at a time), so width > 1 only overlaps different runtimes. Width 1 is plain plan order.
 */
export async function runLane<T extends LaneItem>(
  items: readonly T[],
  width: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  const waiting = [...items];
  const busy = new Set<string>();
  const sleepers = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...sleepers]) wake();
    sleepers.clear();
  };
  const runner = async (): Promise<void> => {
    for (;;) {
      const at = waiting.findIndex((i) => i.runtime === undefined || !busy.has(i.runtime));
      if (at < 0) {
        if (waiting.length === 0) return;
        // Every waiting item's runtime is busy in another runner: wait until one finishes.
        await new Promise<void>((wake) => sleepers.add(wake));
        continue;
      }
      const [item] = waiting.splice(at, 1) as [T];
      if (item.runtime !== undefined) busy.add(item.runtime);
      try {
        await run(item);
      } finally {
        if (item.runtime !== undefined) busy.delete(item.runtime);
        wakeAll();
      }
      // Lanes share this thread; let the others' replies in between items.
      await nextTurn();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, runner));
}
