/**
 * Tokenizer benchmark: `pnpm bench:tokenizer [--json] [--reps N] [--vocab PATH]`.
 *
 * Throughput (MB/s of UTF-8 input, MB = 10^6 bytes; tokens/s) of bert-parity vs Hugging Face tokenizers
 * (`encodeBatch`) vs transformers.js, one process, one thread, on
 *   (a) English prose assembled at run time from the Markdown files of the installed dependencies
 *       (node_modules; never committed), and
 *   (b) the golden corpus texts (golden/corpus.dev.jsonl).
 * Each measurement: one warm-up run, then --reps runs (default 5); the median is reported.
 * Also: load time of the 119,547-entry multilingual vocabulary, and a linearity check of ours (1 MB vs 10 MB
 * single-line inputs; the time ratio should be ~10, not ~100).
 *
 * --json prints JSON Lines: one `{"corpus", "results": {impl: {mbPerS, tokensPerS, ...}}, ...}` object per
 * corpus, then one `{"measure": "vocab-load" | "linearity", ...}` object per extra measurement.
 */

import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParityError } from '@bert-parity/core';
import { BertTokenizer, Vocabulary } from '@bert-parity/tokenizer';
import { createHfTokenizersImpl, createTransformersJsImpl, type PeerTokenizerImpl } from '@bert-parity/tokenizer-peers';

// Single thread: Hugging Face tokenizers would otherwise spread encodeBatch over a rayon pool. Set before
// the binding loads, which the peers package does lazily (in main), after these module-level statements.
process.env.TOKENIZERS_PARALLELISM = 'false';
process.env.RAYON_NUM_THREADS = '1';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHARED_SEED = join(ROOT, '..', 'shared', 'golden-seed');
const MB = 1_000_000;
const PROSE_CAP_BYTES = 8 * MB;
/** Ours under its default profile (google-bert, the reference behaviour). */
const OURS = 'bert-parity';

interface Args {
  json: boolean;
  reps: number;
  vocab: string;
}

function parseArgs(argv: readonly string[]): Args {
  const defaultVocab = existsSync(join(SHARED_SEED, 'vocab', 'bert-base-uncased.txt'))
    ? join(SHARED_SEED, 'vocab', 'bert-base-uncased.txt')
    : join(ROOT, 'golden', 'vocab', 'fixture-uncased.txt');
  const args: Args = { json: false, reps: 5, vocab: defaultVocab };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--reps') args.reps = Number(argv[++i]);
    else if (a === '--vocab') args.vocab = String(argv[++i]);
    else
      throw new ParityError(
        'E_USAGE',
        `unknown argument ${a}; usage: bench:tokenizer [--json] [--reps N] [--vocab PATH]`,
      );
  }
  if (!Number.isInteger(args.reps) || args.reps < 1) {
    throw new ParityError('E_USAGE', `--reps must be a positive integer, got ${args.reps}`);
  }
  return args;
}

// ---------------------------------------------------------------------------------------------- corpora

/** Every *.md file below dir; symlinked directories are not followed (pnpm's store holds the real files). */
function markdownFiles(dir: string, out: string[]): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) markdownFiles(path, out);
    else if ((e.isFile() || e.isSymbolicLink()) && e.name.toLowerCase().endsWith('.md')) out.push(path);
  }
}

/**
 * English prose from the dependencies' Markdown: real paths, deduplicated and sorted, whole files taken in
 * that order while they fit under the cap, split into paragraphs (the unit a model would see).
 */
function proseCorpus(): { texts: string[]; files: number } {
  const found: string[] = [];
  markdownFiles(join(ROOT, 'node_modules'), found);
  const real = new Set<string>();
  for (const p of found) {
    try {
      if (statSync(p).isFile()) real.add(realpathSync(p));
    } catch {
      // A dangling link is not part of the corpus.
    }
  }
  const paths = [...real].sort();
  const texts: string[] = [];
  let bytes = 0;
  let files = 0;
  for (const p of paths) {
    const content = readFileSync(p, 'utf8');
    const size = Buffer.byteLength(content, 'utf8');
    if (bytes + size > PROSE_CAP_BYTES) continue;
    bytes += size;
    files++;
    for (const para of content.split(/\n\s*\n/)) if (para.trim() !== '') texts.push(para);
  }
  return { texts, files };
}

function goldenCorpus(): string[] {
  const texts: string[] = [];
  for (const line of readFileSync(join(ROOT, 'golden', 'corpus.dev.jsonl'), 'utf8').split('\n')) {
    if (line === '') continue;
    const rec = JSON.parse(line) as { text?: string; text_a?: string; text_b?: string | null };
    for (const t of [rec.text, rec.text_a, rec.text_b]) if (typeof t === 'string') texts.push(t);
  }
  return texts;
}

const utf8Bytes = (texts: readonly string[]): number => texts.reduce((n, t) => n + Buffer.byteLength(t, 'utf8'), 0);

// ---------------------------------------------------------------------------------------------- timing

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** One warm-up call, then `reps` timed calls; returns the median in ms and the token count of the last run. */
async function measure(reps: number, run: () => Promise<number> | number): Promise<{ ms: number; tokens: number }> {
  let tokens = await run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    tokens = await run();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), tokens };
}

interface Result {
  mbPerS: number;
  tokensPerS: number;
  medianMs: number;
  tokens: number;
}

interface CorpusReport {
  corpus: string;
  texts: number;
  bytes: number;
  reps: number;
  vocab: string;
  /** Library versions of the peers. */
  versions: Record<string, string>;
  results: Record<string, Result>;
}

type Runner = { name: string; version?: string; run: (texts: readonly string[]) => Promise<number> | number };

async function benchCorpus(
  name: string,
  texts: readonly string[],
  runners: Runner[],
  args: Args,
): Promise<CorpusReport> {
  const bytes = utf8Bytes(texts);
  const results: Record<string, Result> = {};
  const versions: Record<string, string> = {};
  for (const r of runners) {
    if (r.version !== undefined) versions[r.name] = r.version;
    const { ms, tokens } = await measure(args.reps, () => r.run(texts));
    results[r.name] = { mbPerS: bytes / MB / (ms / 1000), tokensPerS: tokens / (ms / 1000), medianMs: ms, tokens };
  }
  return { corpus: name, texts: texts.length, bytes, reps: args.reps, vocab: args.vocab, versions, results };
}

// ---------------------------------------------------------------------------------------------- extras

interface VocabLoad {
  measure: 'vocab-load';
  vocab: string;
  entries: number;
  firstMs: number;
  medianMs: number;
  reps: number;
}

function vocabLoad(reps: number): VocabLoad | null {
  const path = join(SHARED_SEED, 'vocab', 'bert-base-multilingual-cased.txt');
  if (!existsSync(path)) return null;
  let t0 = performance.now();
  let vocab = Vocabulary.fromFile(path);
  const firstMs = performance.now() - t0;
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    t0 = performance.now();
    vocab = Vocabulary.fromFile(path);
    times.push(performance.now() - t0);
  }
  return { measure: 'vocab-load', vocab: path, entries: vocab.size, firstMs, medianMs: median(times), reps };
}

interface Linearity {
  measure: 'linearity';
  input: string;
  ms1MB: number;
  ms10MB: number;
  ratio: number;
  tokens10MB: number;
}

/** `source` repeated as often as needed and cut to at most `bytes` UTF-8 bytes, on a character boundary. */
function sized(source: string, bytes: number): string {
  const copies = Math.ceil(bytes / Math.max(1, Buffer.byteLength(source, 'utf8')));
  const buf = Buffer.from(source.repeat(copies), 'utf8');
  let end = Math.min(bytes, buf.length);
  // A continuation byte (10xxxxxx) at the cut means a character straddles it: cut before that character.
  while (end > 0 && end < buf.length && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

function linearity(tok: BertTokenizer, name: string, source: string, reps: number): Linearity {
  // The 10 MB input is the 1 MB input ten times over: the same words at the same rate, so only the length
  // changes (a cut from a longer text would mix in other content and, through the WordPiece cache, other costs).
  const one = sized(source, 1 * MB);
  const ten = one.repeat(10);
  const time = (text: string) => {
    let tokens = tok.tokenizeToIds(text).length;
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      tokens = tok.tokenizeToIds(text).length;
      times.push(performance.now() - t0);
    }
    return { ms: median(times), tokens };
  };
  const a = time(one);
  const b = time(ten);
  return { measure: 'linearity', input: name, ms1MB: a.ms, ms10MB: b.ms, ratio: b.ms / a.ms, tokens10MB: b.tokens };
}

// ---------------------------------------------------------------------------------------------- output

const fmt = (x: number, digits = 2) => x.toFixed(digits);
const fmtCount = (x: number) => (x >= 1e6 ? `${fmt(x / 1e6)}M` : x >= 1e3 ? `${fmt(x / 1e3, 1)}k` : fmt(x, 0));

function printCorpus(r: CorpusReport): void {
  console.log(`\n${r.corpus}: ${r.texts} texts, ${fmt(r.bytes / MB)} MB; median of ${r.reps} runs after a warm-up`);
  const ours = r.results[OURS];
  const rows = [['impl', 'MB/s', 'tokens/s', 'tokens', 'ours ÷ peer (MB/s)']];
  for (const [name, x] of Object.entries(r.results)) {
    const ratio = name === OURS || ours === undefined ? '—' : `${fmt(ours.mbPerS / x.mbPerS)}×`;
    rows.push([name, fmt(x.mbPerS), fmtCount(x.tokensPerS), String(x.tokens), ratio]);
  }
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  for (const row of rows)
    console.log(
      `  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')}`,
    );
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (s: string) => {
    if (!args.json) console.log(s);
  };
  log(`vocabulary: ${args.vocab}`);
  log('single thread: TOKENIZERS_PARALLELISM=false, RAYON_NUM_THREADS=1');

  const ours = new BertTokenizer(Vocabulary.fromFile(args.vocab), { lowercase: true });
  const peers: PeerTokenizerImpl[] = [];
  for (const create of [createHfTokenizersImpl, createTransformersJsImpl]) {
    try {
      peers.push(await create(args.vocab, { lowercase: true }));
    } catch (error) {
      // A peer that cannot load is reported, and the others are still measured.
      console.error(`skipping a peer: ${String(error)}`);
    }
  }
  const runners: Runner[] = [
    {
      name: OURS,
      run: (texts) => {
        let n = 0;
        for (const t of texts) n += ours.tokenizeToIds(t).length;
        return n;
      },
    },
    ...peers.map((p) => ({
      name: p.name,
      version: p.version,
      run: async (texts: readonly string[]) => {
        let n = 0;
        for (const r of await p.tokenizeBatch(texts)) n += r.ids.length;
        return n;
      },
    })),
  ];
  log(`peers: ${peers.map((p) => `${p.name} ${p.version}`).join(', ') || 'none'}`);

  const prose = proseCorpus();
  log(`prose: ${prose.files} Markdown files from node_modules (sorted real paths, capped at 8 MB)`);
  const reports = [
    await benchCorpus('node_modules-markdown', prose.texts, runners, args),
    await benchCorpus('golden-corpus.dev', goldenCorpus(), runners, args),
  ];

  const load = vocabLoad(args.reps);
  const proseText = prose.texts.join(' ');
  const noSpaces = proseText.replace(/\s+/gu, '');
  const lettersOnly = proseText.replace(/[^a-z]+/giu, '');
  const lin = [
    linearity(ours, 'prose with whitespace removed', noSpaces, args.reps),
    linearity(ours, 'one run of letters (no spaces, no punctuation)', lettersOnly, args.reps),
  ];

  if (args.json) {
    for (const r of reports) console.log(JSON.stringify(r));
    if (load !== null) console.log(JSON.stringify(load));
    for (const l of lin) console.log(JSON.stringify(l));
    return;
  }
  for (const r of reports) printCorpus(r);
  console.log('\nvocabulary load (ours, Vocabulary.fromFile)');
  if (load === null)
    console.log('  skipped: bert-base-multilingual-cased.txt not found under ../shared/golden-seed/vocab');
  else {
    console.log(
      `  ${load.entries} entries: first load ${fmt(load.firstMs, 1)} ms, median ${fmt(load.medianMs, 1)} ms of ${load.reps}`,
    );
  }
  console.log('\nlinearity (ours, tokenizeToIds on one single-line input)');
  for (const l of lin) {
    console.log(
      `  ${l.input}: 1 MB ${fmt(l.ms1MB, 1)} ms, 10 MB ${fmt(l.ms10MB, 1)} ms, ratio ${fmt(l.ratio)} (linear ≈ 10)`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(String(error));
  process.exitCode = error instanceof ParityError && error.code === 'E_USAGE' ? 2 : 1;
});
