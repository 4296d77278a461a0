import { basename, dirname, relative } from 'node:path';
import { isParityError, type ModelArtifact, ParityError, type RuntimeEnvironment } from '@bert-parity/core';
import { artifactIdsInput, artifactVocabSize, openFixedBatch, requireFormat } from '@bert-parity/runtime-base';
import type { Browser, BrowserContext } from 'playwright-core';
import { PageChannel } from './channel.ts';
import { CHROMIUM_FLAGS, chromiumPath, jsFlagsOf, launchChromium } from './chromium.ts';
import { bundlePage, EMPTY_MODULE, type RuntimePage, runtimePage } from './pages.ts';
import type { OpenRequest, OpenResult, PageModel } from './protocol.ts';
import { BROWSER_RUNTIMES, type BrowserRuntime, type BrowserSessionOptions } from './runtimes.ts';
import { LoopbackServer } from './server.ts';
import { BrowserSession } from './session.ts';

/** Default time limit of each step in a page (loading the runtime, opening the model, each run). */
export const DEFAULT_TIMEOUT_MS = 120_000;

export interface PageRunnerOptions {
  /** The browser; default BERT_PARITY_CHROMIUM, else /usr/bin/chromium. */
  executablePath?: string;
  /** Extra Chromium switches. */
  args?: readonly string[];
  /** Time limit of each step in a page; default DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Runtimes over (by name) or beside the built-in ones. */
  runtimes?: readonly BrowserRuntime[];
}

interface Started {
  server: LoopbackServer;
  browser: Browser;
  /** One context for every page: they share its HTTP cache, so a runtime's files load once per run. */
  context: BrowserContext;
  version: string;
}

/**
 * The browser platform's machinery (it runs in BrowserRunner's worker thread): a loopback server and one
 * headless Chromium, started at the first session and stopped by close(). Each session gets a page of its own (one JS realm, one renderer), so a
 * crashed or hung page takes nothing else with it.
 */
export class PageRunner {
  private started: Promise<Started> | undefined;
  private readonly runtimes = new Map<string, BrowserRuntime>();
  private readonly pages = new Map<string, RuntimePage>();
  /** Loaded pages without a session, by runtime and page-wide settings (see pageKey). */
  private readonly idle = new Map<string, PageChannel[]>();
  /** Pages loading ahead of their first session (warm), by the same key; taken by the first open. */
  private readonly warming = new Map<string, Promise<PageChannel>>();
  private sessionCount = 0;
  readonly timeoutMs: number;

  constructor(private readonly options: PageRunnerOptions = {}) {
    for (const r of [...BROWSER_RUNTIMES, ...(options.runtimes ?? [])]) this.runtimes.set(r.name, r);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The runtimes this runner has pages for. */
  get runtimeNames(): string[] {
    return [...this.runtimes.keys()];
  }

  /** A runtime by name; E_RUNTIME_UNAVAILABLE naming the ones there are. */
  runtime(name: string): BrowserRuntime {
    const runtime = this.runtimes.get(name);
    if (runtime === undefined) {
      throw new ParityError(
        'E_RUNTIME_UNAVAILABLE',
        `the browser platform has no runtime ${name}; expected one of ${this.runtimeNames.join(', ')}`,
      );
    }
    return runtime;
  }

  /** Starts the server and the browser once; a failure to start is remembered (every cell reports it). */
  start(): Promise<Started> {
    if (this.started !== undefined) return this.started;
    const starting: Promise<Started> = (async () => {
      const server = await LoopbackServer.start();
      server.text(EMPTY_MODULE.path, EMPTY_MODULE.body);
      let browser: Browser;
      try {
        browser = await launchChromium({
          proxy: server.origin.replace('http://', ''),
          ...(this.options.executablePath === undefined ? {} : { executablePath: this.options.executablePath }),
          ...(this.options.args === undefined ? {} : { args: this.options.args }),
        });
      } catch (e) {
        await server.close();
        throw e;
      }
      // A browser that dies under the run (not closed by us) is started again by the next session.
      browser.on('disconnected', () => {
        if (this.started !== starting) return;
        this.started = undefined;
        this.forgetPages();
        void server.close();
      });
      return { server, browser, context: await browser.newContext(), version: browser.version() };
    })();
    this.started = starting;
    return starting;
  }

  /**
   * Opens a model in a page running `runtime`: a page the runtime has already loaded, when one is idle
   * with the same page-wide settings (its wasm compiled, its shaders built: a web app loading a second
   * model), else a fresh one. A page that failed (crash, time limit, outbound request) is never reused.
   */
  async open(runtime: BrowserRuntime, model: ModelArtifact, options: BrowserSessionOptions): Promise<BrowserSession> {
    requireFormat(runtime.name, runtime.formats, model);
    try {
      return await this.openIn(runtime, model, options, true);
    } catch (e) {
      // A page or browser that died while idle (no cell of its own to blame) is not this cell's failure:
      // once more, on a fresh page, in a browser started again if it is gone.
      if (!isParityError(e, 'E_BROWSER_CRASH')) throw e;
      await this.forgetLostBrowser();
      return this.openIn(runtime, model, options, false);
    }
  }

  /** If the browser is gone (killed, crashed), forgets it and its pages so the next start() launches one. */
  private async forgetLostBrowser(): Promise<void> {
    const s = await this.started?.catch(() => undefined);
    if (s === undefined || s.browser.isConnected()) return;
    this.started = undefined;
    this.forgetPages();
    await s.server.close();
  }

  private forgetPages(): void {
    this.idle.clear();
    this.warming.clear();
    this.pages.clear();
  }

  /**
   * Starts the browser and loads a page of `runtime` with these settings, unless one is loaded or
   * loading: the next open() of that runtime takes it. For work ahead of the cells (the engine's
   * prepare); a failure here is dropped, and the open that would have used the page meets it again.
   */
  warm(runtime: BrowserRuntime, options: BrowserSessionOptions): void {
    const key = pageKey(runtime, options);
    if ((this.idle.get(key)?.length ?? 0) > 0 || this.warming.has(key)) return;
    const loading = this.start().then(({ server, context }) =>
      this.freshPage(context, server, this.page(runtime, server), `${runtime.name} in the browser`),
    );
    loading.catch(() => undefined);
    this.warming.set(key, loading);
  }

  /**
   * The page for a session, and which it is (for the session's environment): one that ran an earlier
   * session of this runtime, one loaded ahead by warm(), or one loaded for it (the cell then paid for
   * loading the runtime).
   */
  private async pageFor(
    key: string,
    reuse: boolean,
    fresh: () => Promise<PageChannel>,
  ): Promise<{ channel: PageChannel; pageState: 'reused' | 'loaded ahead' | 'fresh' }> {
    const idle = reuse ? this.idle.get(key)?.pop() : undefined;
    if (idle !== undefined) return { channel: idle, pageState: 'reused' };
    const warm = reuse ? await this.takeWarm(key) : undefined;
    if (warm !== undefined) return { channel: warm, pageState: 'loaded ahead' };
    return { channel: await fresh(), pageState: 'fresh' };
  }

  /** The page warm() loaded for this key, if any and if it loaded. */
  private async takeWarm(key: string): Promise<PageChannel | undefined> {
    const loading = this.warming.get(key);
    if (loading === undefined) return undefined;
    this.warming.delete(key);
    const channel = await loading.catch(() => undefined);
    return channel?.alive === true ? channel : undefined;
  }

  private async openIn(
    runtime: BrowserRuntime,
    model: ModelArtifact,
    options: BrowserSessionOptions,
    reuse: boolean,
  ): Promise<BrowserSession> {
    const request = runtime.request(model, options);
    const { server, context, version } = await this.start();
    const page = this.page(runtime, server);
    const prefix = `/s/${++this.sessionCount}/`;
    const pageModel = mountModel(server, prefix, model);
    const what = `${runtime.name} in the browser`;
    const key = pageKey(runtime, options);
    const { channel, pageState } = await this.pageFor(key, reuse, () => this.freshPage(context, server, page, what));
    const release = async () => {
      server.remove(prefix);
      if (channel.alive) {
        const list = this.idle.get(key) ?? [];
        list.push(channel);
        this.idle.set(key, list);
      } else {
        await channel.close();
      }
    };
    try {
      const packages: Record<string, string> = {};
      for (const [name, pkg] of page.packages) packages[name] = pkg.url;
      const full: OpenRequest = { model: pageModel, packages, ...request };
      const info = await channel.call<OpenResult>('open', full, 'E_RUNTIME_LOAD').catch((e: unknown) => {
        throw opFailure(runtime, e);
      });
      const specs = runtime.specs(info, model);
      // The page splits a batch into rows for a fixed batch of 1 (harness runRows): one exchange per batch.
      const inputs = specs.inputs.map(openFixedBatch);
      const outputs = specs.outputs.map(openFixedBatch);
      const library = page.packages.get(runtime.library.at(-1) as string);
      const pageEnv = info.environment;
      const environment: RuntimeEnvironment = {
        ...pageEnv,
        runtime: runtime.library.at(-1) as string,
        version: String(pageEnv.version ?? library?.version ?? 'unknown'),
        backend: String(pageEnv.backend ?? request.backend ?? 'unknown'),
        platform: 'browser',
        browser: `Chromium ${version}`,
        browserPath: this.options.executablePath ?? chromiumPath(),
        page: pageState,
      };
      const jsFlags = jsFlagsOf([...CHROMIUM_FLAGS, ...(this.options.args ?? [])]);
      if (jsFlags !== undefined) environment.jsFlags = jsFlags;
      const session = new BrowserSession(
        { channel, server, prefix, what, modelPath: model.path, timeoutMs: this.timeoutMs, release },
        {
          modelInputs: inputs,
          modelOutputs: outputs,
          named: info.named,
          options,
          environment,
          vocabSize: artifactVocabSize(model),
          idsModelInput: artifactIdsInput(model),
        },
      );
      return session;
    } catch (e) {
      // The model did not open; the page stays usable unless the failure was the page's own.
      await channel.call('close', undefined, 'E_RUNTIME_RUN').catch(() => undefined);
      await release();
      throw e;
    }
  }

  /** Closes the browser (every page with it; Playwright ends its whole process group) and the server. */
  async close(): Promise<void> {
    const started = this.started;
    this.started = undefined;
    this.forgetPages();
    if (started === undefined) return;
    const s = await started.catch(() => undefined);
    if (s === undefined) return;
    await s.browser.close().catch(() => undefined);
    await s.server.close();
  }

  /** A new page with the runtime loaded (or the coded reason it would not load). */
  private async freshPage(
    context: BrowserContext,
    server: LoopbackServer,
    page: RuntimePage,
    what: string,
  ): Promise<PageChannel> {
    const channel = await PageChannel.open(context, server.origin, what, this.timeoutMs);
    try {
      await channel.load(`${server.origin}${page.url}`);
      return channel;
    } catch (e) {
      await channel.close();
      throw e;
    }
  }

  /** Registers a runtime's page, its bundled module and its packages' folders with the server, once. */
  private page(runtime: BrowserRuntime, server: LoopbackServer): RuntimePage {
    let page = this.pages.get(runtime.name);
    if (page === undefined) {
      page = runtimePage(runtime);
      server.text(page.url, page.html);
      server.text(page.script, () => bundlePage(runtime.page));
      for (const pkg of page.packages.values()) server.folder(pkg.url, pkg.dir, { immutable: true });
      this.pages.set(runtime.name, page);
    }
    return page;
  }
}

/**
 * Pages are shared by sessions of one runtime with the same page-wide settings: the wasm thread count
 * and runtime flags are fixed when a runtime starts in a page (onnxruntime-web's numThreads, TF.js's
 * WebGL texture flags).
 */
function pageKey(runtime: BrowserRuntime, options: BrowserSessionOptions): string {
  return JSON.stringify([runtime.name, options.threads ?? null, options.flags ?? null]);
}

/** A failed open whose log names a failing operator (LiteRT.js: a too-new op version, an unknown builtin). */
function opFailure(runtime: BrowserRuntime, e: unknown): unknown {
  const log = e instanceof ParityError ? e.details?.log : undefined;
  if (!Array.isArray(log) || log.length === 0) return e;
  const lines = log.map(String);
  const code = lines.some((l) => runtime.opFailure?.test(l) === true) ? 'E_RUNTIME_OP' : (e as ParityError).code;
  return new ParityError(code, `${(e as ParityError).message}; log: ${lines.join(' | ')}`, {
    cause: e,
    details: { ...(e as ParityError).details, log: lines },
  });
}

/**
 * Serves the model's files under the session's prefix: the folder for a Hugging Face folder (the
 * runtime reads what it needs), else exactly the artifact's files (model, weight shards, external data).
 */
function mountModel(server: LoopbackServer, prefix: string, model: ModelArtifact): PageModel {
  const dir = model.format === 'hf-dir' ? model.path : dirname(model.path);
  const id = basename(dir);
  const root = `${prefix}model/`;
  const base = `${root}${id}/`;
  if (model.format === 'hf-dir') {
    server.folder(base, dir);
  } else {
    for (const f of model.files) server.file(`${base}${relative(dir, f.path).split('\\').join('/')}`, f.path);
  }
  const main = model.format === 'hf-dir' ? '' : basename(model.path);
  return { format: model.format, precision: model.precision, base, main, root, id };
}
