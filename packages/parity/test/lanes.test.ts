import { resolve } from 'node:path';
import type { RuntimeSession } from '@bert-parity/core';
import { describe, expect, it } from 'vitest';
import { configFromValue } from '../src/config/index.ts';
import { runLane } from '../src/engine/lanes.ts';
import type { PlannedSession, PlatformDefinition } from '../src/engine/platform.ts';
import { browserPlatform } from '../src/engine/platform-browser.ts';
import { hostPlatform } from '../src/engine/platform-host.ts';
import { registerPlatform } from '../src/engine/platforms.ts';
import { runCheck } from '../src/engine/run.ts';
import { nextTurn } from '../src/engine/turn.ts';
import { REPO_ROOT } from '../src/paths.ts';
import type { ModelCell } from '../src/report/types.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runLane', () => {
  const items = (...runtimes: (string | undefined)[]) => runtimes.map((runtime, i) => ({ i, runtime }));

  it('width 1 runs the items one after another in order', async () => {
    const log: string[] = [];
    await runLane(items('a', 'a', 'b', undefined), 1, async ({ i }) => {
      log.push(`start ${i}`);
      await sleep(2);
      log.push(`end ${i}`);
    });
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('width 2 overlaps different runtimes, never one runtime twice; a later item goes first when its runtime is free', async () => {
    const log: string[] = [];
    const running = new Map<string, number>();
    let most = 0;
    let now = 0;
    // a a b a c: while the first 'a' runs, the second 'a' waits and 'b' starts beside it.
    await runLane(items('a', 'a', 'b', 'a', 'c'), 2, async ({ i, runtime }) => {
      const r = runtime as string;
      expect(running.get(r) ?? 0).toBe(0);
      running.set(r, 1);
      now += 1;
      most = Math.max(most, now);
      log.push(`start ${i}`);
      await sleep(i === 0 ? 30 : 5);
      log.push(`end ${i}`);
      running.set(r, 0);
      now -= 1;
    });
    expect(most).toBe(2);
    expect(log.slice(0, 2)).toEqual(['start 0', 'start 2']);
    expect(log.filter((l) => l.startsWith('start')).sort()).toEqual([
      'start 0',
      'start 1',
      'start 2',
      'start 3',
      'start 4',
    ]);
    // The second 'a' starts only after the first 'a' ended.
    expect(log.indexOf('start 1')).toBeGreaterThan(log.indexOf('end 0'));
  });

  it('items without a runtime may overlap', async () => {
    let now = 0;
    let most = 0;
    await runLane(items(undefined, undefined, undefined), 3, async () => {
      now += 1;
      most = Math.max(most, now);
      await sleep(5);
      now -= 1;
    });
    expect(most).toBe(3);
  });

  it('lets the event loop in between items that never wait on it (a synchronous runtime)', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('other lane'));
    await runLane(items('a', 'a'), 1, async ({ i }) => {
      order.push(`item ${i}`);
    });
    expect(order).toEqual(['item 0', 'other lane', 'item 1']);
  });

  it('nextTurn runs what the event loop holds before it resolves', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('queued'));
    await nextTurn();
    order.push('after');
    expect(order).toEqual(['queued', 'after']);
  });
});

describe('a platform that takes two cells at once and is told the run ahead (prepare)', () => {
  /**
   * A browser double: the host's own tfjs-wasm, litert and transformers adapters (real outputs, so the
   * cells pass), each open held 40 ms as a page would be, recording what ran when.
   */
  function recordingPlatform() {
    const events: string[] = [];
    const prepared: PlannedSession[][] = [];
    const open = new Map<string, number>();
    let most = 0;
    const definition: PlatformDefinition = {
      name: 'browser',
      runtimes: ['tfjs-wasm', 'litert', 'transformers'],
      concurrency: 2,
      create() {
        const host = hostPlatform.create();
        return {
          prepare(sessions) {
            events.push('prepare');
            prepared.push([...sessions]);
          },
          async open(runtime, model, options) {
            events.push(`open ${runtime}`);
            expect(open.get(runtime) ?? 0).toBe(0);
            open.set(runtime, 1);
            most = Math.max(
              most,
              [...open.values()].reduce((a, b) => a + b, 0),
            );
            await sleep(40);
            const session = await host.open(runtime, model, options);
            const close = session.close.bind(session);
            return Object.assign(session, {
              close: async () => {
                open.set(runtime, 0);
                await close();
              },
            }) as RuntimeSession;
          },
          close: () => host.close(),
        };
      },
    };
    return { definition, events, prepared, most: () => most };
  }

  it('gets the planned sessions before the first open, runs two runtimes at once, one session per runtime, and reports in plan order', async () => {
    const rec = recordingPlatform();
    const loaded = configFromValue(
      {
        variants: [{ fixture: 'tfjs-float32' }, { fixture: 'tflite-float32' }, { fixture: 'hf-float32' }],
        runtimes: [{ name: 'tfjs-wasm', batch: 4, threads: 1 }, { name: 'litert' }, { name: 'transformers', batch: 4 }],
        platforms: ['browser'],
        inputs: { corpus: resolve(REPO_ROOT, 'golden/corpus.dev.jsonl'), count: 4, maxSeqLength: 32 },
        tokenizer: { vocab: resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt') },
        bounds: { float32: { '*': { relL2: 1e-5 } } },
        latencyRuns: 0,
      },
      REPO_ROOT,
    );
    registerPlatform(rec.definition);
    let report: Awaited<ReturnType<typeof runCheck>>;
    try {
      report = await runCheck(loaded);
    } finally {
      registerPlatform(browserPlatform);
    }
    const cells = report.cells.filter((c): c is ModelCell => c.kind === 'model');
    expect(cells.map((c) => `${c.id} ${c.status}`)).toEqual([
      'tfjs-float32@tfjs-wasm/browser pass',
      'tflite-float32@litert/browser pass',
      'hf-float32@transformers/browser pass',
    ]);
    expect(rec.events[0]).toBe('prepare');
    expect(rec.prepared).toEqual([
      [
        { runtime: 'tfjs-wasm', options: { threads: 1 } },
        { runtime: 'litert', options: {} },
        { runtime: 'transformers', options: {} },
      ],
    ]);
    expect(rec.most()).toBe(2);
  }, 120_000);
});
