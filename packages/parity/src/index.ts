export { buildProgram, main } from './cli.ts';
export { defineConfig, type ParityConfigInput } from './config/index.ts';
export { type InitOptions, type InitResult, runInit } from './init/run-init.ts';
