import { ParityError } from '@bert-parity/core';
import type { BrowserRunner, BrowserRunnerOptions } from '@bert-parity/runtime-browser';
import type { PlatformDefinition } from './platform.ts';

/** BERT_PARITY_BROWSER_TIMEOUT_MS: the time limit of each step in a page (default: the runner's). */
function timeoutFromEnv(): number | undefined {
  const text = process.env.BERT_PARITY_BROWSER_TIMEOUT_MS;
  if (text === undefined || text === '') return undefined;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new ParityError(
      'E_USAGE',
      `BERT_PARITY_BROWSER_TIMEOUT_MS=${JSON.stringify(text)}; expected a positive number of milliseconds`,
    );
  }
  return ms;
}

/**
 * `browser`: the runtimes' own web builds in headless Chromium (@bert-parity/runtime-browser), served
 * from a loopback server. The browser and the server start at the run's first browser cell and stop when
 * the run ends. Chromium is BERT_PARITY_CHROMIUM, else /usr/bin/chromium. `options` are the runner's
 * (tests register a platform with their own page doubles through registerPlatform).
 */
export function browserPlatformWith(options: BrowserRunnerOptions = {}): PlatformDefinition {
  return {
    name: 'browser',
    // The names are the host's where the host has the same library, so reports show the two side by side.
    runtimes: ['onnx-web', 'onnx-webgpu', 'tfjs-webgl', 'tfjs-wasm', 'transformers', 'litert'],
    // Two cells at once (of different runtimes): each session is a page of its own, and a cell mostly
    // waits on its page (loading, model transfer, the run), not on this process.
    concurrency: 2,
    create() {
      let runner: Promise<BrowserRunner> | undefined;
      const started = () => {
        runner ??= import('@bert-parity/runtime-browser').then((m) => {
          const timeoutMs = options.timeoutMs ?? timeoutFromEnv();
          return new m.BrowserRunner({ ...options, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
        });
        runner.catch(() => undefined);
        return runner;
      };
      return {
        // Starts Chromium and loads each planned runtime's page now, so the first cell of each runtime
        // does not wait for the browser, the page and its wasm (a failure shows again at that cell's open).
        prepare(sessions) {
          void started()
            .then((r) => r.warm(sessions))
            .catch(() => undefined);
        },
        async open(runtime, model, sessionOptions) {
          return (await started()).adapter(runtime).open(model, sessionOptions);
        },
        async close() {
          const r = runner;
          runner = undefined;
          await (await r?.catch(() => undefined))?.close();
        },
      };
    },
  };
}

export const browserPlatform = browserPlatformWith();
