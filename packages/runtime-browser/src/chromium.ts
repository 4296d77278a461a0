import { existsSync } from 'node:fs';
import { ParityError } from '@bert-parity/core';
import type { Browser } from 'playwright-core';

/** Debian's Chromium unless BERT_PARITY_CHROMIUM names another Chromium-based browser (CI: Google Chrome). */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERT_PARITY_CHROMIUM || '/usr/bin/chromium';
}

export const INSTALL_HINT =
  'install one with `apt-get install chromium` (Debian/Ubuntu), or set BERT_PARITY_CHROMIUM to a Chromium-based browser such as /usr/bin/google-chrome';

/**
 * Flags for a browser that reaches nothing but the loopback server:
 * - no first-run, sync, component updates or background networking (without these Chromium calls Google's
 *   services at start, which a closed network refuses and an open one should not see);
 * - every name resolves to nothing, and every URL (loopback included: `<-loopback>` removes Chromium's
 *   implicit bypass) goes through the proxy given to launchChromium: the loopback server, which refuses
 *   everything but itself. So even the browser's own calls to Google (it still makes some, e.g. to
 *   update.googleapis.com and accounts.google.com) stop there; WebRTC may not send UDP around the proxy;
 * - WebGL through ANGLE on SwiftShader, Chromium's software rasteriser, where there is no GPU (headless
 *   Chromium refuses software WebGL without --enable-unsafe-swiftshader); WebGPU on SwiftShader's fallback
 *   adapter, which headless Chromium offers only with --enable-unsafe-webgpu;
 * - no GPU compositing: nobody sees the pages, and compositing through SwiftShader took 1.3 s of CPU in
 *   the GPU process at the first page load (measured; WebGL still draws on SwiftShader);
 * - wasm on V8's baseline compiler only (Liftoff): a page runs a few seconds of inference, and V8's
 *   background TurboFan recompilation of the hot functions cost more CPU than the inference itself (the
 *   browser column took 71 s of CPU with it and 50 s without; transformers.js's 27 MB asyncify build alone
 *   12 s). WebAssembly's arithmetic is deterministic, so either compiler gives the same bits: every metric
 *   of the 30 browser cells was identical both ways. What changes is speed, so the browser's latency
 *   figures are Liftoff's (the cell's environment says so: jsFlags).
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  '--proxy-bypass-list=<-loopback>',
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
  '--disable-gpu-compositing',
  '--js-flags=--liftoff-only',
];

/** The value of the last --js-flags switch among the browser's arguments (V8's flags; the last one counts). */
export function jsFlagsOf(args: readonly string[]): string | undefined {
  const last = args.filter((a) => a.startsWith('--js-flags=')).at(-1);
  return last?.slice('--js-flags='.length);
}

export interface LaunchOptions {
  executablePath?: string;
  /** The proxy every request goes to (host:port on loopback); default 127.0.0.1:9, a closed port. */
  proxy?: string;
  /** Extra command-line switches after CHROMIUM_FLAGS. */
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Launches headless Chromium with a fresh profile (Playwright's launch() makes a temporary
 * --user-data-dir and removes it on close). No browser, or one that does not start, is
 * E_PLATFORM_UNAVAILABLE saying how to get one.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? chromiumPath(options.env);
  if (!existsSync(executablePath)) {
    throw new ParityError(
      'E_PLATFORM_UNAVAILABLE',
      `platform browser needs Chromium, and ${executablePath} does not exist; ${INSTALL_HINT}`,
      { details: { executablePath } },
    );
  }
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({
      executablePath,
      args: [...CHROMIUM_FLAGS, `--proxy-server=http://${options.proxy ?? '127.0.0.1:9'}`, ...(options.args ?? [])],
      // The browser's own stderr (GPU and dbus chatter) is not the run's output.
      timeout: 60_000,
    });
  } catch (cause) {
    throw new ParityError(
      'E_PLATFORM_UNAVAILABLE',
      `platform browser cannot start ${executablePath}: ${(cause as Error).message.split('\n')[0]}; ${INSTALL_HINT}`,
      { cause, details: { executablePath } },
    );
  }
}
