import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BertTokenizer, Vocabulary } from '../src/index.ts';
import { codeOf, errorOf } from './errors.ts';

describe('Vocabulary.fromText follows load_vocab of the reference', () => {
  it('gives the n-th line id n', () => {
    const v = Vocabulary.fromText('[PAD]\n[UNK]\nhello\n');
    expect([v.id('[PAD]'), v.id('[UNK]'), v.id('hello')]).toEqual([0, 1, 2]);
    expect(v.size).toBe(3);
    expect(v.token(2)).toBe('hello');
    expect(v.info.lines).toBe(3);
    expect(v.info.warnings).toEqual([]);
  });

  it('reads \\r\\n and lone \\r as line ends (universal newlines)', () => {
    const v = Vocabulary.fromText('a\r\nb\rc\nd');
    expect([v.id('a'), v.id('b'), v.id('c'), v.id('d')]).toEqual([0, 1, 2, 3]);
    expect(v.info.warnings).toEqual(['lines end in \\r\\n or \\r; read as line ends (Python universal newlines)']);
  });

  it('strips every Unicode whitespace character Python strips, and nothing else', () => {
    const v = Vocabulary.fromText(' \t a\u00a0\nb\u3000\u2028\n\u200bc\n');
    expect(v.id('a')).toBe(0);
    expect(v.id('b')).toBe(1);
    // U+200B is a format character, not whitespace, so it stays part of the token.
    expect(v.id('\u200bc')).toBe(2);
  });

  it('gives empty lines an id like any other line (the empty string keeps the last one)', () => {
    const v = Vocabulary.fromText('a\n\nb\n   \nc');
    expect([v.id('a'), v.id('b'), v.id('c')]).toEqual([0, 2, 4]);
    expect(v.id('')).toBe(3);
    expect(v.size).toBe(4);
    expect(v.idLimit).toBe(5);
    expect(v.info.warnings).toContain('2 empty line(s): each took an id, as in the reference');
  });

  it('lets the later line win for duplicate tokens; the earlier id has no token', () => {
    const v = Vocabulary.fromText('x\ny\nx\n');
    expect(v.id('x')).toBe(2);
    expect(v.token(0)).toBeUndefined();
    expect(v.size).toBe(2);
    expect(v.info.warnings).toContain("1 duplicate token(s): the later line's id wins, as in the reference");
  });

  it('drops a byte order mark (with a warning) so the first token stays reachable', () => {
    const v = Vocabulary.fromText('\ufeff[PAD]\n[UNK]');
    expect(v.id('[PAD]')).toBe(0);
    expect(v.info.warnings).toEqual(['a UTF-8 byte order mark was dropped from the start of the file']);
  });

  it('refuses an empty vocabulary', () => {
    const empty = ['E_VOCAB_EMPTY', 'vocabulary <text> is empty; expected one token per line'];
    expect(errorOf(() => Vocabulary.fromText(''))).toEqual(empty);
    expect(errorOf(() => Vocabulary.fromText('\ufeff'))).toEqual(empty);
  });
});

describe('Vocabulary.fromFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bp-vocab-'));

  it('decodes UTF-8 with a BOM', () => {
    const p = join(dir, 'bom.txt');
    writeFileSync(p, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[UNK]\nçà\n', 'utf8')]));
    const v = Vocabulary.fromFile(p);
    expect(v.id('[UNK]')).toBe(0);
    expect(v.id('çà')).toBe(1);
  });

  it('refuses invalid UTF-8 with E_VOCAB_ENCODING naming the file', () => {
    const p = join(dir, 'latin1.txt');
    writeFileSync(p, Buffer.from([0x61, 0x0a, 0xe9, 0x0a]));
    expect(codeOf(() => Vocabulary.fromFile(p))).toBe('E_VOCAB_ENCODING');
    expect(() => Vocabulary.fromFile(p)).toThrow(p);
  });

  it('reports a missing file as E_IO', () => {
    expect(codeOf(() => Vocabulary.fromFile(join(dir, 'nope.txt')))).toBe('E_IO');
  });
});

describe('Vocabulary.fromMap (tokenizer.json model.vocab)', () => {
  it('takes the ids as given', () => {
    const v = Vocabulary.fromMap({ '[UNK]': 0, a: 5 });
    expect(v.id('a')).toBe(5);
    expect(v.idLimit).toBe(6);
  });
  it.each([
    [{ a: -1 }, 'E_VOCAB_FORMAT', 'vocabulary <map>: token "a" has id -1; expected a non-negative integer'],
    [{ a: 1.5 }, 'E_VOCAB_FORMAT', 'vocabulary <map>: token "a" has id 1.5; expected a non-negative integer'],
    [{ a: '1' }, 'E_VOCAB_FORMAT', 'vocabulary <map>: token "a" has id "1"; expected a non-negative integer'],
    [{ a: 1, b: 1 }, 'E_VOCAB_FORMAT', 'vocabulary <map>: tokens "a" and "b" share id 1'],
    [{}, 'E_VOCAB_EMPTY', 'vocabulary <map> has no tokens'],
  ])('%j → %s', (map, code, message) => {
    expect(errorOf(() => Vocabulary.fromMap(map))).toEqual([code, message]);
  });
});

describe('tokens the tokenizer needs', () => {
  it('refuses a vocabulary without [UNK] when the tokenizer is built', () => {
    const v = Vocabulary.fromText('[CLS]\n[SEP]\nhello');
    expect(errorOf(() => new BertTokenizer(v))).toEqual([
      'E_VOCAB_MISSING_TOKEN',
      'vocabulary <text> has no unknown token "[UNK]"; every word that cannot be split needs it',
    ]);
  });
  it('needs [CLS] and [SEP] only to encode', () => {
    const t = new BertTokenizer(Vocabulary.fromText('[UNK]\nhello'));
    expect(t.tokenize('hello there')).toEqual(['hello', '[UNK]']);
    expect(errorOf(() => t.encode('hello', null, { maxSeqLength: 8 }))).toEqual([
      'E_VOCAB_MISSING_TOKEN',
      'vocabulary <text> has no "[CLS]" token, which encoding needs',
    ]);
  });
});
