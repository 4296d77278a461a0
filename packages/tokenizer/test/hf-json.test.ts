import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHuggingFace, fromHuggingFaceDir } from '../src/index.ts';
import { codeOf, errorOf } from './errors.ts';

const vocabList = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', 'he', '##llo', 'cafe', 'café', ',', 'a'];
const vocabMap = Object.fromEntries(vocabList.map((t, i) => [t, i]));
const tokenizerJson = (normalizer: unknown, model: Record<string, unknown> = {}) => ({
  version: '1.0',
  normalizer,
  pre_tokenizer: { type: 'BertPreTokenizer' },
  model: {
    type: 'WordPiece',
    unk_token: '[UNK]',
    continuing_subword_prefix: '##',
    max_input_chars_per_word: 100,
    vocab: vocabMap,
    ...model,
  },
});
const bertNormalizer = (lowercase: boolean, strip: boolean | null = null) => ({
  type: 'BertNormalizer',
  clean_text: true,
  handle_chinese_chars: true,
  strip_accents: strip,
  lowercase,
});

describe('tokenizer.json (Rust tokenizers) → hf-fast profile', () => {
  it('takes lowercasing, accent stripping and WordPiece settings from the file', () => {
    const t = fromHuggingFace({ tokenizerJson: tokenizerJson(bertNormalizer(true)) });
    expect(t.options.profile).toBe('hf-fast');
    expect(t.options.lowercase).toBe(true);
    expect(t.options.stripAccents).toBe(true);
    expect(t.options.maxInputCharsPerWord).toBe(100);
    expect(t.tokenize('Hello, CAFÉ')).toEqual(['hello', ',', 'cafe']);
  });
  it('keeps accents when strip_accents is false', () => {
    const t = fromHuggingFace({ tokenizerJson: tokenizerJson(bertNormalizer(true, false)) });
    expect(t.tokenize('CAFÉ')).toEqual(['café']);
  });
  it('honours the model limits and prefix', () => {
    const t = fromHuggingFace({ tokenizerJson: tokenizerJson(bertNormalizer(true), { max_input_chars_per_word: 3 }) });
    expect(t.tokenize('hello a')).toEqual(['[UNK]', 'a']);
  });
  it("refuses models and normalizers that are not BERT's", () => {
    expect(codeOf(() => fromHuggingFace({ tokenizerJson: { model: { type: 'BPE', vocab: {} } } }))).toBe(
      'E_VOCAB_FORMAT',
    );
    expect(codeOf(() => fromHuggingFace({ tokenizerJson: tokenizerJson({ type: 'NFKC' }) }))).toBe('E_VOCAB_FORMAT');
    expect(
      codeOf(() =>
        fromHuggingFace({ tokenizerJson: { ...tokenizerJson(null), pre_tokenizer: { type: 'Whitespace' } } }),
      ),
    ).toBe('E_VOCAB_FORMAT');
    expect(
      codeOf(() =>
        fromHuggingFace({ tokenizerJson: tokenizerJson({ ...bertNormalizer(true), strip_accents: 'yes' }) }),
      ),
    ).toBe('E_VOCAB_FORMAT');
    expect(
      codeOf(() => fromHuggingFace({ tokenizerJson: tokenizerJson(bertNormalizer(true), { vocab: { a: 'x' } }) })),
    ).toBe('E_VOCAB_FORMAT');
    expect(codeOf(() => fromHuggingFace({}))).toBe('E_VOCAB_FORMAT');
  });
});

describe('vocab.txt + tokenizer_config.json (transformers BertTokenizer) → hf-slow profile', () => {
  it('takes do_lower_case, special tokens (string or AddedToken object) and never_split', () => {
    const t = fromHuggingFace({
      vocabTxt: vocabList.join('\n'),
      tokenizerConfig: {
        do_lower_case: false,
        never_split: ['HeLLo'],
        cls_token: { content: '[CLS]' },
        unk_token: '[UNK]',
      },
    });
    expect(t.options.profile).toBe('hf-slow');
    expect(t.options.lowercase).toBe(false);
    expect(t.basicTokenize('HeLLo, hello [CLS]')).toEqual(['HeLLo', ',', 'hello', '[CLS]']);
  });
  it('refuses malformed configs with coded errors', () => {
    expect(codeOf(() => fromHuggingFace({ vocabTxt: 'a\n[UNK]', tokenizerConfig: { do_lower_case: 'yes' } }))).toBe(
      'E_VOCAB_FORMAT',
    );
    expect(codeOf(() => fromHuggingFace({ vocabTxt: 'a\n[UNK]', tokenizerConfig: { cls_token: 3 } }))).toBe(
      'E_VOCAB_FORMAT',
    );
    expect(codeOf(() => fromHuggingFace({ vocabTxt: 'a\n[UNK]', tokenizerConfig: [] }))).toBe('E_VOCAB_FORMAT');
  });
});

describe('fromHuggingFaceDir', () => {
  it('prefers tokenizer.json and reads tokenizer_config.json beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-hf-'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(bertNormalizer(true))));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false, model_max_length: 512 }));
    // The normalizer in tokenizer.json is what the fast tokenizer runs, so it wins over do_lower_case.
    expect(fromHuggingFaceDir(dir).tokenize('HELLO')).toEqual(['hello']);
  });
  it('reports broken JSON and missing files with coded errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-hf-'));
    expect(codeOf(() => fromHuggingFaceDir(dir))).toBe('E_IO');
    writeFileSync(join(dir, 'tokenizer.json'), '{"model":');
    expect(codeOf(() => fromHuggingFaceDir(dir))).toBe('E_VOCAB_FORMAT');
  });
});

describe('tokenizer files found by pnpm fuzz', () => {
  // Values nested 100,000 deep (JSON.parse reads them; JSON.stringify in the error message overflowed).
  const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;

  it('a vocabulary id nested 100,000 deep is E_VOCAB_FORMAT, the value shown cut short', () => {
    const json = tokenizerJson(bertNormalizer(true), { vocab: { ...vocabMap, deep } });
    expect(errorOf(() => fromHuggingFace({ tokenizerJson: json, source: 'f' }))).toEqual([
      'E_VOCAB_FORMAT',
      `vocabulary f tokenizer.json model.vocab: token "deep" has id ${'['.repeat(80)}…; expected a non-negative integer`,
    ]);
  });

  it('a special token nested 100,000 deep in tokenizer_config.json is E_VOCAB_FORMAT', () => {
    const files = {
      tokenizerJson: tokenizerJson(bertNormalizer(true)),
      tokenizerConfig: { cls_token: deep },
      source: 'f',
    };
    expect(errorOf(() => fromHuggingFace(files))).toEqual([
      'E_VOCAB_FORMAT',
      `f tokenizer_config.json: cls_token must be a string or an object with a string "content", got ${'['.repeat(80)}…`,
    ]);
  });
});
