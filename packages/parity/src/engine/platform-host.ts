import type { PlatformDefinition } from './platform.ts';
import { adapterFor, HOST_RUNTIMES } from './runtimes.ts';

/** `host`: the runtime's adapter in this process. */
export const hostPlatform: PlatformDefinition = {
  name: 'host',
  runtimes: HOST_RUNTIMES,
  create: () => ({
    open: async (runtime, model, options) => (await adapterFor(runtime)).open(model, options),
    close: async () => undefined,
  }),
};
