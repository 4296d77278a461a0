import { ParityError } from '@bert-parity/core';
import type { FuzzTarget } from '../src/targets.ts';

/**
 * Readers that misbehave on purpose, to show the campaign catches each way a reader can: the seed is
 * "ok", and the first byte of a mutated input picks the misbehaviour, so every kind shows up within a few
 * hundred inputs. Loaded by the fuzzing processes by module path, like the project's targets.ts.
 */
const seed = (name: string, text: string) => new Map([[name, new TextEncoder().encode(text)]]);

const base = {
  reads: 'a test reader',
  formats: [[/./, 'bytes']] as const,
  seeds: async () => [seed('input.bin', 'ok: a seed that reads cleanly, long enough to mutate in many places')],
};

function byte(files: ReadonlyMap<string, Uint8Array>): number {
  const b = files.get('input.bin');
  return b === undefined || b.length === 0 ? -1 : (b[0] as number);
}

const kept: Uint8Array[] = [];

export const TARGETS: readonly FuzzTarget[] = [
  {
    ...base,
    name: 'coded',
    // Only coded errors: the clean case.
    run: (_dir, files) => {
      if (byte(files) !== 0x6f) throw new ParityError('E_MODEL_CORRUPT', `first byte ${byte(files)}`);
    },
  },
  {
    ...base,
    name: 'throws',
    run: (_dir, files) => {
      const b = byte(files);
      if (b === 0x6f) return;
      if (b % 2 === 0) throw new TypeError(`bad byte ${b}`); // one signature (numbers masked)
      throw new ParityError('E_MODEL_CORRUPT', 'odd');
    },
  },
  {
    ...base,
    name: 'loops',
    run: (_dir, files) => {
      if (byte(files) === 0x6f || byte(files) % 16 !== 0) return;
      for (;;); // a synchronous loop: only the watchdog can stop it
    },
  },
  {
    ...base,
    name: 'hoards',
    run: (_dir, files) => {
      if (byte(files) === 0x6f || byte(files) % 16 !== 0) return;
      const hoard: Uint8Array[] = [];
      for (;;) hoard.push(new Uint8Array(32 << 20).fill(1)); // resident, so the watchdog sees it grow
    },
  },
  {
    ...base,
    name: 'leaks',
    // Every input behaves on its own, but the process keeps 16 MB of each: it grows past the limit over
    // many inputs, as a long campaign's process may, and a fresh process reads the same input cleanly.
    run: () => {
      kept.push(new Uint8Array(16 << 20).fill(1));
    },
  },
  {
    ...base,
    name: 'aborts',
    run: (_dir, files) => {
      if (byte(files) === 0x6f || byte(files) % 16 !== 0) return;
      process.abort(); // dies without a word, as a native crash would
    },
  },
];
