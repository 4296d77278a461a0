/**
 * pnpm bench:memory [--size tiny|mobilebert|base] [--order onnx:float32,tflite:float32,...]
 *
 * What each model costs in memory (issue 15 item 4): opens the size's fixtures one after another in this
 * process, in the given order, on onnxruntime-node (ONNX) and LiteRT.js (TFLite), runs a batch (16 rows of
 * 128 positions; TFLite one row) and closes it, and prints the process's resident set (VmRSS) and its
 * peak (maxRSS) after each step, so what a closed model leaves behind shows. Run it through pnpm: the
 * script sets GLIBC_TUNABLES as `pnpm bert-parity` does (README, "Real size"); run it with `tsx` directly
 * to see glibc's default. The fixture must be built (`pnpm bench:scale --sizes SIZE` builds it).
 */
import { parseArgs } from 'node:util';
import { buildFamily, FAMILIES, presetNamed, sampleInputs } from '@bert-parity/fixtures';
import { bertFeeds } from '@bert-parity/runtime-base';
import { LiteRtAdapter } from '@bert-parity/runtime-litert';
import { OnnxAdapter } from '@bert-parity/runtime-onnx';
import { residentKb } from './rss.ts';
import { scaleSize } from './scale-sizes.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'base' },
    order: { type: 'string', default: 'onnx:float32,onnx:float16,onnx:int8,tflite:float32,tflite:float16,tflite:int8' },
  },
});
const size = scaleSize(values.size);
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
const say = (step: string) =>
  console.log(
    `${step.padEnd(24)} rss ${mb(residentKb()).padStart(8)}   peak ${mb(process.resourceUsage().maxRSS).padStart(8)}`,
  );

console.log(`${size.title}; GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES ?? '(unset)'}`);
const fixtures = await buildFamily(
  FAMILIES[size.family] as never,
  size.preset === undefined ? {} : presetNamed(size.family, size.preset, 'preset'),
);
say('fixtures');
const rows = (n: number) => bertFeeds(sampleInputs(fixtures.config, n, 128, 11));

/** One model: open, run, close; nothing of it is referenced once this returns. */
async function step(format: string, precision: string): Promise<void> {
  const file = fixtures.files.find((f) => f.format === format && f.precision === precision && f.variant === 'standard');
  if (file === undefined || (format !== 'onnx' && format !== 'tflite'))
    throw new Error(`no ${format} ${precision} fixture`);
  const adapter = format === 'onnx' ? new OnnxAdapter() : new LiteRtAdapter();
  const session = await adapter.open({ path: file.path, format, precision, metadata: {} } as never, { threads: 1 });
  say(`${format} ${precision} open`);
  await session.run(format === 'onnx' ? rows(16) : rows(1));
  say(`${format} ${precision} run`);
  await session.close();
}

for (const item of values.order.split(',')) {
  const [format = '', precision = ''] = item.split(':');
  await step(format, precision);
  await new Promise((r) => setTimeout(r, 50)); // what a close releases later (a collection) shows too
  say(`${format} ${precision} closed`);
}
