/**
 * Lets the event loop take its next task. The platforms' lanes share this thread: a lane that awaits a
 * runtime whose run is synchronous underneath (TF.js, LiteRT.js, the float64 pass) never yields to
 * message and I/O callbacks, so the browser's replies would wait for the whole host lane. Lanes call this
 * after each unit of synchronous work.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A clock for work that yields every `sliceMs` of synchronous time: `if (slice.due()) await nextTurn()`. */
export function timeSlice(sliceMs = 20): { due(): boolean } {
  let since = performance.now();
  return {
    due() {
      const now = performance.now();
      if (now - since < sliceMs) return false;
      since = now;
      return true;
    },
  };
}
