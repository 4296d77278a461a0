/**
 * A test double of the onnx-web page: the real onnxruntime-web page module, except where the model's
 * file name asks for a failure. It stays out of the runtime's own page code; tests register it with
 * BrowserRunnerOptions.runtimes.
 *   hang-*.onnx     every run spins forever (the page never answers)
 *   crash-*.onnx    every run fills the JS heap until the renderer dies (as a page that runs out of memory)
 *   fetch-*.onnx    opening first asks a model hub for the weights, as a web app that forgot to go offline
 */
import type { PageRuntime } from '../../page/harness.ts';
import ort from '../../page/ort.ts';

export const OUTBOUND_URL = 'https://models.example.com/bert/model.onnx';

const faults: PageRuntime = {
  async open(req) {
    const name = req.model.main;
    if (name.startsWith('fetch-')) await fetch(OUTBOUND_URL).catch(() => undefined);
    const session = await ort.open(req);
    return {
      info: session.info,
      async run(feeds) {
        if (name.startsWith('hang-')) for (;;);
        if (name.startsWith('crash-')) {
          const hoard: number[][] = [];
          for (;;) hoard.push(new Array(1_000_000).fill(1.5));
        }
        return session.run(feeds);
      },
      close: () => session.close(),
    };
  },
};

export default faults;
