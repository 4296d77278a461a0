import { Worker } from 'node:worker_threads';
import type {
  Availability,
  ModelArtifact,
  NamedTensors,
  RuntimeAdapter,
  RuntimeEnvironment,
  RuntimeSession,
  TensorSpec,
} from '@bert-parity/core';
import { availableWhen } from '@bert-parity/runtime-base';
import { BROWSER_RUNTIMES, type BrowserRuntime, type BrowserSessionOptions } from './runtimes.ts';
import { errorFrom, type Opened, type Reply, type Request, type WorkerOptions } from './wire.ts';

export type BrowserRunnerOptions = WorkerOptions;

/**
 * The browser platform as the engine sees it. The machinery (loopback server, Playwright, Chromium, the
 * page sessions: PageRunner) runs in a worker thread that starts at the first call and stops at close(),
 * so that a page keeps loading and running while this thread computes host cells (a synchronous TF.js or
 * LiteRT.js run here would otherwise stall every DevTools and HTTP exchange of the page).
 */
export class BrowserRunner {
  private worker: Worker | undefined;
  private exited: Error | undefined;
  private readonly pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  private calls = 0;

  constructor(private readonly options: BrowserRunnerOptions = {}) {}

  /** The built-in runtimes (a runner may add test doubles through options.runtimeModules). */
  get runtimeNames(): string[] {
    return BROWSER_RUNTIMES.map((r: BrowserRuntime) => r.name);
  }

  adapter(name: string): BrowserAdapter {
    return new BrowserAdapter(this, name);
  }

  /** Starts the server and the browser (E_PLATFORM_UNAVAILABLE where there is none). */
  async start(): Promise<void> {
    await this.call({ op: 'start' });
  }

  /**
   * Starts the browser and loads a page for each runtime and settings these sessions will need, while the
   * caller goes on (each open() then takes its page when ready).
   */
  async warm(sessions: readonly { runtime: string; options: BrowserSessionOptions }[]): Promise<void> {
    await this.call({ op: 'warm', sessions: [...sessions] });
  }

  async open(runtime: string, model: ModelArtifact, options: BrowserSessionOptions): Promise<RemoteSession> {
    const opened = (await this.call({ op: 'open', runtime, model, options })) as Opened;
    return new RemoteSession(this, opened);
  }

  /** Closes the browser and the server, then ends the worker. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    try {
      await this.call({ op: 'shutdown' });
    } finally {
      this.worker = undefined;
      await worker.terminate();
    }
  }

  /** @internal */
  call(req: Request, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const worker = this.ensureWorker();
    if (this.exited !== undefined) return Promise.reject(this.exited);
    const id = ++this.calls;
    // Referenced only while a call is out: an idle worker must not keep the engine's process alive, and a
    // call must (this thread may have nothing else to wait for).
    worker.ref();
    return new Promise<unknown>((ok, fail) => {
      this.pending.set(id, { ok, fail });
      worker.postMessage({ id, ...req }, transfer);
    }).finally(() => {
      if (this.pending.size === 0) worker.unref();
    });
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    this.exited = undefined;
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: this.options });
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) p?.fail(errorFrom(reply.error));
      else p?.ok(reply.ok);
    });
    const failAll = (e: Error) => {
      this.exited = e;
      for (const p of this.pending.values()) p.fail(e);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the browser platform's worker exited (code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

/** A model open in a page, seen from the engine's thread; the worker's BrowserSession (a BaseSession) does the work. */
export class RemoteSession implements RuntimeSession {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly environment: RuntimeEnvironment;
  /** The last run inside the runtime, on the page's clock (the engine's own clock also counts waiting for this thread). */
  measuredLatencyMs: number | undefined;
  readonly latencyClock = 'page';
  private closed = false;

  constructor(
    private readonly runner: BrowserRunner,
    private readonly opened: Opened,
  ) {
    this.inputs = opened.inputs;
    this.outputs = opened.outputs;
    this.environment = opened.environment;
  }

  async run(feeds: NamedTensors): Promise<NamedTensors> {
    const { outputs, pageMs } = (await this.runner.call({ op: 'run', session: this.opened.session, feeds })) as {
      outputs: NamedTensors;
      pageMs: number | undefined;
    };
    this.measuredLatencyMs = pageMs;
    return outputs;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.runner.call({ op: 'close', session: this.opened.session });
  }
}

/** One browser runtime behind the RuntimeAdapter contract; sessions run in the runner's browser. */
export class BrowserAdapter implements RuntimeAdapter {
  readonly name: string;
  readonly formats: BrowserRuntime['formats'];

  constructor(
    private readonly runner: BrowserRunner,
    private readonly runtime: string,
  ) {
    this.name = `${runtime} (browser)`;
    this.formats = BROWSER_RUNTIMES.find((r) => r.name === runtime)?.formats ?? [];
  }

  /** Ok when the browser starts here (it then stays up for the sessions). */
  available(): Promise<Availability> {
    return availableWhen(() => this.runner.start());
  }

  open(model: ModelArtifact, options: BrowserSessionOptions = {}): Promise<RemoteSession> {
    return this.runner.open(this.runtime, model, options);
  }
}
