import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIXTURE_VOCAB } from './paths.ts';

// Modules are reset between these tests, so errors come from a fresh copy of @bert-parity/core: they are
// matched by name and code, not with instanceof.

/** The peer libraries are heavy (a native binding; onnxruntime and sharp behind transformers.js): load on demand. */
/** What both peers must give for the two inputs they are checked on (fixture vocabulary, lowercase), as ours does. */
const HELLO_TOKENS = {
  tokens: ['hello', 'n', '##a', '##ive', 'c', '##a', '##f', '##e'],
  ids: [23841, 155, 27438, 28198, 144, 27438, 27912, 27781],
  basicTokens: ['hello', 'naive', 'cafe'],
};
const AB_ENCODING = { inputIds: [101, 142, 143, 102, 0], inputMask: [1, 1, 1, 1, 0], segmentIds: [0, 0, 0, 0, 0] };

describe('lazy loading of the peer libraries', () => {
  afterEach(() => {
    vi.doUnmock('tokenizers');
    vi.doUnmock('@huggingface/transformers');
    vi.resetModules();
  });

  it('importing the package loads neither library', async () => {
    const loaded: string[] = [];
    vi.doMock('tokenizers', () => {
      loaded.push('tokenizers');
      return {};
    });
    vi.doMock('@huggingface/transformers', () => {
      loaded.push('@huggingface/transformers');
      return {};
    });
    const peers = await import('../src/index.ts');
    expect(typeof peers.createHfTokenizersImpl).toBe('function');
    expect(loaded).toEqual([]);
  });

  it('a library that cannot be loaded is E_IMPL_UNAVAILABLE, naming the package and the reason', async () => {
    vi.doMock('tokenizers', () => {
      throw new Error('no binding for this platform');
    });
    vi.doMock('@huggingface/transformers', () => {
      throw new Error('onnxruntime-node is missing');
    });
    const peers = await import('../src/index.ts');
    const hf = await peers.createHfTokenizersImpl(FIXTURE_VOCAB, { lowercase: true }).catch((e: unknown) => e);
    expect(hf).toMatchObject({ name: 'ParityError', code: 'E_IMPL_UNAVAILABLE' });
    expect((hf as Error).message).toMatch(
      /^cannot load peer tokenizer package tokenizers: .*no binding for this platform/,
    );
    const tjs = await peers.createTransformersJsImpl(FIXTURE_VOCAB, { lowercase: true }).catch((e: unknown) => e);
    expect(tjs).toMatchObject({ name: 'ParityError', code: 'E_IMPL_UNAVAILABLE' });
    expect((tjs as Error).message).toMatch(
      /^cannot load peer tokenizer package @huggingface\/transformers: .*onnxruntime-node is missing/,
    );
  });
});

describe('vocabulary errors', () => {
  it('a missing vocabulary file is E_IO for both peers', async () => {
    const { createHfTokenizersImpl, createTransformersJsImpl } = await import('../src/index.ts');
    for (const [create, message] of [
      [
        createHfTokenizersImpl,
        'hf-tokenizers cannot read vocabulary /nonexistent/vocab.txt: No such file or directory (os error 2)',
      ],
      [
        createTransformersJsImpl,
        "cannot read vocabulary /nonexistent/vocab.txt: ENOENT: no such file or directory, open '/nonexistent/vocab.txt'",
      ],
    ] as const) {
      const error = await create('/nonexistent/vocab.txt', { lowercase: true }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ParityError', code: 'E_IO' });
      expect((error as Error).message).toBe(message);
    }
  });

  it('a vocabulary without [CLS] is E_VOCAB_MISSING_TOKEN for both peers', async () => {
    const { createHfTokenizersImpl, createTransformersJsImpl } = await import('../src/index.ts');
    const dir = mkdtempSync(join(tmpdir(), 'peers-vocab-'));
    const path = join(dir, 'vocab.txt');
    writeFileSync(path, '[PAD]\n[UNK]\n[SEP]\nhello\n');
    try {
      for (const create of [createHfTokenizersImpl, createTransformersJsImpl]) {
        const error = await create(path, { lowercase: true }).catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'ParityError', code: 'E_VOCAB_MISSING_TOKEN' });
        expect((error as Error).message).toBe(`vocabulary ${path} has no [CLS] token`);
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('prepared answers', () => {
  it('hf-tokenizers answers tokenize synchronously only for prepared inputs', async () => {
    const { createHfTokenizersImpl } = await import('../src/index.ts');
    const impl = await createHfTokenizersImpl(FIXTURE_VOCAB, { lowercase: true });
    let error: unknown;
    try {
      impl.tokenize('not prepared');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      name: 'ParityError',
      code: 'E_IMPL_UNAVAILABLE',
      message: 'hf-tokenizers has no synchronous tokenize; call prepare() with this input first (input not prepared)',
    });
    await impl.prepare({ texts: ['Héllo naïve café'], pairs: [{ textA: 'a b', textB: null, maxSeqLength: 5 }] });
    expect(impl.tokenize('Héllo naïve café')).toEqual(HELLO_TOKENS);
    expect(impl.encode('a b', null, 5)).toEqual(AB_ENCODING);
  });

  it('transformers.js tokenizes the same text identically, with no prepare step', async () => {
    const { createTransformersJsImpl } = await import('../src/index.ts');
    const impl = await createTransformersJsImpl(FIXTURE_VOCAB, { lowercase: true });
    expect(impl.tokenize('Héllo naïve café')).toEqual(HELLO_TOKENS);
    expect(impl.encode('a b', null, 5)).toEqual(AB_ENCODING);
  });
});
