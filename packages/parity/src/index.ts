export { buildProgram, main } from './cli.ts';
export { formatInspect, inspectJson, runInspect } from './commands/inspect.ts';
export { ourTokenizerFor } from './commands/tokenizer.ts';
// The parts other tools build on (the fuzz campaign reads configs and reports as the CLI does).
export * from './config/index.ts';
export { defineConfig, type ParityConfigInput } from './config/index.ts';
export {
  type CheckOptions,
  corpusInputs,
  exitCodeOf,
  labelledInputs,
  runCheck,
} from './engine/index.ts';
export { decideInit, type InitOptions, type InitResult, runInit } from './init/run-init.ts';
export * from './report/index.ts';
