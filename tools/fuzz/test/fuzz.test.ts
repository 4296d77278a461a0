import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isParityError } from '@bert-parity/core';
import { readModelBytes } from '@bert-parity/models';
import { afterAll, describe, expect, it } from 'vitest';
import { InputSource } from '../src/inputs.ts';
import { nestOnnxGraph } from '../src/mutate/protobuf.ts';
import { smallFixtures } from '../src/seeds.ts';
import { type CampaignOptions, runCampaign } from '../src/supervisor.ts';
import { TARGETS } from '../src/targets.ts';
import { TARGETS as BROKEN } from './broken-targets.ts';

const out = mkdtempSync(join(tmpdir(), 'bp-fuzz-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const campaign = (names: string[], extra: Partial<CampaignOptions> = {}) =>
  runCampaign({
    runs: 400,
    seconds: Number.POSITIVE_INFINITY,
    seed: 3,
    out,
    hangMs: 1000,
    memoryMb: 512,
    jobs: 1,
    targets: BROKEN.filter((t) => names.includes(t.name)),
    module: pathToFileURL(join(import.meta.dirname, 'broken-targets.ts')).href,
    ...extra,
  });

// Each test starts fuzzing processes (and kills some): seconds each, more on a loaded machine.
describe('the campaign catches what a reader does wrong', () => {
  it('counts coded errors by code, and only those, for a reader that behaves', async () => {
    const [r] = await campaign(['coded']);
    expect(r?.inputs).toBe(400);
    expect((r?.ok ?? 0) + (r?.codes.E_MODEL_CORRUPT ?? 0)).toBe(400);
    expect(r?.ok).toBeGreaterThan(0); // the seed itself, and mutations that kept its first byte
    expect([r?.crashes, r?.hangs, r?.processes]).toEqual([[], [], 1]);
    expect(r?.peakRssMb).toBeGreaterThan(0);
    expect(r?.baselineRssMb).toBeGreaterThan(0);
    expect(r?.seeds).toBe(1);
  });

  it('an exception that is not a ParityError is a crash, grouped by signature, its first input saved', async () => {
    const [r] = await campaign(['throws']);
    expect(r?.crashes).toHaveLength(1);
    const crash = r?.crashes[0];
    expect(crash?.kind).toBe('exception');
    expect(crash?.signature).toMatch(/^TypeError: bad byte N @ tools\/fuzz\/test\/broken-targets\.ts/);
    expect(crash?.count).toBeGreaterThan(1);
    const info = JSON.parse(readFileSync(join(crash?.input as string, 'info.json'), 'utf8'));
    expect([info.target, info.seed, info.index]).toEqual(['throws', 3, crash?.index]);
    const input = readFileSync(join(crash?.input as string, 'input', 'input.bin'));
    expect((input[0] as number) % 2).toBe(0);
    expect(r?.inputs).toBe(400);
  });

  it('an input looping over 1 s of CPU is killed, confirmed by a second process, saved, and the campaign goes on', async () => {
    const [r] = await campaign(['loops'], { runs: 50 });
    expect(r?.hangs.length).toBeGreaterThan(0);
    const hang = r?.hangs[0];
    expect(hang?.signature).toMatch(/^over 1000 ms \(killed after 1\d{3} ms of CPU, \d+ ms wall\)$/);
    const input = readFileSync(join(hang?.input as string, 'input', 'input.bin'));
    expect((input[0] as number) % 16).toBe(0);
    // Each hang costs two processes (the kill and its confirmation); the inputs after it were all read.
    expect(r?.processes).toBe(1 + 2 * (r?.hangs.length ?? 0));
    expect(r?.inputs).toBe(50);
    expect(r?.crashes).toEqual([]);
  }, 180_000);

  it('a process growing past --memory-mb is killed, confirmed by a second process, and its input is an out-of-memory crash', async () => {
    // A long hang limit, so that memory is what stops it however slow the machine fills the pages.
    const [r] = await campaign(['hoards'], { runs: 50, hangMs: 30_000, memoryMb: 400 });
    const memory = r?.crashes.filter((c) => c.kind === 'memory') ?? [];
    expect(memory.length).toBeGreaterThan(0);
    expect(memory[0]?.signature).toMatch(/^resident memory over 400 MB \(\d+ MB\)$/);
    expect(r?.hangs).toEqual([]);
    // Each finding costs two processes (the kill and its confirmation).
    expect(r?.processes).toBe(1 + 2 * memory.length);
    expect(r?.inputs).toBe(50);
  }, 180_000);

  it('a process that grew over many inputs is restarted, but an input a fresh process reads within the limit is no finding', async () => {
    const [r] = await campaign(['leaks'], { runs: 60, hangMs: 30_000, memoryMb: 400 });
    expect(r?.crashes).toEqual([]);
    expect(r?.hangs).toEqual([]);
    expect(r?.processes).toBeGreaterThan(1);
    expect(r?.inputs).toBe(60);
  }, 180_000);

  it('a process that dies without a word is re-run in trace mode to pin the input down', async () => {
    const [r] = await campaign(['aborts'], { runs: 50 });
    const died = r?.crashes.filter((c) => c.kind === 'process') ?? [];
    expect(died.length).toBeGreaterThan(0);
    expect(died[0]?.signature).toMatch(/^process died \(SIGABRT\)/);
    const input = readFileSync(join(died[0]?.input as string, 'input', 'input.bin'));
    expect((input[0] as number) % 16).toBe(0);
    expect(r?.inputs).toBe(50);
  }, 180_000);
});

describe('inputs', () => {
  it('input i is the same bytes for the same campaign seed, and the seeds come first unchanged', async () => {
    const onnx = TARGETS.find((t) => t.name === 'onnx');
    if (onnx === undefined) throw new Error('no onnx target');
    const seeds = await onnx.seeds();
    const a = new InputSource(onnx, seeds, 11);
    const b = new InputSource(onnx, seeds, 11);
    const other = new InputSource(onnx, seeds, 12);
    expect(a.at(0)).toBe(seeds[0]);
    const picks = [seeds.length, seeds.length + 300, seeds.length + 5000];
    for (const i of picks) expect(b.at(i)).toEqual(a.at(i));
    expect(picks.map((i) => other.at(i))).not.toEqual(picks.map((i) => a.at(i)));
  });

  it('ONNX graphs nested by the mutator: 31 levels read, 33 are refused with the reader`s cap, 20,000 too', async () => {
    const fx = await smallFixtures();
    const model = readFileSync(fx.files.find((f) => f.format === 'onnx' && f.precision === 'float32')?.path as string);
    const read = (depth: number) => readModelBytes(nestOnnxGraph(model, depth) as Uint8Array, `nested-${depth}.onnx`);
    expect(read(31).ops.find((o) => o.name === 'If')?.count).toBe(31);
    const refused = (depth: number) => {
      try {
        read(depth);
      } catch (e) {
        if (isParityError(e)) return [e.code, e.message];
        throw e;
      }
      throw new Error('read');
    };
    expect(refused(33)).toEqual(['E_MODEL_CORRUPT', 'ONNX file nested-33.onnx: graphs nest deeper than 32 levels']);
    expect(refused(20_000)).toEqual([
      'E_MODEL_CORRUPT',
      'ONNX file nested-20000.onnx nests messages too deep to decode (the decoder ran out of stack); expected graphs nested at most a few levels',
    ]);
  });
});
