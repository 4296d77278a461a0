import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../src/paths.ts';
import type { Cell, ParityReport } from '../src/report/types.ts';
import { runCli as run } from './helpers/cli.ts';

/**
 * What ci.yml does, run here: the shard jobs (`check --shard i/3`, one JSON report each), a job for a runtime
 * the shards leave out (`--skip-runtime` / `--runtime`, as tfjs-node is on GitHub), and the `parity` job
 * (`report merge <folder> --require-shards`). The merged cells must equal an unsharded run's: ids, status,
 * errors and every drift number (timings aside).
 */
const dir = mkdtempSync(join(tmpdir(), 'bp-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

const config = join(dir, 'parity.json');
writeFileSync(
  config,
  JSON.stringify({
    variants: [{ fixture: 'onnx-float32' }, { fixture: 'onnx-int8' }, { fixture: 'tflite-int8' }],
    runtimes: [{ name: 'onnx', batch: 4, threads: 1 }, { name: 'litert' }],
    inputs: { corpus: resolve(REPO_ROOT, 'golden/corpus.dev.jsonl'), count: 4, maxSeqLength: 24 },
    tokenizer: {
      vocab: resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt'),
      conformance: [{ impl: 'ours', golden: [resolve(REPO_ROOT, 'golden/tokenizer/fixture-uncased.lower.dev.jsonl')] }],
    },
    // int8 on ONNX fails (relL2 over 1e-3): the merged report must carry failing cells and their numbers too.
    bounds: { float32: { '*': { relL2: 1e-5 } }, int8: { '*': { relL2: 1e-3 } } },
    latencyRuns: 0,
  }),
);

const tfjsNodeInstalled = await import('@tensorflow/tfjs-node' as string).then(
  () => true,
  () => false,
);

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as ParityReport;
/** A cell without what depends on the machine and the moment: wall and runtime time, latency. */
const comparable = (c: Cell) => {
  const { wallMs: _w, ...rest } = c as Cell & { runtimeMs?: number; latency?: unknown };
  const { runtimeMs: _r, latency: _l, ...cell } = rest as typeof rest & { runtimeMs?: number; latency?: unknown };
  return cell;
};
const cellsOf = (r: ParityReport) => r.cells.map(comparable);
const byId = (cells: ReturnType<typeof cellsOf>) => [...cells].sort((a, b) => (a.id < b.id ? -1 : 1));

async function check(json: string, ...args: string[]): Promise<number> {
  vi.stubEnv('GITHUB_STEP_SUMMARY', '');
  return (await run('check', '--config', config, '--json', json, ...args)).code;
}

describe('shard-then-merge, as ci.yml runs it (N = 3)', () => {
  const whole = join(dir, 'whole.json');

  it('the unsharded run: 4 cells, int8 on ONNX failing its bound', async () => {
    expect(await check(whole)).toBe(1);
    expect(read(whole).cells.map((c) => `${c.id} ${c.status}`)).toEqual([
      'tokenizer:ours/fixture-uncased.lower.dev pass',
      'onnx-float32@onnx/host pass',
      'onnx-int8@onnx/host fail',
      'tflite-int8@litert/host fail',
    ]);
  });

  it('three shards merged equal the unsharded run, cell for cell and number for number', async () => {
    const parts = join(dir, 'parts');
    mkdirSync(parts);
    const codes: number[] = [];
    for (const i of [1, 2, 3]) codes.push(await check(join(parts, `shard-${i}.json`), '--shard', `${i}/3`));
    // Round-robin: shard 1 has cells 0 and 3, shard 2 cell 1, shard 3 cell 2.
    expect(codes).toEqual([1, 0, 1]);
    expect(read(join(parts, 'shard-2.json')).cells.map((c) => c.id)).toEqual(['onnx-float32@onnx/host']);

    const out = join(dir, 'merged.json');
    const markdown = join(dir, 'merged.md');
    const merge = await run('report', 'merge', parts, '--require-shards', '--out', out, '--markdown', markdown);
    expect(merge.code).toBe(1); // failing cells fail the merge job
    const merged = read(out);
    expect(byId(cellsOf(merged))).toEqual(byId(cellsOf(read(whole))));
    expect(merged.summary).toEqual(read(whole).summary);
    expect(merged.shard).toBeUndefined();
    expect(readFileSync(markdown, 'utf8')).toMatch(
      /^## bert-parity: FAIL — 4 cells: 2 pass, 2 fail, 0 error, 0 skipped/,
    );
  });

  it('shards that skip a runtime plus a job that runs only it also equal the unsharded run', async () => {
    const parts = join(dir, 'parts-runtime');
    mkdirSync(parts);
    for (const i of [1, 2, 3])
      await check(join(parts, `shard-${i}.json`), '--shard', `${i}/3`, '--skip-runtime', 'litert');
    expect(await check(join(parts, 'litert.json'), '--runtime', 'litert')).toBe(1);
    const litert = read(join(parts, 'litert.json'));
    expect(litert.cells.map((c) => c.id)).toEqual(['tflite-int8@litert/host']);
    expect(litert.runtimeFilter).toEqual({ only: ['litert'] });
    expect(read(join(parts, 'shard-1.json')).runtimeFilter).toEqual({ skip: ['litert'] });

    const out = join(dir, 'merged-runtime.json');
    expect((await run('report', 'merge', parts, '--require-shards', '--out', out)).code).toBe(1);
    expect(byId(cellsOf(read(out)))).toEqual(byId(cellsOf(read(whole))));
    expect(read(out).runtimeFilter).toBeUndefined();

    // Without the runtime's own report, the shards do not add up to the matrix.
    rmSync(join(parts, 'litert.json'));
    const incomplete = await run('report', 'merge', parts, '--require-shards', '--out', out);
    expect(incomplete.code).toBe(2);
    expect(incomplete.err).toBe(
      'bert-parity: E_REPORT_MERGE: incomplete run: the shards leave out runtime litert (--skip-runtime) and no report given runs it (--runtime litert); its job failed before writing its report, or its report was not downloaded',
    );
  });

  it('a shard without a report fails the merge with exit 2, after writing what the others had', async () => {
    const parts = join(dir, 'parts');
    rmSync(join(parts, 'shard-2.json'));
    const out = join(dir, 'partial.json');
    const merge = await run('report', 'merge', parts, '--require-shards', '--out', out);
    expect(merge.code).toBe(2);
    expect(merge.err).toBe(
      `bert-parity: E_REPORT_MERGE: incomplete run: shard 2/3 has no report (given: ${join(parts, 'shard-1.json')} (1/3), ${join(parts, 'shard-3.json')} (3/3)); a shard job failed before writing its report, or its report was not downloaded`,
    );
    expect(existsSync(out)).toBe(true);
    expect(read(out).cells.map((c) => c.id)).toEqual([
      'tokenizer:ours/fixture-uncased.lower.dev',
      'tflite-int8@litert/host',
      'onnx-int8@onnx/host',
    ]);
    // No shard report at all, or an empty download folder: said as such.
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const none = await run('report', 'merge', empty, '--require-shards', '--out', out);
    expect([none.code, none.err]).toEqual([
      2,
      `bert-parity: E_REPORT_MERGE: ${empty} holds no .json report; expected the shard reports of a run`,
    ]);
    const nothing = await run('report', 'merge', join(dir, 'never-downloaded'), '--require-shards', '--out', out);
    expect([nothing.code, nothing.err]).toEqual([
      2,
      `bert-parity: E_REPORT_MERGE: ${join(dir, 'never-downloaded')} does not exist; expected report files or a folder of them`,
    ]);
    const unsharded = await run('report', 'merge', whole, '--require-shards', '--out', out);
    expect([unsharded.code, unsharded.err]).toEqual([
      2,
      'bert-parity: E_REPORT_MERGE: incomplete run: none of the 1 report(s) is a shard (bert-parity check --shard i/n); expected the shard reports of one run',
    ]);
  });

  it.skipIf(tfjsNodeInstalled)(
    '--runtime makes an optional runtime required: absent, its cells are errors (exit 2), not skips',
    async () => {
      const optional = join(dir, 'optional.json');
      writeFileSync(
        optional,
        JSON.stringify({
          ...JSON.parse(readFileSync(config, 'utf8')),
          variants: [{ fixture: 'tfjs-float32' }],
          runtimes: [{ name: 'tfjs-node', optional: true }],
          tokenizer: { vocab: resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt') },
        }),
      );
      const json = join(dir, 'required.json');
      vi.stubEnv('GITHUB_STEP_SUMMARY', '');
      expect((await run('check', '--config', optional, '--json', json, '--runtime', 'tfjs-node')).code).toBe(2);
      const cell = read(json).cells[0] as Cell & { error?: { code: string } };
      expect([cell.id, cell.status, cell.error?.code]).toEqual([
        'tfjs-float32@tfjs-node/host',
        'error',
        'E_RUNTIME_UNAVAILABLE',
      ]);
    },
  );

  it('--runtime and --skip-runtime name runtimes of the config', async () => {
    const json = join(dir, 'usage.json');
    const unknown = await run('check', '--config', config, '--json', json, '--runtime', 'tfjs-node');
    expect([unknown.code, unknown.err]).toEqual([
      2,
      'bert-parity: E_USAGE: --runtime tfjs-node: the config has no runtime tfjs-node; it has onnx, litert',
    ]);
    const typo = await run('check', '--config', config, '--json', json, '--skip-runtime', 'onnxx');
    expect(typo.err).toBe(
      'bert-parity: E_USAGE: --skip-runtime "onnxx"; expected one of onnx, tfjs-wasm, tfjs-cpu, tfjs-node, litert, transformers, onnx-web, onnx-webgpu, tfjs-webgl',
    );
    const both = await run('check', '--config', config, '--json', json, '--runtime', 'onnx', '--skip-runtime', 'onnx');
    expect(both.err).toBe(
      'bert-parity: E_USAGE: --runtime and --skip-runtime both name onnx; expected one or the other',
    );
  });
});
