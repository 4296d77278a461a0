import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParityError, preview } from '@bert-parity/core';
import type { ProfileName, TokenizerOptions } from './profiles.ts';
import { BertTokenizer } from './tokenizer.ts';
import { Vocabulary } from './vocab.ts';

/**
 * Hugging Face tokenizer files: `tokenizer.json` (the Rust tokenizers' serialization: model, normalizer,
 * pre_tokenizer, ...) and `tokenizer_config.json` (transformers' options: do_lower_case, strip_accents,
 * tokenize_chinese_chars, never_split, special tokens). Only BERT's pipeline is accepted: a WordPiece model
 * with BertNormalizer and BertPreTokenizer; anything else is a coded error naming what was found.
 */
export interface HuggingFaceFiles {
  /** Parsed tokenizer.json. */
  tokenizerJson?: unknown;
  /** Parsed tokenizer_config.json. */
  tokenizerConfig?: unknown;
  /** vocab.txt contents, used when there is no tokenizer.json (a "slow" tokenizer folder). */
  vocabTxt?: string;
  /** For messages. */
  source?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(source: string, what: string): never {
  throw new ParityError('E_VOCAB_FORMAT', `${source}: ${what}`);
}

/** A special token in tokenizer_config.json is a string or an AddedToken object {content: ...}. */
function tokenString(value: unknown, source: string, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.content === 'string') return value.content;
  return bad(source, `${key} must be a string or an object with a string "content", got ${preview(value)}`);
}

function optionalBoolean(obj: Json, key: string, source: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') bad(source, `${key} must be true or false, got ${preview(v)}`);
  return v;
}

function specialTokens(config: Json, source: string): TokenizerOptions {
  const out: TokenizerOptions = {};
  const pairs = [
    ['unk_token', 'unkToken'],
    ['cls_token', 'clsToken'],
    ['sep_token', 'sepToken'],
    ['pad_token', 'padToken'],
    ['mask_token', 'maskToken'],
  ] as const;
  for (const [key, option] of pairs) {
    const t = tokenString(config[key], source, key);
    if (t !== undefined) out[option] = t;
  }
  return out;
}

/** Options from tokenizer.json's WordPiece model and BertNormalizer. */
function fromTokenizerJson(json: unknown, source: string): { vocab: Vocabulary; options: TokenizerOptions } {
  if (!isObject(json)) bad(source, 'tokenizer.json must be a JSON object');
  const model = json.model;
  if (!isObject(model) || model.type !== 'WordPiece') {
    bad(source, `model.type is ${preview(isObject(model) ? model.type : model)}; only WordPiece (BERT) is supported`);
  }
  if (!isObject(model.vocab)) bad(source, 'model.vocab must be an object of token → id');
  const vocab = Vocabulary.fromMap(model.vocab, `${source} model.vocab`);
  const options: TokenizerOptions = {};
  if (model.unk_token !== undefined)
    options.unkToken = tokenString(model.unk_token, source, 'model.unk_token') as string;
  if (typeof model.continuing_subword_prefix === 'string')
    options.continuingSubwordPrefix = model.continuing_subword_prefix;
  if (model.max_input_chars_per_word !== undefined) {
    if (!Number.isInteger(model.max_input_chars_per_word))
      bad(source, 'model.max_input_chars_per_word must be an integer');
    options.maxInputCharsPerWord = model.max_input_chars_per_word as number;
  }
  const normalizer = json.normalizer;
  if (normalizer !== undefined && normalizer !== null) {
    if (!isObject(normalizer) || normalizer.type !== 'BertNormalizer') {
      bad(
        source,
        `normalizer.type is ${preview(isObject(normalizer) ? normalizer.type : normalizer)}; only BertNormalizer is supported`,
      );
    }
    if (normalizer.clean_text === false)
      bad(source, 'normalizer.clean_text false is not supported (every BERT tokenizer cleans text)');
    const lowercase = optionalBoolean(normalizer, 'lowercase', source);
    if (lowercase !== undefined) options.lowercase = lowercase;
    const chinese = optionalBoolean(normalizer, 'handle_chinese_chars', source);
    if (chinese !== undefined) options.tokenizeChineseChars = chinese;
    if (normalizer.strip_accents === null || typeof normalizer.strip_accents === 'boolean') {
      options.stripAccents = normalizer.strip_accents;
    } else if (normalizer.strip_accents !== undefined) {
      bad(source, `normalizer.strip_accents must be true, false or null, got ${preview(normalizer.strip_accents)}`);
    }
  }
  const pre = json.pre_tokenizer;
  if (pre !== undefined && pre !== null && !(isObject(pre) && pre.type === 'BertPreTokenizer')) {
    bad(source, `pre_tokenizer.type is ${preview(isObject(pre) ? pre.type : pre)}; only BertPreTokenizer is supported`);
  }
  return { vocab, options };
}

/** Options from transformers' tokenizer_config.json (BertTokenizer's constructor arguments). */
function fromTokenizerConfig(config: unknown, source: string): TokenizerOptions {
  if (!isObject(config)) bad(source, 'tokenizer_config.json must be a JSON object');
  const options: TokenizerOptions = specialTokens(config, source);
  const lower = optionalBoolean(config, 'do_lower_case', source);
  if (lower !== undefined) options.lowercase = lower;
  const chinese = optionalBoolean(config, 'tokenize_chinese_chars', source);
  if (chinese !== undefined) options.tokenizeChineseChars = chinese;
  if (config.strip_accents === null || typeof config.strip_accents === 'boolean')
    options.stripAccents = config.strip_accents;
  if (config.never_split !== undefined && config.never_split !== null) {
    if (!Array.isArray(config.never_split) || !config.never_split.every((t) => typeof t === 'string')) {
      bad(source, 'never_split must be a list of strings');
    }
    options.neverSplit = config.never_split as string[];
  }
  return options;
}

/**
 * Builds a tokenizer from Hugging Face files. With tokenizer.json the default profile is `hf-fast` (that
 * file drives the Rust tokenizers); with vocab.txt + tokenizer_config.json it is `hf-slow`. Options given
 * by the caller win over the files'.
 */
export function fromHuggingFace(files: HuggingFaceFiles, overrides: TokenizerOptions = {}): BertTokenizer {
  const source = files.source ?? '<hugging face files>';
  let vocab: Vocabulary;
  let options: TokenizerOptions = {};
  let profile: ProfileName;
  if (files.tokenizerJson !== undefined) {
    ({ vocab, options } = fromTokenizerJson(files.tokenizerJson, `${source} tokenizer.json`));
    profile = 'hf-fast';
  } else if (files.vocabTxt !== undefined) {
    vocab = Vocabulary.fromText(files.vocabTxt, `${source} vocab.txt`);
    profile = 'hf-slow';
  } else {
    throw new ParityError('E_VOCAB_FORMAT', `${source}: neither tokenizer.json nor vocab.txt was given`);
  }
  if (files.tokenizerConfig !== undefined) {
    const fromConfig = fromTokenizerConfig(files.tokenizerConfig, `${source} tokenizer_config.json`);
    // tokenizer.json's normalizer is what the fast tokenizer runs; the config fills in what it lacks.
    options = profile === 'hf-fast' ? { ...fromConfig, ...options } : { ...options, ...fromConfig };
  }
  return new BertTokenizer(vocab, { profile, ...options, ...overrides });
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ParityError('E_IO', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ParityError('E_VOCAB_FORMAT', `${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

/** Reads tokenizer.json (or vocab.txt) and tokenizer_config.json from a model folder. */
export function fromHuggingFaceDir(dir: string, overrides: TokenizerOptions = {}): BertTokenizer {
  const files: HuggingFaceFiles = { source: dir };
  const tj = join(dir, 'tokenizer.json');
  const vt = join(dir, 'vocab.txt');
  const tc = join(dir, 'tokenizer_config.json');
  if (existsSync(tj)) files.tokenizerJson = readJson(tj);
  else if (existsSync(vt)) files.vocabTxt = readFileSync(vt, 'utf8');
  else throw new ParityError('E_IO', `${dir} has neither tokenizer.json nor vocab.txt`);
  if (existsSync(tc)) files.tokenizerConfig = readJson(tc);
  return fromHuggingFace(files, overrides);
}
