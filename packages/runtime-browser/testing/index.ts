import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath } from '../src/chromium.ts';

/** Why browser tests cannot run here ('' when they can): the Chromium they need is missing. */
export function chromiumMissing(): string {
  const path = chromiumPath();
  return existsSync(path)
    ? ''
    : `${path} not found (Debian: apt-get install chromium; or set BERT_PARITY_CHROMIUM to a Chromium-based browser)`;
}

/** The URL the fetch-* double asks for; the loopback server refuses it. */
export const OUTBOUND_URL = 'https://models.example.com/bert/model.onnx';

/**
 * A JS heap small enough that the crash-* double's page dies within about a second, and large enough for
 * onnxruntime-web's own pages (its weights live in wasm memory, outside this heap).
 */
export const SMALL_HEAP_ARGS: readonly string[] = ['--js-flags=--max-old-space-size=128'];

/**
 * A module for BrowserRunnerOptions.runtimeModules with two page doubles: onnx-web whose page hangs,
 * crashes or reaches out as its model's file name asks (testing/pages/faults.ts), and "broken", whose
 * page cannot load.
 */
export const FAULT_RUNTIMES = fileURLToPath(new URL('./runtimes.ts', import.meta.url));

/** Copies of an ONNX model under names the fault double understands (e.g. ['ok-1', 'hang-1']). */
export function faultModels(onnxFile: string, dir: string, names: readonly string[]): string[] {
  return names.map((n) => {
    const file = join(dir, `${n}.onnx`);
    copyFileSync(onnxFile, file);
    return file;
  });
}

/**
 * The Chromium processes that are descendants of this process, with their process groups (Playwright
 * starts the browser as the leader of a group of its own; its zygote, renderer and GPU processes join it).
 */
export function chromiumProcesses(): { pid: number; pgid: number }[] {
  const stats = new Map<number, { ppid: number; pgid: number; name: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses, so split after the last ')'.
      const close = stat.lastIndexOf(')');
      const [, ppid, pgid] = stat.slice(close + 2).split(' ');
      stats.set(Number(entry), {
        ppid: Number(ppid),
        pgid: Number(pgid),
        name: stat.slice(stat.indexOf('(') + 1, close),
      });
    } catch {
      // the process ended while we looked
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = stats.get(pid)?.ppid; p !== undefined && p > 1; p = stats.get(p)?.ppid) {
      if (p === process.pid) return true;
    }
    return false;
  };
  return [...stats.entries()]
    .filter(([pid, s]) => /chrom/i.test(s.name) && descends(pid))
    .map(([pid, s]) => ({ pid, pgid: s.pgid }));
}

/** Processes still running (zombies aside) in any of these process groups. */
export function aliveInGroups(pgids: ReadonlySet<number>): number[] {
  const alive: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // A zombie has ended; only its exit status waits to be collected.
      if (state !== 'Z' && pgids.has(Number(pgid))) alive.push(Number(entry));
    } catch {
      // gone
    }
  }
  return alive;
}
