export { CJK_RANGES, HF_TOKENIZERS_CJK_RANGES } from './cjk.ts';
export { isAsciiPunctuation } from './classes.ts';
export {
  type CaseMismatch,
  type ConformanceReport,
  type TokenizerImpl,
  verifyGolden,
} from './conformance.ts';
export {
  type GoldenCase,
  type GoldenEncodeCase,
  type GoldenFile,
  type GoldenMeta,
  type GoldenTokenizeCase,
  parseGolden,
  readGoldenFile,
} from './golden.ts';
export { fromHuggingFace, fromHuggingFaceDir, type HuggingFaceFiles } from './hf-json.ts';
export { PROFILES, type ProfileName, type ResolvedOptions, resolveOptions, type TokenizerOptions } from './profiles.ts';
export {
  REFERENCE_ENV,
  ReferenceClient,
  type ReferenceClientOptions,
  type ReferenceTokenization,
} from './reference-client.ts';
export {
  BertTokenizer,
  type EncodeOptions,
  type Encoding,
  type Offset,
  type TokenizedText,
} from './tokenizer.ts';
export {
  DEFAULT_UNICODE_VERSION,
  type GeneralCategory,
  getUnicodeTables,
  UNICODE_VERSIONS,
  type UnicodeTables,
  type UnicodeVersion,
} from './unicode/index.ts';
export { Vocabulary, type VocabularyLoadInfo } from './vocab.ts';
