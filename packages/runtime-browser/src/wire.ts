import {
  type ErrorCode,
  isParityError,
  ParityError,
  type RuntimeEnvironment,
  type TensorSpec,
} from '@bert-parity/core';
import type { BrowserSessionOptions } from './runtimes.ts';

/**
 * What BrowserRunner (the engine's thread) and its worker say to each other. Tensors travel as typed
 * arrays in the message (structured clone, output buffers transferred), never as lists of numbers.
 */
export interface WorkerOptions {
  executablePath?: string;
  args?: readonly string[];
  timeoutMs?: number;
  /** Modules whose default export is a BrowserRuntime or a list of them (tests' page doubles). */
  runtimeModules?: readonly string[];
}

export type Request =
  | { op: 'start' }
  | { op: 'warm'; sessions: { runtime: string; options: BrowserSessionOptions }[] }
  | { op: 'open'; runtime: string; model: unknown; options: BrowserSessionOptions }
  | { op: 'run'; session: number; feeds: unknown }
  | { op: 'close'; session: number }
  | { op: 'shutdown' };

export interface Opened {
  session: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  environment: RuntimeEnvironment;
}

export type Reply =
  | { id: number; ok: unknown }
  | { id: number; error: { code: string; message: string; details?: unknown } };

export function errorReply(id: number, e: unknown): Reply {
  if (isParityError(e)) return { id, error: { code: e.code, message: e.message, details: e.details } };
  return { id, error: { code: 'E_INTERNAL', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } };
}

/** The worker's error as the ParityError it was (an uncoded crash of the worker stays uncoded). */
export function errorFrom(error: { code: string; message: string; details?: unknown }): Error {
  if (error.code === 'E_INTERNAL') return new Error(error.message);
  return new ParityError(error.code as ErrorCode, error.message, {
    details: (error.details ?? {}) as Record<string, unknown>,
  });
}
