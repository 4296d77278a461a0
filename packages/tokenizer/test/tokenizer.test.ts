import { describe, expect, it } from 'vitest';
import { BertTokenizer, Vocabulary } from '../src/index.ts';
import { errorOf } from './errors.ts';
import { FIXTURE_VOCAB } from './paths.ts';

const vocab = Vocabulary.fromFile(FIXTURE_VOCAB);
const lower = new BertTokenizer(vocab);
const cased = new BertTokenizer(vocab, { lowercase: false });

describe('clean_text', () => {
  it('drops U+0000, U+FFFD and Cc/Cf characters; the word goes on around them', () => {
    expect(lower.basicTokenize('a\u0000b\ufffdc\u200bd\u00ade')).toEqual(['abcde']);
  });
  it('keeps unassigned (Cn) and private-use characters: the reference drops only Cc and Cf', () => {
    expect(lower.basicTokenize('x\u0378y \ue000')).toEqual(['x\u0378y', '\ue000']);
  });
  it('treats a lone surrogate like U+FFFD (dropped)', () => {
    expect(lower.basicTokenize('a\ud800b\udc00c')).toEqual(['abc']);
  });
  it('splits on every Unicode whitespace, and on U+2028/U+2029 as Python str.split() does', () => {
    expect(lower.basicTokenize('a\u00a0b\u3000c\u2028d\u2029e\tf\u1680g')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });
});

describe('CJK ideographs', () => {
  it('splits the reference ranges (BMP, compatibility and supplementary) into single tokens', () => {
    expect(cased.basicTokenize('一丁\u3400\uf900\u{20000}\u{2f800}')).toEqual([
      '一',
      '丁',
      '\u3400',
      '\uf900',
      '\u{20000}',
      '\u{2f800}',
    ]);
  });
  it('does not split Hangul, kana or Extension G, which are outside the ranges', () => {
    expect(cased.basicTokenize('한국어かな\u{30000}x')).toEqual(['한국어かな\u{30000}x']);
  });
  it('applies NFD to compatibility ideographs when lowercasing (U+F900 → U+8C48)', () => {
    expect(lower.basicTokenize('\uf900')).toEqual(['\u8c48']);
  });
});

describe('punctuation', () => {
  it('treats the ASCII symbols $+<=>^`|~ as punctuation', () => {
    expect(cased.basicTokenize('a$b+c<d=e>f^g`h|i~j')).toEqual('a $ b + c < d = e > f ^ g ` h | i ~ j'.split(' '));
  });
  it('splits Unicode P* but not symbols (S*)', () => {
    expect(cased.basicTokenize('a«b»c€d©e')).toEqual(['a', '«', 'b', '»', 'c€d©e']);
  });
  it('splits after normalization: U+1FEF (Sk) becomes "`" under NFD only when lowercasing', () => {
    expect(lower.basicTokenize('a\u1fefb')).toEqual(['a', '`', 'b']);
    expect(cased.basicTokenize('a\u1fefb')).toEqual(['a\u1fefb']);
  });
});

describe('lowercasing and accent stripping', () => {
  it('strips Mn marks after NFD, composed or not', () => {
    expect(lower.basicTokenize('Héllo He\u0301llo ẹ́')).toEqual(['hello', 'hello', 'e']);
  });
  it('keeps spacing marks (Mc): the reference removes Mn only', () => {
    expect(lower.basicTokenize('कि')).toEqual(['कि']);
  });
  it("applies Python's Final_Sigma rule within each whitespace-separated word", () => {
    expect(lower.basicTokenize('ΟΔΟΣ ΣΑ ΑΣ. Σ')).toEqual(['οδο\u03c2', '\u03c3α', 'α\u03c2', '.', '\u03c3']);
  });
  it('uses full lowercase mappings (İ → i + U+0307, then the mark is stripped; K Kelvin sign → k)', () => {
    expect(lower.basicTokenize('İstanbul \u212a')).toEqual(['istanbul', 'k']);
  });
  it('leaves cased input untouched', () => {
    expect(cased.basicTokenize('Héllo')).toEqual(['Héllo']);
  });
  it('follows the pinned Unicode version: U+0ECE (Mn since 15.0) is unassigned, so kept, under 14.0', () => {
    expect(lower.basicTokenize('a\u0ece')).toEqual(['a\u0ece']);
    expect(new BertTokenizer(vocab, { unicodeVersion: '15.0.0' }).basicTokenize('a\u0ece')).toEqual(['a']);
  });
});

describe('WordPiece', () => {
  const v = Vocabulary.fromText(['[UNK]', 'un', '##aff', '##able', 'a', '##a', '\u{1D400}', '##\u{1D400}'].join('\n'));
  const t = new BertTokenizer(v);
  it('is greedy longest-match-first with ## continuations', () => {
    expect(t.tokenize('unaffable')).toEqual(['un', '##aff', '##able']);
  });
  it('turns the whole word into [UNK] when a part matches nothing', () => {
    expect(t.tokenize('unaffablex aa')).toEqual(['[UNK]', 'a', '##a']);
  });
  it('counts max_input_chars_per_word in code points, not UTF-16 units', () => {
    const t3 = new BertTokenizer(v, { maxInputCharsPerWord: 3 });
    expect(t3.tokenize('aaa aaaa')).toEqual(['a', '##a', '##a', '[UNK]']);
    // Three astral characters are six UTF-16 units but three code points.
    expect(t3.tokenize('\u{1D400}\u{1D400}\u{1D400}')).toEqual(['\u{1D400}', '##\u{1D400}', '##\u{1D400}']);
  });
  it('uses the reference default of 200 characters per word', () => {
    expect(lower.tokenize('a'.repeat(200))).toEqual(['a', ...Array<string>(199).fill('##a')]);
    expect(lower.tokenize('a'.repeat(201))).toEqual(['[UNK]']);
  });
});

describe('offsets (UTF-16 code units into the input)', () => {
  it('cover the original characters of each piece, including removed ones inside the word', () => {
    const r = lower.tokenizeWithOffsets('Héllo, 越过 a\u200bb');
    expect(r.tokens).toEqual(['hello', ',', '越', '过', 'ab']);
    expect(r.offsets).toEqual([
      [0, 5],
      [5, 6],
      [7, 8],
      [8, 9],
      [10, 13],
    ]);
  });
  it('map pieces of an expanded character back to it', () => {
    // İ (one UTF-16 unit) lowercases to i + U+0307; the piece holding it starts at the İ.
    const r = lower.tokenizeWithOffsets('İstanbul');
    expect(r.tokens).toEqual(['ist', '##an', '##bu', '##l']);
    expect(r.offsets).toEqual([
      [0, 3],
      [3, 5],
      [5, 7],
      [7, 8],
    ]);
  });
  it('count astral characters as two units', () => {
    expect(lower.tokenizeWithOffsets('\u{20000} x').offsets).toEqual([
      [0, 2],
      [3, 4],
    ]);
  });
});

describe('encode (run_classifier.py convert_single_example)', () => {
  const v = Vocabulary.fromText(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'a', 'b', 'c', 'x', 'y'].join('\n'));
  const t = new BertTokenizer(v);
  it('encodes one text: [CLS] a [SEP], zero padding, mask and segment ids', () => {
    const e = t.encode('a b', null, { maxSeqLength: 6 });
    expect(e.ids).toEqual([2, 4, 5, 3, 0, 0]);
    expect(e.attentionMask).toEqual([1, 1, 1, 1, 0, 0]);
    expect(e.typeIds).toEqual([0, 0, 0, 0, 0, 0]);
    expect(e.tokens).toEqual(['[CLS]', 'a', 'b', '[SEP]', '[PAD]', '[PAD]']);
    expect(e.offsets).toEqual([
      [0, 0],
      [0, 1],
      [2, 3],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });
  it('encodes a pair with segment 1 for b and its [SEP]', () => {
    const e = t.encode('a', 'x y', { maxSeqLength: 7 });
    expect(e.ids).toEqual([2, 4, 3, 7, 8, 3, 0]);
    expect(e.typeIds).toEqual([0, 0, 0, 1, 1, 1, 0]);
    expect(e.attentionMask).toEqual([1, 1, 1, 1, 1, 1, 0]);
  });
  it('truncates a pair by popping from the longer text, from b on ties', () => {
    const e = t.encode('a b c', 'x y', { maxSeqLength: 6 });
    // 5 tokens must fit in 3: pop a (3>2) → 2,2; tie pops b → 2,1.
    expect(e.ids).toEqual([2, 4, 5, 3, 7, 3]);
    expect(e.truncated).toEqual({ a: 1, b: 1 });
  });
  it('cuts a single text to maxSeqLength - 2', () => {
    expect(t.encode('a b c', null, { maxSeqLength: 4 }).ids).toEqual([2, 4, 5, 3]);
  });
  it('treats an empty text_b, or one with no tokens, as no text_b', () => {
    expect(t.encode('a', '', { maxSeqLength: 4 }).ids).toEqual([2, 4, 3, 0]);
    expect(t.encode('a', ' \u200b ', { maxSeqLength: 4 }).ids).toEqual([2, 4, 3, 0]);
  });
  it('refuses lengths that cannot hold the special tokens', () => {
    expect(errorOf(() => t.encode('a', null, { maxSeqLength: 1 }))).toEqual([
      'E_ENCODE_LENGTH',
      'maxSeqLength must be an integer ≥ 2, got 1',
    ]);
    expect(errorOf(() => t.encode('a', 'b', { maxSeqLength: 2 }))).toEqual([
      'E_ENCODE_LENGTH',
      'maxSeqLength 2 cannot hold [CLS] a [SEP] b [SEP]; need ≥ 3',
    ]);
    expect(errorOf(() => t.encode('a', null, { maxSeqLength: 2.5 }))).toEqual([
      'E_ENCODE_LENGTH',
      'maxSeqLength must be an integer ≥ 2, got 2.5',
    ]);
  });
});

describe('decode', () => {
  it('glues ## continuations and separates words with spaces', () => {
    const ids = lower.tokenizeToIds('The unaffable tokenizers, naïvely.');
    expect(lower.decode(ids)).toBe('the unaffable tokenizers , naively .');
  });
  it('can skip [CLS], [SEP] and [PAD] but keeps [UNK]', () => {
    const e = lower.encode('hello \u{1F600}', null, { maxSeqLength: 8 });
    expect(lower.decode(e.ids, { skipSpecialTokens: true })).toBe('hello [UNK]');
    expect(lower.decode(e.ids)).toBe('[CLS] hello [UNK] [SEP] [PAD] [PAD] [PAD] [PAD]');
  });
});

describe('profiles', () => {
  it('hf-slow keeps special tokens written in the text whole; the reference splits them', () => {
    const slow = new BertTokenizer(vocab, { profile: 'hf-slow' });
    expect(slow.basicTokenize('[CLS] hi[SEP]x')).toEqual(['[CLS]', 'hi', '[SEP]', 'x']);
    expect(lower.basicTokenize('[CLS] hi')).toEqual(['[', 'cls', ']', 'hi']);
  });
  it('hf-slow drops every C* character, hf-fast keeps Cn, the reference keeps Cn and Co', () => {
    const text = 'x\u0378y \ue000';
    expect(new BertTokenizer(vocab, { profile: 'hf-slow' }).basicTokenize(text)).toEqual(['xy']);
    expect(new BertTokenizer(vocab, { profile: 'hf-fast' }).basicTokenize(text)).toEqual(['x\u0378y']);
    expect(lower.basicTokenize(text)).toEqual(['x\u0378y', '\ue000']);
  });
  it('hf-slow and hf-fast do not apply Final_Sigma; every profile strips Mn only (Mc stays)', () => {
    for (const profile of ['hf-slow', 'hf-fast'] as const) {
      expect(new BertTokenizer(vocab, { profile }).basicTokenize('ΟΔΟΣ कि')).toEqual(['οδο\u03c3', 'कि']);
    }
  });
  it('hf-fast does not split U+2B820–U+2B91F (its Extension E range starts at U+2B920)', () => {
    const fast = new BertTokenizer(vocab, { profile: 'hf-fast', lowercase: false });
    expect(fast.basicTokenize('a\u{2B891}b\u{2B920}')).toEqual(['a\u{2B891}b', '\u{2B920}']);
    expect(cased.basicTokenize('a\u{2B891}b')).toEqual(['a', '\u{2B891}', 'b']);
  });
  it('hf-slow NFC-normalizes, so cased composed and decomposed text agree', () => {
    const slow = new BertTokenizer(vocab, { profile: 'hf-slow', lowercase: false });
    expect(slow.basicTokenize('He\u0301llo')).toEqual(['H\u00e9llo']);
  });
  it('hf-* profiles default to 100 characters per word', () => {
    const fast = new BertTokenizer(vocab, { profile: 'hf-fast' });
    expect(fast.tokenize('a'.repeat(100))).toEqual(['a', ...Array<string>(99).fill('##a')]);
    expect(fast.tokenize('a'.repeat(101))).toEqual(['[UNK]']);
  });
  it('hf-slow honours strip_accents=false with lowercasing, and never_split', () => {
    const slow = new BertTokenizer(vocab, { profile: 'hf-slow', stripAccents: false, neverSplit: ["Don'T"] });
    expect(slow.basicTokenize("Héllo Don'T don't")).toEqual(['héllo', "Don'T", 'don', "'", 't']);
  });
  it('refuses unknown profiles, Unicode versions and option combinations with coded errors', () => {
    expect(errorOf(() => new BertTokenizer(vocab, { profile: 'spacy' as never }))).toEqual([
      'E_TOKENIZER_CONFIG',
      'unknown tokenizer profile "spacy"; expected one of google-bert, hf-slow, hf-fast',
    ]);
    expect(errorOf(() => new BertTokenizer(vocab, { unicodeVersion: '12.1.0' }))).toEqual([
      'E_UNICODE_VERSION',
      'Unicode version "12.1.0" is not supported; expected one of 13.0.0, 14.0.0, 15.0.0, 15.1.0, 16.0.0, 17.0.0',
    ]);
    expect(errorOf(() => new BertTokenizer(vocab, { lowercase: true, stripAccents: false }))).toEqual([
      'E_TOKENIZER_CONFIG',
      'stripAccents is not an option of the google-bert profile (it strips accents iff lowercase); use hf-slow or hf-fast',
    ]);
    expect(errorOf(() => new BertTokenizer(vocab, { maxInputCharsPerWord: 0 }))).toEqual([
      'E_TOKENIZER_CONFIG',
      'maxInputCharsPerWord must be a positive integer, got 0',
    ]);
  });
});

describe('long inputs', () => {
  it('handles a 1 MB word without whitespace (the whole word is [UNK]) and one full of punctuation', () => {
    expect(lower.tokenize('ab'.repeat(500_000))).toEqual(['[UNK]']);
    const ids = lower.tokenizeToIds('a,'.repeat(100_000));
    expect(ids.length).toBe(200_000);
    const [a, comma] = [vocab.id('a'), vocab.id(',')];
    expect(ids.findIndex((id, i) => id !== (i % 2 === 0 ? a : comma))).toBe(-1);
  });
  it('handles a long non-ASCII word through normalization without stack overflow', () => {
    expect(lower.basicTokenize('é'.repeat(200_000))).toEqual(['e'.repeat(200_000)]);
  });
});
