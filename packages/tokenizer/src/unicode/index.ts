export { getUnicodeTables, isUnicodeVersion } from './tables.ts';
export * from './types.ts';
