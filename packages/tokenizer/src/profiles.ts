import { ParityError } from '@bert-parity/core';
import { CJK_RANGES, HF_TOKENIZERS_CJK_RANGES } from './cjk.ts';
import { DEFAULT_UNICODE_VERSION, UNICODE_VERSIONS, type UnicodeVersion } from './unicode/types.ts';

/**
 * A profile is a documented set of options that makes this tokenizer behave like one implementation.
 * - `google-bert`: google-research/bert tokenization.py FullTokenizer, the reference (default).
 * - `hf-slow`: Hugging Face transformers' Python BertTokenizer.
 * - `hf-fast`: Hugging Face tokenizers (Rust) BertNormalizer + BertPreTokenizer + WordPiece.
 */
export const PROFILES = ['google-bert', 'hf-slow', 'hf-fast'] as const;
export type ProfileName = (typeof PROFILES)[number];

export interface TokenizerOptions {
  profile?: ProfileName;
  /** do_lower_case. Default true. */
  lowercase?: boolean;
  /** Unicode version for categories and case mappings. Default 14.0.0 (Python 3.11, the goldens' version). */
  unicodeVersion?: string;
  /** Words longer than this many code points become the unknown token. google-bert 200, hf-* 100. */
  maxInputCharsPerWord?: number;
  /** hf-slow/hf-fast: true strips accents, false keeps them, null (default) strips them iff lowercasing. */
  stripAccents?: boolean | null;
  /** Put spaces around CJK ideographs (all profiles; default true). */
  tokenizeChineseChars?: boolean;
  /** hf-slow: tokens that are never lowercased or split by punctuation (the special tokens always are). */
  neverSplit?: readonly string[];
  unkToken?: string;
  clsToken?: string;
  sepToken?: string;
  padToken?: string;
  maskToken?: string;
  /** WordPiece continuation prefix. Default "##". */
  continuingSubwordPrefix?: string;
}

/**
 * Which characters clean_text drops as control characters (besides U+0000 and U+FFFD): the reference
 * drops Cc and Cf; transformers tests `category.startswith("C")`; Rust tokenizers drop Cc, Cf, Co and Cs but
 * keep unassigned (Cn) code points (measured against tokenizers 0.23.2).
 */
export type ControlClass = 'Cc+Cf' | 'C*' | 'Cc+Cf+Co+Cs';
/** Which characters separate words. */
export type SpaceClass = 'python' | 'White_Space';

/** The concrete behaviour a profile and options resolve to; every difference between profiles is a field here. */
export interface ResolvedOptions {
  profile: ProfileName;
  unicodeVersion: UnicodeVersion;
  lowercase: boolean;
  stripAccents: boolean;
  /** The reference lowercases, then strips accents; Rust tokenizers strip accents, then lowercase. */
  stripBeforeLower: boolean;
  /** Python's str.lower() on the word applies Final_Sigma; a character-by-character lowercase does not. */
  finalSigma: boolean;
  /** hf-slow NFC-normalizes the text before splitting it into words. */
  nfc: boolean;
  controls: ControlClass;
  spaces: SpaceClass;
  tokenizeChineseChars: boolean;
  /** The CJK blocks split into single characters (they differ between implementations; see classes.ts). */
  cjkRanges: readonly (readonly [number, number])[];
  maxInputCharsPerWord: number;
  /** Literal special tokens in the text are kept whole (hf-slow). */
  specialTokensInText: boolean;
  neverSplit: readonly string[];
  unkToken: string;
  clsToken: string;
  sepToken: string;
  padToken: string;
  maskToken: string;
  continuingSubwordPrefix: string;
}

function checkVersion(version: string): UnicodeVersion {
  if ((UNICODE_VERSIONS as readonly string[]).includes(version)) return version as UnicodeVersion;
  throw new ParityError(
    'E_UNICODE_VERSION',
    `Unicode version ${JSON.stringify(version)} is not supported; expected one of ${UNICODE_VERSIONS.join(', ')}`,
  );
}

export function resolveOptions(options: TokenizerOptions = {}): ResolvedOptions {
  const profile = options.profile ?? 'google-bert';
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new ParityError(
      'E_TOKENIZER_CONFIG',
      `unknown tokenizer profile ${JSON.stringify(profile)}; expected one of ${PROFILES.join(', ')}`,
    );
  }
  const lowercase = options.lowercase ?? true;
  const maxInputCharsPerWord = options.maxInputCharsPerWord ?? (profile === 'google-bert' ? 200 : 100);
  if (!Number.isInteger(maxInputCharsPerWord) || maxInputCharsPerWord < 1) {
    throw new ParityError(
      'E_TOKENIZER_CONFIG',
      `maxInputCharsPerWord must be a positive integer, got ${JSON.stringify(options.maxInputCharsPerWord)}`,
    );
  }
  if (profile === 'google-bert' && options.stripAccents !== undefined && options.stripAccents !== null) {
    // The reference has no such switch: it strips accents exactly when it lowercases.
    if (options.stripAccents !== lowercase) {
      throw new ParityError(
        'E_TOKENIZER_CONFIG',
        'stripAccents is not an option of the google-bert profile (it strips accents iff lowercase); use hf-slow or hf-fast',
      );
    }
  }
  const stripAccents = options.stripAccents ?? lowercase;
  const special = {
    unkToken: options.unkToken ?? '[UNK]',
    clsToken: options.clsToken ?? '[CLS]',
    sepToken: options.sepToken ?? '[SEP]',
    padToken: options.padToken ?? '[PAD]',
    maskToken: options.maskToken ?? '[MASK]',
  };
  return {
    profile,
    unicodeVersion: checkVersion(options.unicodeVersion ?? DEFAULT_UNICODE_VERSION),
    lowercase,
    stripAccents,
    stripBeforeLower: profile === 'hf-fast',
    // transformers lowercases the text one character at a time before BasicTokenizer sees it, and Rust
    // lowercases char by char: only the reference's str.lower() on whole words applies Final_Sigma.
    finalSigma: profile === 'google-bert',
    nfc: profile === 'hf-slow',
    controls: profile === 'google-bert' ? 'Cc+Cf' : profile === 'hf-slow' ? 'C*' : 'Cc+Cf+Co+Cs',
    spaces: profile === 'hf-fast' ? 'White_Space' : 'python',
    tokenizeChineseChars: options.tokenizeChineseChars ?? true,
    cjkRanges: profile === 'hf-fast' ? HF_TOKENIZERS_CJK_RANGES : CJK_RANGES,
    maxInputCharsPerWord,
    specialTokensInText: profile === 'hf-slow',
    neverSplit: profile === 'hf-slow' ? (options.neverSplit ?? []) : [],
    ...special,
    continuingSubwordPrefix: options.continuingSubwordPrefix ?? '##',
  };
}
