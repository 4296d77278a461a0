import type { Cell } from '../report/types.ts';

export interface Progress {
  start(total: number): void;
  cellStarted(id: string): void;
  cellDone(cell: Cell): void;
  stop(): void;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/**
 * On a TTY, one line rewritten in place ("[3/12] onnx-int8@onnx/host …"); elsewhere (CI logs, pipes) no
 * redrawing, just one line per finished cell, so logs stay readable.
 */
export function streamProgress(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }): Progress {
  let total = 0;
  let done = 0;
  const tty = stream.isTTY === true;
  const line = (text: string) => {
    const width = (stream.columns ?? 100) - 1;
    stream.write(`\r${text.slice(0, width).padEnd(width)}`);
  };
  return {
    start(n) {
      total = n;
    },
    cellStarted(id) {
      if (tty) line(`[${done + 1}/${total}] ${id} …`);
    },
    cellDone(cell) {
      done++;
      const text = `[${done}/${total}] ${cell.status.toUpperCase().padEnd(5)} ${cell.id} (${secs(cell.wallMs)})`;
      if (tty) line(text);
      else stream.write(`${text}\n`);
    },
    stop() {
      if (tty) stream.write(`\r${' '.repeat((stream.columns ?? 100) - 1)}\r`);
    },
  };
}

export const silentProgress: Progress = { start() {}, cellStarted() {}, cellDone() {}, stop() {} };
