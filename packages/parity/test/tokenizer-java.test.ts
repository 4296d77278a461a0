import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../src/paths.ts';
import { runCli as run } from './helpers/cli.ts';

const GOLDEN = resolve(REPO_ROOT, 'golden/tokenizer/fixture-uncased.lower.dev.jsonl');
const VOCAB = resolve(REPO_ROOT, 'golden/vocab/fixture-uncased.txt');
const SRC = resolve(REPO_ROOT, 'packages/tokenizer-java/test/java');
const HAS_JAVAC = spawnSync('javac', ['-version']).status === 0;
if (!HAS_JAVAC) console.warn('tokenizer verify --impl java tests skipped: no javac on PATH (CI has a JDK)');

const verify = (cls: string, ...more: string[]) =>
  run(
    'tokenizer',
    'verify',
    '--impl',
    'java',
    '--java-src',
    SRC,
    '--java-class',
    `testtok.${cls}`,
    '--golden',
    GOLDEN,
    '--vocab',
    VOCAB,
    ...more,
  );

const saved = { cache: process.env.BERT_PARITY_JAVA_CACHE, path: process.env.PATH, home: process.env.JAVA_HOME };
beforeAll(() => {
  // One compile cache for this file: javac runs once, every other run reuses the classes.
  process.env.BERT_PARITY_JAVA_CACHE = mkdtempSync(join(tmpdir(), 'bp-java-cli-'));
});
afterAll(() => {
  for (const [k, v] of [
    ['BERT_PARITY_JAVA_CACHE', saved.cache],
    ['PATH', saved.path],
    ['JAVA_HOME', saved.home],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe.skipIf(!HAS_JAVAC)('bert-parity tokenizer verify --impl java', () => {
  it('the faithful Java tokenizer agrees on every case (Java 17 is Unicode 13.0; no dev case needs 14.0 data)', async () => {
    const r = await verify('FaithfulTokenizer');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'PASS  fixture-uncased.lower.dev.jsonl  java:testtok.FaithfulTokenizer  3396/3396 agree (100.00%)',
    );
  });

  // Every mismatch of each defective tokenizer is attributed to its defect, and to nothing else.
  it.each([
    ['NoCjkSplitTokenizer', 2163, 'cjk-not-split', 1233, 'dev-edge-0000', 'reproduced with tokenizeChineseChars false'],
    [
      'AccentsKeptTokenizer',
      2071,
      'accents-not-stripped',
      1325,
      'dev-edge-0001',
      'reproduced by lowercasing without accent stripping (also fits: lowercasing)',
    ],
    ['SymbolsAsLettersTokenizer', 3099, 'punctuation', 297, 'dev-edge-0016', 'reproduced with $+<=>^|~ as letters'],
    [
      'ControlsKeptTokenizer',
      2932,
      'controls',
      464,
      'dev-edge-0010',
      'reproduced with control/format characters (Cc, Cf) kept',
    ],
    [
      'CharIteratingTokenizer',
      3215,
      'surrogates',
      181,
      'dev-edge-0036',
      'reproduced with each UTF-16 unit of a surrogate pair as a character (also fits: cjk-not-split)',
    ],
    ['WordLimit100Tokenizer', 3392, 'word-length', 4, 'dev-edge-0049', 'reproduced with max_input_chars_per_word 100'],
  ])('%s: %i/3396 agree, every mismatch diagnosed as %s', async (cls, agree, cause, count, example, evidence) => {
    const r = await verify(cls, '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ golden: GOLDEN, impl: `java:testtok.${cls}`, cases: 3396, agree });
    expect(report.causes).toEqual([{ cause, description: expect.any(String), count, example, evidence }]);
    expect(report.mismatches).toHaveLength(Math.min(20, 3396 - agree));
  });

  it('prints the causes in the text report', async () => {
    const r = await verify('SymbolsAsLettersTokenizer', '--show', '1');
    expect(r.code).toBe(1);
    expect(r.out.split('\n').slice(0, 4)).toEqual([
      'FAIL  fixture-uncased.lower.dev.jsonl  java:testtok.SymbolsAsLettersTokenizer  3099/3396 agree (91.25%)',
      '  mismatches by cause:',
      '    punctuation    297  e.g. dev-edge-0016  punctuation set differs (ASCII symbols such as $+<=>^|~ as letters, or Unicode P* missed)',
      '                        reproduced with $+<=>^|~ as letters',
    ]);
  });

  it('an exception on a case is a mismatch on that case (cause exception), not a crash', async () => {
    const r = await verify('ThrowingTokenizer', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.agree).toBe(3357);
    expect(report.causes.map((g: { cause: string; count: number }) => [g.cause, g.count])).toEqual([['exception', 39]]);
    const m = report.mismatches[0];
    expect(m.field).toBe('error');
    expect(m.got).toContain('E_JAVA_RUNTIME: testtok.ThrowingTokenizer.tokenize threw on text');
    expect(m.got).toContain('java.lang.IllegalStateException: no rule for the euro sign');
  });

  it('coded errors: missing class, missing constructor, missing options, missing JDK', async () => {
    const missing = await verify('DoesNotExist');
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(
      `bert-parity: E_JAVA_CLASS: --java-class testtok.DoesNotExist (sources ${SRC}): class testtok.DoesNotExist not found among the compiled sources or the classpath`,
    );
    const ctor = await verify('NoSupportedConstructor');
    expect(ctor.code).toBe(2);
    expect(ctor.err).toBe(
      `bert-parity: E_JAVA_CLASS: --java-class testtok.NoSupportedConstructor (sources ${SRC}): class testtok.NoSupportedConstructor has none of the supported constructors (String vocabPath, boolean doLowerCase), (Map<String,Integer> vocab, boolean doLowerCase), (String vocabPath), (Map<String,Integer> vocab)`,
    );
    const usage = await run('tokenizer', 'verify', '--impl', 'java', '--golden', GOLDEN);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain(
      "E_USAGE: --impl java needs --java-src DIR (the app's Java sources) and --java-class FQCN",
    );
    const stray = await run('tokenizer', 'verify', '--golden', GOLDEN, '--java-src', SRC);
    expect(stray.err).toContain(
      'E_USAGE: --java-src, --java-class and --classpath apply to --impl java, not --impl ours',
    );
    process.env.PATH = '/nonexistent';
    delete process.env.JAVA_HOME;
    try {
      const noJdk = await verify('FaithfulTokenizer');
      expect(noJdk.code).toBe(2);
      expect(noJdk.err).toContain('E_IMPL_UNAVAILABLE: no JDK for --impl java: cannot run javac');
    } finally {
      process.env.PATH = saved.path;
      if (saved.home !== undefined) process.env.JAVA_HOME = saved.home;
    }
  });
});
