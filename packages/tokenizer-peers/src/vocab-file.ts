import { readFileSync } from 'node:fs';
import { ParityError } from '@bert-parity/core';

/** The special tokens BERT vocabularies carry; the peers register those present as special added tokens. */
export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/**
 * Reads a vocab.txt the way the Hugging Face loaders do (one token per line, the id is the line number,
 * a later duplicate wins), for peers that take the vocabulary as an object rather than a path.
 */
export function readVocabRecord(path: string): Record<string, number> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ParityError('E_IO', `cannot read vocabulary ${path}: ${(cause as Error).message}`, { cause });
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw new ParityError('E_VOCAB_EMPTY', `vocabulary ${path} has no tokens`);
  // A null prototype so that tokens such as "constructor" or "__proto__" are plain keys.
  const vocab: Record<string, number> = Object.create(null);
  lines.forEach((line, id) => {
    vocab[line.endsWith('\r') ? line.slice(0, -1) : line] = id;
  });
  return vocab;
}

export function requireToken(vocab: Record<string, number>, token: string, path: string): number {
  const id = vocab[token];
  if (id === undefined) {
    throw new ParityError('E_VOCAB_MISSING_TOKEN', `vocabulary ${path} has no ${token} token`, {
      details: { path, token },
    });
  }
  return id;
}
