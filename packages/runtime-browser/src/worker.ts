import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelArtifact, NamedTensors } from '@bert-parity/core';
import { PageRunner } from './page-runner.ts';
import type { BrowserRuntime } from './runtimes.ts';
import type { BrowserSession } from './session.ts';
import { errorReply, type Opened, type Reply, type Request, type WorkerOptions } from './wire.ts';

/**
 * BrowserRunner's worker thread: the loopback server, Playwright and the sessions live here, on an event
 * loop of their own, so pages load and exchange tensors while the engine's thread is busy with host cells.
 */
const options = workerData as WorkerOptions;
const extra: BrowserRuntime[] = [];
for (const m of options.runtimeModules ?? []) {
  const mod = (await import(pathToFileURL(m).href)) as { default: BrowserRuntime | BrowserRuntime[] };
  extra.push(...[mod.default].flat());
}
const runner = new PageRunner({ ...options, runtimes: extra });
const sessions = new Map<number, BrowserSession>();
let count = 0;

async function handle(req: Request): Promise<{ ok: unknown; transfer?: ArrayBuffer[] }> {
  switch (req.op) {
    case 'start':
      await runner.start();
      return { ok: true };
    case 'warm':
      // Not awaited: the pages load while the engine goes on; open() takes them when they are ready.
      // A runtime this runner lacks is left to open() to report.
      for (const w of req.sessions) {
        if (runner.runtimeNames.includes(w.runtime)) runner.warm(runner.runtime(w.runtime), w.options);
      }
      return { ok: true };
    case 'open': {
      const s = await runner.open(runner.runtime(req.runtime), req.model as ModelArtifact, req.options);
      const session = ++count;
      sessions.set(session, s);
      const opened: Opened = { session, inputs: [...s.inputs], outputs: [...s.outputs], environment: s.environment };
      return { ok: opened };
    }
    case 'run': {
      const s = sessions.get(req.session);
      if (s === undefined) throw new Error(`no session ${req.session}`);
      const outputs = await s.run(req.feeds as NamedTensors);
      const transfer = Object.values(outputs).map((t) => t.data.buffer as ArrayBuffer);
      return { ok: { outputs, pageMs: s.lastPageMs }, transfer: [...new Set(transfer)] };
    }
    case 'close':
      await sessions.get(req.session)?.close();
      sessions.delete(req.session);
      return { ok: true };
    case 'shutdown':
      await runner.close();
      return { ok: true };
  }
}

parentPort?.on('message', (msg: { id: number } & Request) => {
  handle(msg).then(
    ({ ok, transfer }) => parentPort?.postMessage({ id: msg.id, ok } satisfies Reply, transfer ?? []),
    (e: unknown) => parentPort?.postMessage(errorReply(msg.id, e)),
  );
});
