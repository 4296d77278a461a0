// Only types and small helpers at the top level: each peer library is imported inside its factory.
export { createHfTokenizersFromJson, createHfTokenizersImpl, HF_TOKENIZERS_NAME } from './hf-tokenizers.ts';
export {
  goldenInputs,
  importPeer,
  type PairInput,
  type PeerEncoding,
  type PeerOptions,
  type PeerTokenizerImpl,
  type PeerTokens,
  verifyGoldenWithPeer,
} from './peer.ts';
export {
  bertTokenizerJson,
  createTransformersJsFromJson,
  createTransformersJsImpl,
  TRANSFORMERS_JS_NAME,
} from './transformers-js.ts';
export { BERT_SPECIAL_TOKENS, readVocabRecord } from './vocab-file.ts';
