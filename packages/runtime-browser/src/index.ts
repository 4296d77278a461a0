export { PageChannel } from './channel.ts';
export { CHROMIUM_FLAGS, chromiumPath, INSTALL_HINT, launchChromium } from './chromium.ts';
export { type ServedPackage, servedPackage } from './packages.ts';
export { DEFAULT_TIMEOUT_MS, PageRunner, type PageRunnerOptions } from './page-runner.ts';
export type { OpenRequest, OpenResult, PageModel, PageSpec, RunRequest, RunResult, TensorMeta } from './protocol.ts';
export { BrowserAdapter, BrowserRunner, type BrowserRunnerOptions, RemoteSession } from './runner.ts';
export { BROWSER_RUNTIMES, type BrowserRuntime, type BrowserSessionOptions, type ImportTarget } from './runtimes.ts';
export { LoopbackServer } from './server.ts';
export { BrowserSession } from './session.ts';
