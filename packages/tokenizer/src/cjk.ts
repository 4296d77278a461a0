/**
 * The CJK Unified Ideograph blocks of google-research/bert `_is_chinese_char` (used unchanged by
 * transformers' Python BertTokenizer): U+4E00–9FFF, 3400–4DBF, 20000–2A6DF, 2A700–2B73F, 2B740–2B81F,
 * 2B820–2CEAF, F900–FAFF, 2F800–2FA1F. Hangul, kana and later extension blocks are not included.
 */
export const CJK_RANGES: readonly (readonly [number, number])[] = [
  [0x4e00, 0x9fff],
  [0x3400, 0x4dbf],
  [0x20000, 0x2a6df],
  [0x2a700, 0x2b73f],
  [0x2b740, 0x2b81f],
  [0x2b820, 0x2ceaf],
  [0xf900, 0xfaff],
  [0x2f800, 0x2fa1f],
];

/**
 * Rust tokenizers' BertNormalizer starts the Extension E range at U+2B920 instead of U+2B820, so
 * U+2B820–2B91F are not split off there (measured against tokenizers 0.23.2, e.g. U+2B891).
 */
export const HF_TOKENIZERS_CJK_RANGES: readonly (readonly [number, number])[] = CJK_RANGES.map(([lo, hi]) =>
  lo === 0x2b820 ? ([0x2b920, hi] as const) : ([lo, hi] as const),
);
