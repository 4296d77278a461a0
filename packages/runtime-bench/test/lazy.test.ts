import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('adapter packages load their runtimes lazily', () => {
  it('importing every adapter loads no runtime; available() then loads onnxruntime', () => {
    // A child process, so that nothing this test runner already loaded counts.
    const script = `
      const seen = () => ({
        ort: process.report.getReport().sharedObjects.some((s) => s.includes('onnxruntime')),
        litert: typeof globalThis.ModuleFactory !== 'undefined',
        tfjs: typeof globalThis._tfengine !== 'undefined',
      });
      const mods = await Promise.all(['onnx', 'tfjs', 'litert', 'transformers'].map((n) => import('@bert-parity/runtime-' + n)));
      const before = seen();
      await new mods[0].OnnxAdapter().available();
      console.log(JSON.stringify({ before, after: seen() }));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: pkg,
      encoding: 'utf8',
    });
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
    expect(result.before).toEqual({ ort: false, litert: false, tfjs: false });
    expect(result.after.ort).toBe(true);
  });
});
