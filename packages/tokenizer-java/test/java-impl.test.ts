import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isParityError } from '@bert-parity/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { asciiJson, createJavaImpl, type JavaImplOptions } from '../src/index.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SRC = join(HERE, 'java');
const VOCAB = resolve(HERE, '../../../golden/vocab/fixture-uncased.txt');
const HAS_JAVAC = spawnSync('javac', ['-version']).status === 0;
if (!HAS_JAVAC) console.warn('tokenizer-java tests skipped: no javac on PATH (CI has a JDK)');

// One cache per test file: the first impl runs javac, every later one reuses the classes.
const CACHE = mkdtempSync(join(tmpdir(), 'bp-java-test-'));
const make = (className: string, extra: Partial<JavaImplOptions> = {}) =>
  createJavaImpl({
    src: SRC,
    className: `testtok.${className}`,
    vocabPath: VOCAB,
    lowercase: true,
    cacheDir: CACHE,
    ...extra,
  });

/** The coded error a call throws (sync or async). */
async function codeOf(fn: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (e) {
    if (isParityError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a ParityError');
}

describe('asciiJson', () => {
  it('escapes every non-ASCII UTF-16 unit, lone surrogates included', () => {
    expect(asciiJson({ t: 'é😀\ud800x' })).toBe('{"t":"\\u00e9\\ud83d\\ude00\\ud800x"}');
    expect(JSON.parse(asciiJson('é😀\udc00'))).toBe('é😀\udc00');
  });
});

describe.skipIf(!HAS_JAVAC)('Java tokenizer through the harness', () => {
  beforeAll(() => {
    expect(make('FaithfulTokenizer').compiledFromCache).toBe(false);
  });

  it('reuses the compiled classes for the same sources', () => {
    expect(make('Echo').compiledFromCache).toBe(true);
  });

  it('carries supplementary characters and lone surrogates across the pipe intact, and ignores what the app prints', async () => {
    const impl = make('Echo');
    const texts = ['x\ud800y😀', '\udfff', 'a\u0000b\u2028c\r\n"\\', '𠀀 é'];
    await impl.prepare({ texts });
    for (const text of texts) {
      const units = [...Array(text.length).keys()].map((i) => text.charCodeAt(i).toString(16));
      expect(impl.tokenize(text).tokens).toEqual([text, ...units]);
    }
    expect(impl.constructorUsed()).toBe('testtok.Echo(Map<String,Integer> vocab)');
  });

  it('tokenizes and encodes with the app tokenizer, ids from the reference vocabulary', async () => {
    const impl = make('FaithfulTokenizer');
    await impl.prepare({
      texts: ['Hello, 世界!'],
      pairs: [{ textA: 'hello world again', textB: 'foo bar', maxSeqLength: 6 }],
    });
    expect(impl.tokenize('Hello, 世界!')).toEqual({
      tokens: ['hello', ',', '世', '界', '!'],
      ids: [23841, 115, 574, 10466, 104],
    });
    // 3 + 2 tokens into 6 - 3: a (longer) loses "again", then on the tie b loses "bar".
    expect(impl.encode('hello world again', 'foo bar', 6)).toEqual({
      tokens: ['[CLS]', 'hello', 'world', '[SEP]', 'foo', '[SEP]'],
      inputIds: [101, 23841, 26999, 102, 23615, 102],
      inputMask: [1, 1, 1, 1, 1, 1],
      segmentIds: [0, 0, 0, 0, 1, 1],
    });
  });

  it('turns an exception on one input into E_JAVA_RUNTIME for that input only, with the stack trace', async () => {
    const impl = make('ThrowingTokenizer');
    await impl.prepare({ texts: ['cost 5€', 'cost 5'] });
    expect(impl.tokenize('cost 5').tokens).toEqual(['cost', '5']);
    const e = await codeOf(() => impl.tokenize('cost 5€'));
    expect(e.code).toBe('E_JAVA_RUNTIME');
    expect(e.message).toContain(
      'testtok.ThrowingTokenizer.tokenize threw on text "cost 5€": java.lang.IllegalStateException: no rule for the euro sign',
    );
    expect(e.message).toContain('at testtok.ThrowingTokenizer.tokenize(ThrowingTokenizer.java:');
  });

  it('E_JAVA_CLASS for a missing class, a missing constructor shape and a missing tokenize method', async () => {
    const missing = await codeOf(() => make('DoesNotExist').prepare({ texts: ['a'] }));
    expect(missing).toMatchObject({ code: 'E_JAVA_CLASS' });
    expect(missing.message).toContain(
      'class testtok.DoesNotExist not found among the compiled sources or the classpath',
    );
    const ctor = await codeOf(() => make('NoSupportedConstructor').prepare({ texts: ['a'] }));
    expect(ctor.code).toBe('E_JAVA_CLASS');
    expect(ctor.message).toContain('has none of the supported constructors (String vocabPath, boolean doLowerCase)');
    const method = await codeOf(() =>
      createJavaImpl({
        src: SRC,
        className: 'java.lang.Object',
        vocabPath: VOCAB,
        lowercase: true,
        cacheDir: CACHE,
      }).prepare({
        texts: ['a'],
      }),
    );
    expect(method.code).toBe('E_JAVA_CLASS');
    expect(method.message).toContain('class java.lang.Object has no method tokenize(String)');
  });

  it('E_JAVA_RUNTIME when the constructor throws', async () => {
    const e = await codeOf(() => make('ConstructorThrows').prepare({ texts: ['a'] }));
    expect(e.code).toBe('E_JAVA_RUNTIME');
    expect(e.message).toContain('constructor testtok.ConstructorThrows(String vocabPath, boolean doLowerCase) threw');
    expect(e.message).toContain(`java.lang.IllegalArgumentException: asset not found: ${VOCAB}`);
  });

  it('E_JAVA_TIMEOUT when the JVM run exceeds its time limit', async () => {
    const e = await codeOf(() => make('FaithfulTokenizer', { timeoutMs: 1 }).prepare({ texts: ['a'] }));
    expect(e.code).toBe('E_JAVA_TIMEOUT');
    expect(e.message).toContain('testtok.FaithfulTokenizer did not finish 1 inputs in 1 ms');
  });

  it("E_JAVA_COMPILE carries javac's messages", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-java-broken-'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'Broken.java'), 'package app;\npublic class Broken { int x = }\n');
    const e = await codeOf(() =>
      createJavaImpl({ src: dir, className: 'app.Broken', vocabPath: VOCAB, lowercase: true, cacheDir: CACHE }),
    );
    expect(e.code).toBe('E_JAVA_COMPILE');
    expect(e.message).toContain(`javac could not compile ${dir} (1 files)`);
    expect(e.message).toContain('Broken.java:2: error: illegal start of expression');
  });

  it('E_IMPL_UNAVAILABLE without a JDK', async () => {
    const e = await codeOf(() => make('FaithfulTokenizer', { env: { PATH: '/nonexistent' } }));
    expect(e.code).toBe('E_IMPL_UNAVAILABLE');
    expect(e.message).toContain('no JDK for --impl java: cannot run javac');
    expect(e.message).toContain('looked in PATH=/nonexistent');
  });

  it('E_IO when --java-src holds no Java sources', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'bp-java-empty-'));
    const e = await codeOf(() =>
      createJavaImpl({ src: empty, className: 'x.Y', vocabPath: VOCAB, lowercase: true, cacheDir: CACHE }),
    );
    expect(e).toEqual({
      code: 'E_IO',
      message: `--java-src ${empty} holds no .java files; expected the app's tokenizer sources`,
    });
  });
});
