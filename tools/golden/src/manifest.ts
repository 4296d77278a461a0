import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix, relative, sep } from 'node:path';
import { OUTPUT_INDEX_FILE, ParityError, readOutputGoldens, sha256Hex } from '@bert-parity/core';
import {
  abs,
  generatorVersion,
  loadTargets,
  PATHS,
  type PlannedGolden,
  planGoldens,
  readText,
  writeAtomic,
} from './layout.ts';

/**
 * golden/MANIFEST.json: the provenance and sha256 of every golden file and of the inputs it was made from,
 * so that a hand edit, a changed corpus or vocabulary, or a golden nobody generated is caught without
 * running the reference.
 */
export interface TokenizerManifestEntry {
  file: string;
  sha256: string;
  corpus: string;
  corpus_sha256: string;
  vocab: string;
  vocab_sha256: string;
  vocab_size: number;
  do_lower_case: boolean;
  max_input_chars_per_word: number;
  reference: string;
  reference_commit: string;
  python: string;
  unicode: string;
  generator_version: string;
}

export interface OutputsManifestEntry {
  index: string;
  sha256: string;
  model: string;
  model_sha256: string;
  precision: string;
  arrays: { file: string; sha256: string }[];
}

export interface GoldenManifest {
  format: 'bert-parity-golden-manifest';
  version: 1;
  generator: { program: string; version: string };
  tokenizer: TokenizerManifestEntry[];
  outputs: OutputsManifestEntry[];
}

/** One thing wrong, always naming the file it is about. */
export interface Problem {
  file: string;
  message: string;
}

export function sha256File(path: string): string {
  try {
    return sha256Hex(readFileSync(path));
  } catch (cause) {
    throw new ParityError('E_IO', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** The meta record (first line) of a tokenizer golden. */
export function readGoldenMeta(path: string): Record<string, unknown> {
  const text = readText(path, 'golden file');
  const first = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  let meta: unknown;
  try {
    meta = JSON.parse(first);
  } catch (cause) {
    throw new ParityError('E_GOLDEN_FORMAT', `${path}:1: not JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof meta !== 'object' || meta === null || (meta as { type?: unknown }).type !== 'meta') {
    throw new ParityError('E_GOLDEN_FORMAT', `${path}:1: expected the meta record first`);
  }
  return meta as Record<string, unknown>;
}

/** The manifest entry for a golden file as it is on disk now. */
export function tokenizerEntry(root: string, planned: PlannedGolden, version: string): TokenizerManifestEntry {
  const path = abs(root, planned.file);
  const meta = readGoldenMeta(path);
  return {
    file: planned.file,
    sha256: sha256File(path),
    corpus: planned.corpus,
    corpus_sha256: meta.corpus_sha256 as string,
    vocab: planned.target.vocab,
    vocab_sha256: meta.vocab_sha256 as string,
    vocab_size: meta.vocab_size as number,
    do_lower_case: meta.do_lower_case as boolean,
    max_input_chars_per_word: meta.max_input_chars_per_word as number,
    reference: meta.reference as string,
    reference_commit: meta.reference_commit as string,
    python: meta.python as string,
    unicode: meta.unicode as string,
    generator_version: version,
  };
}

const toPosix = (p: string) => p.split(sep).join('/');

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}${sep}${d.name}`;
    if (d.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Output golden sets under golden/outputs, checked against their own index before they are recorded. */
export function outputsEntries(root: string): OutputsManifestEntry[] {
  const indexes = walk(abs(root, PATHS.outputs))
    .filter((p) => posix.basename(toPosix(p)) === OUTPUT_INDEX_FILE)
    .sort();
  return indexes.map((indexPath) => {
    const loaded = readOutputGoldens(indexPath);
    const dir = posix.dirname(toPosix(relative(root, indexPath)));
    const arrays = loaded.index.entries.map((entry) => {
      loaded.load(entry); // throws E_GOLDEN_STALE when an array no longer matches its index
      return { file: `${dir}/${entry.file}`, sha256: entry.sha256 };
    });
    return {
      index: toPosix(relative(root, indexPath)),
      sha256: sha256File(indexPath),
      model: loaded.index.model.name,
      model_sha256: loaded.index.model.sha256,
      precision: loaded.index.precision,
      arrays,
    };
  });
}

export function buildManifest(root: string): GoldenManifest {
  const version = generatorVersion();
  const plan = planGoldens(root, loadTargets(root));
  const missing = plan.filter((p) => !existsSync(abs(root, p.file)));
  if (missing.length > 0) {
    throw new ParityError(
      'E_GOLDEN_STALE',
      `cannot record the manifest: ${missing.map((p) => p.file).join(', ')} missing; run pnpm golden:regen`,
    );
  }
  return {
    format: 'bert-parity-golden-manifest',
    version: 1,
    generator: { program: PATHS.generator, version },
    tokenizer: plan.map((p) => tokenizerEntry(root, p, version)),
    outputs: outputsEntries(root),
  };
}

export function writeManifest(root: string, manifest: GoldenManifest): void {
  writeAtomic(abs(root, PATHS.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
}

function readManifest(root: string): GoldenManifest {
  const path = abs(root, PATHS.manifest);
  let raw: unknown;
  try {
    raw = JSON.parse(readText(path, 'golden manifest'));
  } catch (cause) {
    if (cause instanceof ParityError) throw cause;
    throw new ParityError('E_GOLDEN_FORMAT', `${path}: not JSON (${(cause as Error).message})`, { cause });
  }
  const m = raw as Partial<GoldenManifest>;
  if (
    m.format !== 'bert-parity-golden-manifest' ||
    m.version !== 1 ||
    !Array.isArray(m.tokenizer) ||
    !Array.isArray(m.outputs)
  ) {
    throw new ParityError(
      'E_GOLDEN_FORMAT',
      `${path}: expected format "bert-parity-golden-manifest" version 1 with tokenizer and outputs arrays`,
    );
  }
  return m as GoldenManifest;
}

const REGEN = 'run pnpm golden:regen';

/** Meta fields that must equal the manifest entry's, as [meta key, entry key]. */
const META_FIELDS: [string, keyof TokenizerManifestEntry][] = [
  ['reference', 'reference'],
  ['reference_commit', 'reference_commit'],
  ['python', 'python'],
  ['unicode', 'unicode'],
  ['vocab_sha256', 'vocab_sha256'],
  ['vocab_size', 'vocab_size'],
  ['do_lower_case', 'do_lower_case'],
  ['max_input_chars_per_word', 'max_input_chars_per_word'],
  ['corpus_sha256', 'corpus_sha256'],
];

function checkTokenizerEntry(root: string, e: TokenizerManifestEntry, version: string, problems: Problem[]): void {
  const problem = (message: string) => problems.push({ file: e.file, message });
  const path = abs(root, e.file);
  if (!existsSync(path)) {
    problem(`listed in ${PATHS.manifest} but missing; ${REGEN}`);
    return;
  }
  const sha = sha256File(path);
  if (sha !== e.sha256) {
    problem(
      `sha256 ${sha} differs from ${e.sha256} in ${PATHS.manifest}: the file changed after it was generated (goldens are never edited by hand; ${REGEN})`,
    );
  }
  let meta: Record<string, unknown>;
  try {
    meta = readGoldenMeta(path);
  } catch (err) {
    problem((err as Error).message);
    return;
  }
  for (const [metaKey, entryKey] of META_FIELDS) {
    if (meta[metaKey] !== e[entryKey]) {
      problem(
        `meta ${metaKey} is ${JSON.stringify(meta[metaKey])}, ${PATHS.manifest} says ${JSON.stringify(e[entryKey])}`,
      );
    }
  }
  if (meta.corpus !== posix.basename(e.corpus))
    problem(`meta corpus is ${JSON.stringify(meta.corpus)}, expected ${JSON.stringify(posix.basename(e.corpus))}`);
  if (meta.vocab !== posix.basename(e.vocab).replace(/\.txt$/, '')) {
    problem(`meta vocab is ${JSON.stringify(meta.vocab)}, expected the name of ${e.vocab}`);
  }
  for (const [what, input, recorded] of [
    ['corpus', e.corpus, meta.corpus_sha256],
    ['vocabulary', e.vocab, meta.vocab_sha256],
  ] as const) {
    const inputPath = abs(root, input);
    if (!existsSync(inputPath)) {
      problem(`its ${what} ${input} is missing`);
      continue;
    }
    const actual = sha256File(inputPath);
    if (actual !== recorded) {
      problem(
        `stale: its ${what} ${input} now has sha256 ${actual}, the golden was generated from ${String(recorded)}; ${REGEN}`,
      );
    }
  }
  if (e.generator_version !== version) {
    problem(`generated by generator ${e.generator_version}, ${PATHS.generator} is now ${version}; ${REGEN}`);
  }
}

function checkOutputsEntry(root: string, e: OutputsManifestEntry, problems: Problem[]): void {
  const indexPath = abs(root, e.index);
  if (!existsSync(indexPath)) {
    problems.push({ file: e.index, message: `listed in ${PATHS.manifest} but missing` });
    return;
  }
  const sha = sha256File(indexPath);
  if (sha !== e.sha256)
    problems.push({ file: e.index, message: `sha256 ${sha} differs from ${e.sha256} in ${PATHS.manifest}` });
  for (const a of e.arrays) {
    const p = abs(root, a.file);
    if (!existsSync(p)) {
      problems.push({ file: a.file, message: `listed in ${PATHS.manifest} but missing` });
      continue;
    }
    const got = sha256File(p);
    if (got !== a.sha256) {
      problems.push({
        file: a.file,
        message: `sha256 ${got} differs from ${a.sha256} in ${PATHS.manifest}: the array changed after it was recorded`,
      });
    }
  }
}

export interface VerifyResult {
  problems: Problem[];
  goldens: number;
  arrays: number;
}

/**
 * Everything that can be checked without the reference: listed files exist and hash as recorded, each
 * golden's meta agrees with the manifest and with its corpus and vocabulary as they are now, and every
 * golden on disk (and every golden the targets ask for) is in the manifest.
 */
export function verifyManifest(root: string): VerifyResult {
  const problems: Problem[] = [];
  if (!existsSync(abs(root, PATHS.manifest))) {
    return { problems: [{ file: PATHS.manifest, message: `missing; ${REGEN}` }], goldens: 0, arrays: 0 };
  }
  let manifest: GoldenManifest;
  try {
    manifest = readManifest(root);
  } catch (err) {
    return { problems: [{ file: PATHS.manifest, message: (err as Error).message }], goldens: 0, arrays: 0 };
  }
  const version = generatorVersion();
  if (manifest.generator?.version !== version) {
    problems.push({
      file: PATHS.manifest,
      message: `records generator ${String(manifest.generator?.version)}, ${PATHS.generator} is ${version}; ${REGEN}`,
    });
  }
  for (const e of manifest.tokenizer) checkTokenizerEntry(root, e, version, problems);
  for (const e of manifest.outputs) checkOutputsEntry(root, e, problems);

  const listed = new Set(manifest.tokenizer.map((e) => e.file));
  const tokenizerDir = abs(root, PATHS.tokenizer);
  const onDisk = existsSync(tokenizerDir)
    ? readdirSync(tokenizerDir)
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => `${PATHS.tokenizer}/${f}`)
    : [];
  for (const file of onDisk.sort()) {
    if (!listed.has(file))
      problems.push({
        file,
        message: `not listed in ${PATHS.manifest}: a golden nobody generated or recorded; ${REGEN}`,
      });
  }
  const plan = planGoldens(root, loadTargets(root));
  const planned = new Set(plan.map((p) => p.file));
  for (const p of plan) {
    if (!listed.has(p.file) && !onDisk.includes(p.file)) {
      problems.push({
        file: p.file,
        message: `expected from ${p.corpus} × ${p.target.vocab} (${p.target.lower ? 'lower' : 'cased'}) but never generated; ${REGEN}`,
      });
    }
  }
  for (const e of manifest.tokenizer) {
    if (!planned.has(e.file))
      problems.push({
        file: e.file,
        message: `no longer produced by any corpus × target in ${PATHS.targets}; delete it and ${REGEN}`,
      });
  }

  const listedArrays = new Set(manifest.outputs.flatMap((o) => [o.index, ...o.arrays.map((a) => a.file)]));
  for (const p of walk(abs(root, PATHS.outputs)).sort()) {
    const rel = toPosix(relative(root, p));
    if (!listedArrays.has(rel)) problems.push({ file: rel, message: `not listed in ${PATHS.manifest}; ${REGEN}` });
  }
  return {
    problems,
    goldens: manifest.tokenizer.length,
    arrays: manifest.outputs.reduce((n, o) => n + o.arrays.length, 0),
  };
}

/** Describes how a regenerated golden differs from the committed one, or null when byte-identical. */
export function describeDifference(committed: Buffer, regenerated: Buffer): string | null {
  if (committed.equals(regenerated)) return null;
  const a = committed.toString('utf8').split('\n');
  const b = regenerated.toString('utf8').split('\n');
  const parts: string[] = [];
  if (a[0] !== b[0]) {
    try {
      const ma = JSON.parse(a[0] as string) as Record<string, unknown>;
      const mb = JSON.parse(b[0] as string) as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(ma), ...Object.keys(mb)])].filter(
        (k) => JSON.stringify(ma[k]) !== JSON.stringify(mb[k]),
      );
      parts.push(
        `meta differs in ${keys.map((k) => `${k} (committed ${JSON.stringify(ma[k])}, regenerated ${JSON.stringify(mb[k])})`).join(', ')}`,
      );
    } catch {
      parts.push('meta line differs');
    }
  }
  let differing = 0;
  let first = -1;
  for (let i = 1; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      differing++;
      if (first === -1) first = i;
    }
  }
  if (first !== -1) {
    const id = /"id":"((?:[^"\\]|\\.)*)"/.exec(a[first] ?? b[first] ?? '')?.[1];
    parts.push(
      `${differing} record line(s) differ, first at line ${first + 1}${id === undefined ? '' : ` (case ${id})`}`,
    );
  }
  if (a.length !== b.length) parts.push(`${a.length - 1} lines committed, ${b.length - 1} regenerated`);
  return parts.join('; ');
}
