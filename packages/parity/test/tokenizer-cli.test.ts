import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../src/paths.ts';
import { runCli as run } from './helpers/cli.ts';

const GOLDEN = resolve(REPO_ROOT, 'golden/tokenizer/fixture-uncased.lower.dev.jsonl');
const VOCAB = resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt');

/** A copy of the fixture golden with one case's expected ids changed, as a hand edit would. */
function tamperedGolden(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bp-cli-'));
  const lines = readFileSync(GOLDEN, 'utf8').split('\n');
  const rec = JSON.parse(lines[2] as string);
  rec.ids[0] += 1;
  lines[2] = JSON.stringify(rec);
  const path = join(dir, 'fixture-uncased.lower.dev.jsonl');
  writeFileSync(path, lines.join('\n'));
  return path;
}

/** What `tokenizer verify` prints for tamperedGolden(). */
const TAMPERED_TEXT = [
  'FAIL  fixture-uncased.lower.dev.jsonl  bert-parity/google-bert  3395/3396 agree (99.97%)',
  '  dev-edge-0001  ids differs at 0  text "Héllo naïve café"',
  '    want [23842, 155, 27438, 28198, 144, 27438, 27912, 27781]',
  '    got  [23841, 155, 27438, 28198, 144, 27438, 27912, 27781]',
].join('\n');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('bert-parity tokenizer verify', () => {
  it('exits 0 with a PASS line when every case agrees', async () => {
    const r = await run('tokenizer', 'verify', '--golden', GOLDEN, '--vocab', VOCAB);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'PASS  fixture-uncased.lower.dev.jsonl  bert-parity/google-bert  3396/3396 agree (100.00%)',
    );
  });

  it('prints the promised JSON object', async () => {
    const r = await run('tokenizer', 'verify', '--golden', GOLDEN, '--vocab', VOCAB, '--json');
    expect(JSON.parse(r.out)).toEqual({
      golden: GOLDEN,
      impl: 'bert-parity/google-bert',
      cases: 3396,
      agree: 3396,
      mismatches: [],
    });
  });

  it('finds the vocabulary beside the golden when --vocab is omitted', async () => {
    const r = await run('tokenizer', 'verify', '--golden', GOLDEN, '--json');
    expect(JSON.parse(r.out).agree).toBe(3396);
  });

  it('exits 1 and names the case, field and first difference on a mismatch', async () => {
    const r = await run('tokenizer', 'verify', '--golden', tamperedGolden(), '--vocab', VOCAB, '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.agree).toBe(3395);
    const got = [23841, 155, 27438, 28198, 144, 27438, 27912, 27781];
    expect(j.mismatches).toEqual([
      {
        id: 'dev-edge-0001',
        text: 'Héllo naïve café',
        field: 'ids',
        want: [23842, ...got.slice(1)],
        got,
        firstDiff: 0,
      },
    ]);
    const text = await run('tokenizer', 'verify', '--golden', tamperedGolden(), '--vocab', VOCAB);
    expect(text.out).toBe(TAMPERED_TEXT);
  });

  it('measures Hugging Face tokenizers with the same command (--impl)', async () => {
    const r = await run(
      'tokenizer',
      'verify',
      '--golden',
      GOLDEN,
      '--vocab',
      VOCAB,
      '--impl',
      'hf-tokenizers',
      '--json',
    );
    const j = JSON.parse(r.out);
    expect(r.code).toBe(1);
    expect(j.impl).toBe('hf-tokenizers');
    expect(j.cases).toBe(3396);
    expect(j.agree).toBe(2807);
    expect(j.mismatches).toHaveLength(20);
  });

  it('exits 2 with a coded message on bad input', async () => {
    const missing = await run('tokenizer', 'verify', '--golden', '/nonexistent/g.jsonl');
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(
      "bert-parity: E_IO: cannot read golden file /nonexistent/g.jsonl: ENOENT: no such file or directory, open '/nonexistent/g.jsonl'",
    );
    const profile = await run('tokenizer', 'verify', '--golden', GOLDEN, '--profile', 'nope');
    expect(profile.code).toBe(2);
    expect(profile.err).toBe(
      'bert-parity: E_USAGE: unknown profile "nope"; expected one of google-bert, hf-slow, hf-fast',
    );
    const option = await run('tokenizer', 'verify', '--bogus');
    expect(option.code).toBe(2);
    expect(option.err.split('\n')[0]).toBe("error: unknown option '--bogus'");
  });
});

describe('bert-parity tokenize', () => {
  it('prints tokens, ids and offsets', async () => {
    const r = await run('tokenize', '--vocab', VOCAB, '--json', 'Héllo,', '越过');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      tokens: ['hello', ',', '越', '过'],
      ids: [23841, 115, 16625, 17197],
      offsets: [
        [0, 5],
        [5, 6],
        [7, 8],
        [8, 9],
      ],
    });
  });
  it('keeps case with --cased', async () => {
    const r = await run('tokenize', '--vocab', VOCAB, '--cased', '--json', 'Héllo');
    expect(JSON.parse(r.out)).toEqual({ tokens: ['[UNK]'], ids: [100], offsets: [[0, 5]] });
  });
});

describe('the installed command', () => {
  it('sets the process exit code (pnpm bert-parity …)', () => {
    const r = spawnSync(
      'pnpm',
      ['--silent', 'bert-parity', 'tokenizer', 'verify', '--golden', tamperedGolden(), '--vocab', VOCAB],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(`${TAMPERED_TEXT}\n`);
  });
});
