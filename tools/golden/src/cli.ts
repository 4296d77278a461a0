import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isParityError, ParityError } from '@bert-parity/core';
import { addCase, type NewCase } from './corpus.ts';
import { abs, loadTargets, PATHS, planGoldens, REPO_ROOT } from './layout.ts';
import { buildManifest, describeDifference, sha256File, verifyManifest, writeManifest } from './manifest.ts';
import { checkoutCommit, HOW_TO_PROVIDE, type ReferenceStatus, resolveReference, runGenerator } from './reference.ts';

/**
 * pnpm golden:check | golden:regen | golden:add, plus `manifest` (record goldens made elsewhere).
 * Exit codes follow the project: 0 pass, 1 mismatch (stale or hand-edited goldens), 2 usage or config.
 */

const USAGE = `usage:
  golden check  [--reference google|hf] [--bert-dir DIR] [--root DIR]
  golden regen  [--reference google|hf] [--bert-dir DIR] [--root DIR]
  golden add    --corpus NAME (TEXT | --pair TEXT_A [TEXT_B]) [--max-seq-length N] [--root DIR]
  golden manifest [--root DIR]     record existing goldens in MANIFEST.json without regenerating
The reference is BERT_REFERENCE_DIR (a google-research/bert checkout) unless --bert-dir or --reference hf.`;

interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

interface Options {
  root: string;
  reference?: 'google' | 'hf';
  bertDir?: string;
  corpus?: string;
  pair?: [string, string | null];
  text?: string;
  maxSeqLength?: number;
}

function usage(what: string): never {
  throw new ParityError('E_USAGE', `${what}\n${USAGE}`);
}

function parse(args: string[]): { command: string; options: Options } {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h') usage('no command given');
  const options: Options = { root: REPO_ROOT };
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const value = () => {
      const v = rest[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v as string;
    };
    if (arg === '--') continue; // pnpm may pass it through
    if (arg === '--root') options.root = resolve(value());
    else if (arg === '--bert-dir') options.bertDir = value();
    else if (arg === '--reference') {
      const v = value();
      if (v !== 'google' && v !== 'hf') usage(`--reference ${v}: expected google or hf`);
      options.reference = v as 'google' | 'hf';
    } else if (arg === '--corpus') options.corpus = value();
    else if (arg === '--max-seq-length') {
      const v = value();
      if (!/^\d+$/.test(v)) usage(`--max-seq-length ${v}: expected a positive integer`);
      options.maxSeqLength = Number(v);
    } else if (arg === '--pair') {
      const a = value();
      const b = rest[i + 1];
      if (b !== undefined && !b.startsWith('--')) i++;
      options.pair = [a, b !== undefined && !b.startsWith('--') ? b : null];
    } else if (arg.startsWith('--')) usage(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (command === 'add') {
    if (options.pair !== undefined && positional.length > 0) usage('give either a TEXT or --pair, not both');
    if (options.pair === undefined && positional.length !== 1)
      usage('add needs exactly one TEXT (quote it) or --pair TEXT_A [TEXT_B]');
    if (positional.length === 1) options.text = positional[0] as string;
  } else if (positional.length > 0) usage(`unexpected argument ${positional[0]}`);
  return { command, options };
}

function reference(options: Options, io: Io): ReferenceStatus {
  return resolveReference({ reference: options.reference, bertDir: options.bertDir, env: io.env });
}

/** Warns when the checkout is not the commit the goldens are pinned to (the goldens will record it). */
function warnCommit(status: ReferenceStatus, root: string, io: Io): void {
  if (!status.available || status.reference.kind !== 'google') return;
  const pinned = loadTargets(root).reference_commit;
  const head = checkoutCommit(status.reference.bertDir);
  if (head !== null && head !== pinned) {
    io.err(
      `warning: the reference checkout is at ${head}, ${PATHS.targets} pins ${pinned}; goldens record the commit they were made from`,
    );
  }
}

/** A failure line naming the file; in GitHub Actions also an annotation on that file. */
function failLine(io: Io, file: string, message: string): void {
  io.err(`FAIL ${file}: ${message}`);
  if (io.env.GITHUB_ACTIONS === 'true') io.err(`::error file=${file},title=golden check::${message}`);
}

function check(options: Options, io: Io): number {
  const { root } = options;
  const verified = verifyManifest(root);
  for (const p of verified.problems) failLine(io, p.file, p.message);
  if (verified.problems.length === 0) {
    io.out(
      `hashes ok: ${verified.goldens} tokenizer golden(s), their corpora and vocabularies, ${verified.arrays} output array(s) match ${PATHS.manifest}`,
    );
  }
  const status = reference(options, io);
  let mismatches = 0;
  if (!status.available) {
    io.out(`reference not available (${status.reason}): verified hashes only`);
  } else {
    warnCommit(status, root, io);
    const plan = planGoldens(root, loadTargets(root));
    const tmp = mkdtempSync(join(tmpdir(), 'golden-check-'));
    try {
      for (const planned of plan) {
        runGenerator(root, status.reference, planned, tmp, io.env);
        const name = planned.file.slice(PATHS.tokenizer.length + 1);
        const committedPath = abs(root, planned.file);
        if (!existsSync(committedPath)) {
          mismatches++;
          failLine(io, planned.file, 'the reference produces it but it is not committed; run pnpm golden:regen');
          continue;
        }
        const diff = describeDifference(readFileSync(committedPath), readFileSync(join(tmp, name)));
        if (diff === null) io.out(`reproduced ${planned.file} byte for byte`);
        else {
          mismatches++;
          failLine(io, planned.file, `regenerating with ${status.label} gives different bytes: ${diff}`);
        }
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const failed = verified.problems.length + mismatches;
  if (failed > 0) {
    io.err(`golden:check failed: ${failed} problem(s). Goldens are regenerated, never edited: pnpm golden:regen`);
    return 1;
  }
  io.out('golden:check passed');
  return 0;
}

function regen(options: Options, io: Io): number {
  const { root } = options;
  const status = reference(options, io);
  if (!status.available) {
    io.err(
      `golden:regen needs the reference tokenizer, which is not available (${status.reason}). To provide one: ${HOW_TO_PROVIDE}.`,
    );
    return 2;
  }
  warnCommit(status, root, io);
  const plan = planGoldens(root, loadTargets(root));
  const outDir = abs(root, PATHS.tokenizer);
  for (const planned of plan) {
    const path = abs(root, planned.file);
    const before = existsSync(path) ? sha256File(path) : null;
    runGenerator(root, status.reference, planned, outDir, io.env);
    const after = sha256File(path);
    io.out(
      `${before === null ? 'created' : before === after ? 'unchanged' : 'updated'} ${planned.file} (${planned.corpus} × ${planned.target.vocab}, ${planned.target.lower ? 'lower' : 'cased'})`,
    );
  }
  const planned = new Set(plan.map((p) => p.file));
  for (const f of existsSync(outDir) ? readdirSync(outDir).sort() : []) {
    const rel = `${PATHS.tokenizer}/${f}`;
    if (f.endsWith('.jsonl') && !planned.has(rel))
      io.err(`warning: ${rel} is not produced by any corpus × target in ${PATHS.targets}; delete it or add a target`);
  }
  writeManifest(root, buildManifest(root));
  io.out(
    `regenerated ${plan.length} golden(s) with ${status.label}; wrote ${PATHS.manifest}. Review with: git diff golden/`,
  );
  return 0;
}

function add(options: Options, io: Io): number {
  if (options.corpus === undefined) usage('add needs --corpus NAME');
  const c: NewCase =
    options.pair !== undefined
      ? { kind: 'pair', textA: options.pair[0], textB: options.pair[1], maxSeqLength: options.maxSeqLength ?? 128 }
      : { kind: 'text', text: options.text as string };
  const added = addCase(options.root, options.corpus as string, c);
  io.out(`added ${added.id} to ${added.corpus}${added.created ? ' (new corpus)' : ''}: ${added.line}`);
  io.out('next: pnpm golden:regen (needs BERT_REFERENCE_DIR), then pnpm golden:check, and commit golden/');
  return 0;
}

function manifest(options: Options, io: Io): number {
  writeManifest(options.root, buildManifest(options.root));
  io.out(
    `recorded the goldens as they are in ${PATHS.manifest} (no regeneration; CI's pnpm golden:regen verifies them against the reference)`,
  );
  return 0;
}

/** Runs one command; returns the exit code. Errors become messages, never stack traces. */
export function main(args: string[], io: Io): number {
  try {
    const { command, options } = parse(args);
    switch (command) {
      case 'check':
        return check(options, io);
      case 'regen':
        return regen(options, io);
      case 'add':
        return add(options, io);
      case 'manifest':
        return manifest(options, io);
      default:
        return usage(`unknown command ${command}`);
    }
  } catch (err) {
    if (isParityError(err)) {
      io.err(String(err));
      // A duplicate is a refusal of the input, like other usage errors; stale data is a mismatch.
      return err.code === 'E_GOLDEN_STALE' ? 1 : 2;
    }
    throw err;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = main(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    env: process.env,
  });
}
