import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { MAX_INPUT_BYTES } from './mutate/bytes.ts';
import { applyOp, type FileFormat, type Op, opArbitrary } from './mutate/index.ts';
import type { FileSet } from './seeds.ts';
import type { FuzzTarget } from './targets.ts';

/** One mutated input: which seed, which of its files, and what happens to it (dropped, or up to 3 ops). */
interface Plan {
  seed: number;
  file: number;
  drop: boolean;
  ops: Op[];
}

/** Inputs are generated in batches of this many plans from one fast-check seed derived from (seed, batch). */
const BATCH = 256;

export function formatOf(target: FuzzTarget, name: string): FileFormat {
  return target.formats.find(([pattern]) => pattern.test(name))?.[1] ?? 'bytes';
}

/**
 * The inputs of a campaign, by index: inputs 0..seeds-1 are the seeds as they are (they must read
 * cleanly or fail with a coded error like any other input), every later one a seed with mutations drawn by
 * fast-check. Index i is the same input for the same campaign seed on every run, so a run can resume
 * after a killed process and any input can be regenerated from (seed, index).
 */
export class InputSource {
  private readonly plan: fc.Arbitrary<Plan>;
  private cached: { batch: number; plans: Plan[] } | undefined;
  private readonly donors = new Map<string, Uint8Array[]>();

  constructor(
    target: FuzzTarget,
    readonly seeds: readonly FileSet[],
    private readonly campaignSeed: number,
  ) {
    for (const s of seeds)
      for (const [name, bytes] of s) this.donors.set(name, [...(this.donors.get(name) ?? []), bytes]);
    this.plan = fc.tuple(fc.nat({ max: seeds.length - 1 }), fc.nat({ max: 0xffff })).chain(([seed, file]) => {
      const names = [...(seeds[seed] as FileSet).keys()];
      const format = formatOf(target, names[file % names.length] as string);
      return fc.record({
        seed: fc.constant(seed),
        file: fc.constant(file),
        // Multi-file inputs sometimes lose a file (a shard, config.json, the vocabulary).
        drop:
          names.length > 1
            ? fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 24, arbitrary: fc.constant(false) })
            : fc.constant(false),
        ops: fc.array(opArbitrary(format), { minLength: 1, maxLength: 3 }),
      });
    });
  }

  at(index: number): FileSet {
    if (index < this.seeds.length) return this.seeds[index] as FileSet;
    const k = index - this.seeds.length;
    const batch = Math.floor(k / BATCH);
    if (this.cached?.batch !== batch) {
      // A different fast-check seed per batch, mixed from the campaign seed (Knuth's multiplicative hash).
      const seed = (Math.imul(this.campaignSeed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(batch, 0xc2b2ae35)) | 0;
      this.cached = { batch, plans: fc.sample(this.plan, { seed, numRuns: BATCH }) };
    }
    return this.apply(this.cached.plans[k % BATCH] as Plan);
  }

  private apply(plan: Plan): FileSet {
    const files = new Map(this.seeds[plan.seed] as FileSet);
    const names = [...files.keys()];
    const name = names[plan.file % names.length] as string;
    if (plan.drop) {
      files.delete(name);
      return files;
    }
    let bytes = files.get(name) as Uint8Array;
    for (const op of plan.ops) {
      bytes = applyOp(bytes, op, this.donors.get(name) ?? []);
      if (bytes.length > MAX_INPUT_BYTES) bytes = bytes.slice(0, MAX_INPUT_BYTES);
    }
    files.set(name, bytes);
    return files;
  }
}

/** Writes an input's files into `dir`, removing files an earlier input had and this one does not. */
export class InputWriter {
  private written = new Map<string, Uint8Array>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  write(files: FileSet): void {
    for (const name of this.written.keys()) if (!files.has(name)) rmSync(join(this.dir, name), { force: true });
    for (const [name, bytes] of files) {
      if (this.written.get(name) === bytes) continue; // unchanged seed file: already on disk
      const path = join(this.dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
    this.written = new Map(files);
  }
}

/** Saves an input as files under `dir` (a finding), with `info` as info.json beside them. */
export function saveInput(dir: string, files: FileSet, info: object): void {
  new InputWriter(join(dir, 'input')).write(files);
  writeFileSync(join(dir, 'info.json'), `${JSON.stringify(info, null, 2)}\n`);
}
