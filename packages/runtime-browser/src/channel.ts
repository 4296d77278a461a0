import { ERROR_CODES, type ErrorCode, ParityError } from '@bert-parity/core';
import type { BrowserContext, Page } from 'playwright-core';
import type { PageReply } from './protocol.ts';

type Method = 'open' | 'run' | 'close';

/** How long closing a page may take before it is given up on (the browser's close ends it anyway). */
const CLOSE_LIMIT_MS = 10_000;

/**
 * One page, and every way it can fail: each call into the page is raced against
 * the time limit and a crash of the page's renderer, and every request the page or its workers make
 * anywhere but the loopback server is recorded (the server, the browser's proxy, refuses it) and fails
 * the step that made it. After a timeout or a crash the page is closed (which ends its renderer, hung or
 * not) and the channel refuses further calls: the next cell gets a fresh page.
 */
export class PageChannel {
  /** Uncaught errors and console errors of the page, for messages. */
  readonly problems: string[] = [];
  private dead: ParityError | undefined;
  private readonly crashed: Promise<never>;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly page: Page,
    private readonly what: string,
    private readonly limitMs: number,
    /** Requests the page tried to make outside the server (blocked). */
    readonly blocked: readonly string[],
  ) {
    this.crashed = new Promise<never>((_, reject) => {
      page.on('crash', () =>
        reject(
          this.kill(
            new ParityError(
              'E_BROWSER_CRASH',
              `${what}: the page crashed (its renderer process died)${this.lastProblem()}; the next cell gets a fresh page`,
            ),
          ),
        ),
      );
    });
    this.crashed.catch(() => undefined);
    page.on('pageerror', (e) => this.problems.push(`uncaught ${e.name}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') this.problems.push(m.text());
    });
  }

  static async open(context: BrowserContext, origin: string, what: string, limitMs: number): Promise<PageChannel> {
    const blocked: string[] = [];
    let page: Page;
    try {
      page = await context.newPage();
    } catch (cause) {
      throw new ParityError(
        'E_BROWSER_CRASH',
        `${what}: the browser cannot open a page (${(cause as Error).message.split('\n')[0]}); the next cell starts it again`,
        { cause },
      );
    }
    // Observed, not intercepted (interception costs a DevTools round trip per request); the page's events
    // include its workers' requests. blob: and data: URLs never leave the page.
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(`${origin}/`) && !/^(blob|data):/.test(url)) blocked.push(url);
    });
    page.on('websocket', (ws) => blocked.push(ws.url()));
    return new PageChannel(page, what, limitMs, blocked);
  }

  /** False once the page failed (crash, time limit, outbound request): it is closed and never reused. */
  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Loads the runtime's page and waits for its harness (or the reason it failed to load). */
  async load(url: string): Promise<void> {
    await this.guard('load', async () => {
      await this.page.goto(url, { waitUntil: 'load', timeout: 0 });
      await this.page.waitForFunction(
        () => {
          const g = globalThis as { bertParity?: unknown; bertParityLoadError?: unknown };
          return g.bertParity !== undefined || g.bertParityLoadError !== undefined;
        },
        undefined,
        { timeout: 0, polling: 50 },
      );
    });
    const failed = await this.page.evaluate(() => (globalThis as { bertParityLoadError?: string }).bertParityLoadError);
    this.checkNetwork();
    if (failed !== undefined) {
      throw new ParityError(
        'E_RUNTIME_UNAVAILABLE',
        `${this.what}: the runtime failed to load in the page: ${failed.split('\n')[0]}${this.lastProblem()}`,
        { details: { stack: failed } },
      );
    }
  }

  /** Calls globalThis.bertParity[method](arg) in the page; its coded failures keep their code. */
  async call<T>(method: Method, arg: unknown, fallback: ErrorCode, limitMs = this.limitMs): Promise<T> {
    const reply = await this.guard(
      method,
      () =>
        this.page.evaluate(
          ([m, a]) =>
            (globalThis as unknown as { bertParity: Record<string, (x: unknown) => Promise<unknown>> }).bertParity[m]?.(
              a,
            ),
          [method, arg] as const,
        ) as Promise<PageReply<T>>,
      limitMs,
    );
    this.checkNetwork();
    if (reply.error !== undefined) {
      const { code, message, details } = reply.error;
      const known = code in ERROR_CODES ? (code as ErrorCode) : fallback;
      throw new ParityError(known, `${this.what}: ${message}`, { details: { ...details, page: true } });
    }
    return reply.ok as T;
  }

  /** Closes the page (ending its renderer, hung or not); idempotent. */
  close(): Promise<void> {
    this.closing ??= withLimit(this.page.close({ runBeforeUnload: false }), CLOSE_LIMIT_MS).then(
      () => undefined,
      () => undefined,
    );
    return this.closing;
  }

  private checkNetwork(): void {
    if (this.dead !== undefined) throw this.dead;
    if (this.blocked.length === 0) return;
    const urls = [...new Set(this.blocked)];
    throw this.kill(
      new ParityError(
        'E_RUNTIME_NETWORK',
        `${this.what}: the page tried to reach ${urls.join(', ')}; the browser platform serves everything from its loopback server and blocks every other request`,
        { details: { urls } },
      ),
    );
  }

  private async guard<T>(step: string, task: () => Promise<T>, limitMs = this.limitMs): Promise<T> {
    if (this.dead !== undefined) throw this.dead;
    const work = task();
    work.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            this.kill(
              new ParityError(
                'E_BROWSER_TIMEOUT',
                `${this.what}: ${step} did not finish within ${limitMs} ms; the page was closed (BERT_PARITY_BROWSER_TIMEOUT_MS sets the limit)`,
                { details: { step, limitMs } },
              ),
            ),
          ),
        limitMs,
      );
    });
    try {
      return await Promise.race([work, timeout, this.crashed]);
    } catch (e) {
      if (this.dead !== undefined) throw this.dead;
      if (e instanceof ParityError) throw e;
      // Playwright's own failures: the page or browser went away under the call.
      throw this.kill(
        new ParityError(
          'E_BROWSER_CRASH',
          `${this.what}: ${step} failed because the page went away: ${(e as Error).message.split('\n')[0]}${this.lastProblem()}`,
          { cause: e },
        ),
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private kill(error: ParityError): ParityError {
    this.dead ??= error;
    void this.close();
    return this.dead;
  }

  private lastProblem(): string {
    const last = this.problems[this.problems.length - 1];
    return last === undefined ? '' : ` (last page error: ${last})`;
  }
}

function withLimit<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not done in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
