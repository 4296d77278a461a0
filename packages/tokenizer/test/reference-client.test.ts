import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isParityError, type ParityError } from '@bert-parity/core';
import { afterAll, describe, expect, it } from 'vitest';
import { REFERENCE_ENV, ReferenceClient } from '../src/reference-client.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const GENERATOR = join(ROOT, 'tools', 'golden', 'bert_golden.py');

/** A command that runs a small Node script as a stand-in reference. */
const nodeServer = (script: string) => `${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}`;

async function rejection(promise: Promise<unknown>): Promise<ParityError> {
  try {
    await promise;
  } catch (err) {
    return err as ParityError;
  }
  throw new Error('expected a rejection');
}

describe('ReferenceClient with bert_golden.py --serve and a fake reference module', () => {
  // The fake tokenization.py is trivial on purpose: lowercases when asked, splits punctuation ,.!?,
  // keeps whole words from the vocabulary, spells out others letter by letter, else [UNK].
  const dir = mkdtempSync(join(tmpdir(), 'refclient-'));
  cpSync(join(ROOT, 'tools', 'golden', 'test', 'fake-bert'), join(dir, 'bert'), { recursive: true });
  writeFileSync(
    join(dir, 'vocab.txt'),
    ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', ',', 'h', '##i', '😀'].join('\n'),
  );
  const command = `python3 ${JSON.stringify(GENERATOR)} --serve --bert-dir ${JSON.stringify(join(dir, 'bert'))} --vocab ${JSON.stringify(join(dir, 'vocab.txt'))}`;
  const client = new ReferenceClient(command, { timeoutMs: 20_000 });
  afterAll(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers in order, honouring the lower flag', async () => {
    const [lower, cased, emoji] = await Promise.all([
      client.tokenize('Hello, hi', true),
      client.tokenize('Hello, hi', false),
      client.tokenize('😀 hi', true),
    ]);
    expect(lower).toEqual({ tokens: ['hello', ',', 'h', '##i'], ids: [4, 5, 6, 7], basicTokens: ['hello', ',', 'hi'] });
    expect(cased).toEqual({ tokens: ['[UNK]', ',', 'h', '##i'], ids: [1, 5, 6, 7], basicTokens: ['Hello', ',', 'hi'] });
    expect(emoji).toEqual({ tokens: ['😀', 'h', '##i'], ids: [8, 6, 7], basicTokens: ['😀', 'hi'] });
  });

  it('carries lone surrogates both ways', async () => {
    expect(await client.tokenize('\ud800 hi', true)).toEqual({
      tokens: ['[UNK]', 'h', '##i'],
      ids: [1, 6, 7],
      basicTokens: ['\ud800', 'hi'],
    });
  });

  it('turns an error answer into E_REFERENCE_ANSWER and stays usable', async () => {
    // The fake tokenizer refuses U+2620.
    const err = await rejection(client.tokenize('\u2620', true));
    expect(isParityError(err, 'E_REFERENCE_ANSWER')).toBe(true);
    expect(err.message).toBe('reference could not tokenize "☠": ValueError: fake tokenizer refuses U+2620');
    expect((await client.tokenize('hello', true)).tokens).toEqual(['hello']);
  });

  it('keeps 200 queued requests in order', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 'hello' : 'hi ,'));
    const answers = await Promise.all(texts.map((t) => client.tokenize(t, true)));
    for (const [i, a] of answers.entries()) expect(a.tokens).toEqual(i % 2 === 0 ? ['hello'] : ['h', '##i', ',']);
  });
});

describe('ReferenceClient failures', () => {
  it('times out, then refuses further requests', async () => {
    const client = new ReferenceClient(nodeServer('process.stdin.resume()'), { timeoutMs: 300 });
    const err = await rejection(client.tokenize('slow', true));
    expect(isParityError(err, 'E_REFERENCE_TIMEOUT')).toBe(true);
    expect(err.message).toMatch(/did not answer "slow" within 300 ms$/);
    const after = await rejection(client.tokenize('next', true));
    expect(isParityError(after, 'E_REFERENCE_PROCESS')).toBe(true);
    expect(after.message).toMatch(/was stopped after a request timed out/);
    await client.close();
  });

  it('reports a process that exits, with its stderr', async () => {
    const client = new ReferenceClient(nodeServer('console.error("no vocab here"); process.exit(3)'));
    const err = await rejection(client.tokenize('x', true));
    expect(isParityError(err, 'E_REFERENCE_PROCESS')).toBe(true);
    expect(err.message).toMatch(
      /exited \(code 3\) with 1 request\(s\) unanswered; its stderr ends with: no vocab here$/,
    );
    await client.close();
  });

  it('reports a command that does not exist', async () => {
    const client = new ReferenceClient('definitely-not-a-command-bert-parity');
    const err = await rejection(client.tokenize('x', true));
    expect(isParityError(err, 'E_REFERENCE_PROCESS')).toBe(true);
    expect(err.message).toMatch(/exited \(code 127\).*not found/);
    await client.close();
  });

  it('stops on an answer that is not JSON', async () => {
    const client = new ReferenceClient(nodeServer('process.stdin.once("data", () => console.log("hello there"))'));
    const err = await rejection(client.tokenize('x', true));
    expect(isParityError(err, 'E_REFERENCE_PROCESS')).toBe(true);
    expect(err.message).toMatch(/answered "x" with "hello there", which is not a JSON object/);
    expect(isParityError(await rejection(client.tokenize('y', true)), 'E_REFERENCE_PROCESS')).toBe(true);
    await client.close();
  });

  it('rejects an answer with the wrong shape', async () => {
    const client = new ReferenceClient(
      nodeServer('process.stdin.once("data", () => console.log(JSON.stringify({ tokens: "a" })))'),
    );
    const err = await rejection(client.tokenize('x', true));
    expect(err.message).toBe(
      'reference answered "x" with "{\\"tokens\\":\\"a\\"}"; expected {"tokens": string[], "ids": integer[], "basic_tokens": string[]}',
    );
    await client.close();
  });

  it('fails requests made after close()', async () => {
    const client = new ReferenceClient(nodeServer('process.stdin.resume()'));
    await client.close();
    const err = await rejection(client.tokenize('x', true));
    expect(isParityError(err, 'E_REFERENCE_PROCESS')).toBe(true);
    expect(err.message).toMatch(/was closed$/);
  });

  it('is created from BERT_PARITY_REFERENCE only when it is set', async () => {
    expect(ReferenceClient.fromEnv({})).toBeNull();
    expect(ReferenceClient.fromEnv({ [REFERENCE_ENV]: '  ' })).toBeNull();
    const client = ReferenceClient.fromEnv({ [REFERENCE_ENV]: nodeServer('process.stdin.resume()') });
    expect(client?.command).toBe(nodeServer('process.stdin.resume()'));
    await client?.close();
  });
});
