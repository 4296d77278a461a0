export {
  configFromValue,
  DEFAULT_CONFIG_FILES,
  defineConfig,
  findDefaultConfig,
  type LoadedConfig,
  loadConfig,
  parseConfig,
} from './load.ts';
export * from './schema.ts';
