import { type ChildProcess, spawn } from 'node:child_process';
import { ParityError } from '@bert-parity/core';

/**
 * Client for the live reference tokenizer: `tools/golden/bert_golden.py --serve` (or anything speaking the
 * same protocol). One JSON request per line on stdin, `{"text": string, "lower": boolean}`; one answer per
 * line on stdout, in request order: `{"tokens", "ids", "basic_tokens"}` or `{"error": string}`.
 *
 *   BERT_PARITY_REFERENCE="python3 tools/golden/bert_golden.py --serve --bert-dir ~/src/bert \
 *     --vocab golden/vocab/fixture-uncased.txt"
 */

export const REFERENCE_ENV = 'BERT_PARITY_REFERENCE';

export interface ReferenceTokenization {
  /** FullTokenizer.tokenize */
  tokens: string[];
  ids: number[];
  /** BasicTokenizer.tokenize, before WordPiece */
  basicTokens: string[];
}

export interface ReferenceClientOptions {
  /** How long one answer may take, from when its request is sent (the first includes start-up). Default 30 s. */
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

interface Pending {
  text: string;
  resolve(value: ReferenceTokenization): void;
  reject(reason: ParityError): void;
  timer: NodeJS.Timeout;
}

const STDERR_KEEP = 2000;
const preview = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isInts = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));

export class ReferenceClient {
  readonly command: string;
  private readonly timeoutMs: number;
  private readonly child: ChildProcess;
  private readonly pending: Pending[] = [];
  private buffer = '';
  private stderr = '';
  /** Set once the process is unusable; every later request fails with it. */
  private dead: ParityError | null = null;
  private readonly exited: Promise<void>;

  /** Starts `command` through the shell. Requests may be sent at once; they queue until it answers. */
  constructor(command: string, options: ReferenceClientOptions = {}) {
    this.command = command;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    // Own process group, so a shell wrapper and the program it starts are stopped together.
    this.child = spawn(command, {
      shell: true,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEEP);
    });
    // A write after the process died must not crash the caller; the exit handler reports it.
    this.child.stdin?.on('error', () => {});
    this.child.once('error', (err) => this.fail(this.processError(`could not be started: ${err.message}`)));
    this.child.once('close', (code, signal) => {
      this.fail(
        this.processError(
          `exited (${signal === null ? `code ${code}` : `signal ${signal}`}) with ${this.pending.length} request(s) unanswered`,
        ),
      );
    });
  }

  /** A client for the command in BERT_PARITY_REFERENCE, or null when it is not set. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, options: ReferenceClientOptions = {}): ReferenceClient | null {
    const command = env[REFERENCE_ENV];
    return command === undefined || command.trim() === '' ? null : new ReferenceClient(command, options);
  }

  /** Tokenizes one text with the reference; `lower` selects do_lower_case. */
  tokenize(text: string, lower: boolean): Promise<ReferenceTokenization> {
    if (this.dead !== null) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const request: Pending = {
        text,
        resolve,
        reject,
        timer: setTimeout(() => this.onTimeout(request), this.timeoutMs),
      };
      this.pending.push(request);
      // JSON.stringify escapes lone surrogates, so every JS string survives the trip.
      this.child.stdin?.write(`${JSON.stringify({ text, lower })}\n`);
    });
  }

  /** Ends the session: closes stdin, waits for the process (killing it after 2 s), fails what is unanswered. */
  async close(): Promise<void> {
    if (this.dead === null) this.dead = this.processError('was closed');
    this.child.stdin?.end();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const killer = setTimeout(() => this.kill(), 2000);
      await this.exited;
      clearTimeout(killer);
    }
    this.fail(this.dead);
  }

  private processError(what: string): ParityError {
    const tail = this.stderr.trim();
    return new ParityError(
      'E_REFERENCE_PROCESS',
      `reference command ${JSON.stringify(this.command)} ${what}${tail === '' ? '' : `; its stderr ends with: ${tail}`}`,
      { details: { command: this.command } },
    );
  }

  private kill(): void {
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Rejects everything still waiting and marks the client unusable. */
  private fail(error: ParityError): void {
    if (this.dead === null) this.dead = error;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  private onTimeout(request: Pending): void {
    const at = this.pending.indexOf(request);
    if (at === -1) return;
    this.pending.splice(at, 1);
    request.reject(
      new ParityError(
        'E_REFERENCE_TIMEOUT',
        `reference command ${JSON.stringify(this.command)} did not answer ${preview(request.text)} within ${this.timeoutMs} ms`,
        { details: { command: this.command, timeoutMs: this.timeoutMs } },
      ),
    );
    // Answers are matched by order, so after a lost answer none of the rest can be trusted.
    this.fail(this.processError('was stopped after a request timed out'));
    this.kill();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      this.onLine(line);
      newline = this.buffer.indexOf('\n');
    }
  }

  private onLine(line: string): void {
    const request = this.pending.shift();
    if (request === undefined) {
      this.fail(this.processError(`printed ${preview(line)} when no request was waiting`));
      this.kill();
      return;
    }
    clearTimeout(request.timer);
    let answer: Record<string, unknown>;
    try {
      answer = JSON.parse(line) as Record<string, unknown>;
      if (typeof answer !== 'object' || answer === null) throw new Error('not an object');
    } catch (err) {
      const error = this.processError(
        `answered ${preview(request.text)} with ${preview(line)}, which is not a JSON object (${(err as Error).message})`,
      );
      request.reject(error);
      this.fail(error);
      this.kill();
      return;
    }
    if (typeof answer.error === 'string') {
      request.reject(
        new ParityError(
          'E_REFERENCE_ANSWER',
          `reference could not tokenize ${preview(request.text)}: ${answer.error}`,
          {
            details: { text: request.text, error: answer.error },
          },
        ),
      );
      return;
    }
    if (!isStrings(answer.tokens) || !isInts(answer.ids) || !isStrings(answer.basic_tokens)) {
      request.reject(
        new ParityError(
          'E_REFERENCE_PROCESS',
          `reference answered ${preview(request.text)} with ${preview(line)}; expected {"tokens": string[], "ids": integer[], "basic_tokens": string[]}`,
          { details: { command: this.command } },
        ),
      );
      return;
    }
    request.resolve({ tokens: answer.tokens, ids: answer.ids, basicTokens: answer.basic_tokens });
  }
}
