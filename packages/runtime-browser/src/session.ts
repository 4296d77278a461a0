import { type DType, elementCount, ParityError, type Tensor, type TensorData } from '@bert-parity/core';
import { BaseSession, type SessionInit } from '@bert-parity/runtime-base';
import type { PageChannel } from './channel.ts';
import { type RunResult, type TensorMeta, TYPED_ARRAYS } from './protocol.ts';
import type { LoopbackServer } from './server.ts';

const ARRAYS: Readonly<Record<DType, { new (b: ArrayBuffer): TensorData; BYTES_PER_ELEMENT: number }>> = TYPED_ARRAYS;

/** The tensors' elements one after another, as the bytes that cross to the page (little-endian, as every platform here). */
function bytesOf(tensors: readonly Tensor[]): Uint8Array {
  const out = new Uint8Array(tensors.reduce((n, t) => n + t.data.byteLength, 0));
  let at = 0;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** The tensors of one output body, one after another in the page's order, checked against their shapes. */
function tensorsOf(metas: readonly TensorMeta[], body: Uint8Array, what: string): Tensor[] {
  const sizes = metas.map((m) => {
    const Type = ARRAYS[m.dtype as DType];
    if (Type === undefined) {
      throw new ParityError(
        'E_RUNTIME_RUN',
        `${what} returned dtype ${m.dtype}; expected one of ${Object.keys(ARRAYS).join(', ')}`,
      );
    }
    return elementCount(m.shape) * Type.BYTES_PER_ELEMENT;
  });
  const want = sizes.reduce((n, s) => n + s, 0);
  if (body.byteLength !== want) {
    throw new ParityError(
      'E_RUNTIME_RUN',
      `${what} posted ${body.byteLength} bytes for ${metas.map((m) => `${m.dtype} [${m.shape.join(', ')}]`).join(', ')}; expected ${want}`,
    );
  }
  let at = 0;
  return metas.map((m, i) => {
    const size = sizes[i] as number;
    // slice() copies: each tensor owns an aligned buffer.
    const data = new (ARRAYS[m.dtype as DType] as (typeof ARRAYS)[DType])(body.slice(at, at + size).buffer);
    at += size;
    return { dtype: m.dtype as DType, shape: [...m.shape], data };
  });
}

export interface BrowserRun {
  readonly channel: PageChannel;
  readonly server: LoopbackServer;
  /** URL prefix of this session's model files and exchanges (removed at close). */
  readonly prefix: string;
  readonly what: string;
  readonly modelPath: string;
  readonly timeoutMs: number;
  /** Gives the page back to the runner (or closes it, if it failed) and stops serving the model. */
  readonly release: () => Promise<void>;
}

/**
 * A model open in a page. BaseSession validates and adapts the feeds as on the host; runImpl hands the
 * positional tensors to the page as raw bytes through the loopback server, runs the model there and
 * reads the outputs back the same way.
 */
export class BrowserSession extends BaseSession {
  private calls = 0;
  /** The last run's time inside the runtime, on the page's clock (tensor transfer excluded). */
  lastPageMs: number | undefined;

  constructor(
    private readonly r: BrowserRun,
    init: SessionInit,
  ) {
    super(init);
  }

  protected async runImpl(feeds: readonly Tensor[]): Promise<Tensor[]> {
    const base = `${this.r.prefix}io/${++this.calls}/`;
    this.r.server.openExchange(base, bytesOf(feeds));
    try {
      const result = await this.r.channel.call<RunResult>(
        'run',
        { base, inputs: feeds.map((t) => ({ dtype: t.dtype, shape: [...t.shape] })) },
        'E_RUNTIME_RUN',
      );
      // A runtime that reports a failing op only on console.error (LiteRT.js) resolves with garbage.
      if (result.log !== undefined && result.log.length > 0) {
        throw new ParityError(
          'E_RUNTIME_OP',
          `${this.r.what} reported an error while running ${this.r.modelPath}, so its outputs are not results: ${result.log.join(' | ')}`,
          { details: { log: result.log } },
        );
      }
      this.lastPageMs = result.ms;
      return tensorsOf(result.outputs, this.r.server.closeExchange(base), this.r.what);
    } finally {
      this.r.server.remove(base);
    }
  }

  /** Releases the model in the page (a crashed or hung page is closed instead), then the page. */
  protected async closeImpl(): Promise<void> {
    try {
      await this.r.channel.call('close', undefined, 'E_RUNTIME_RUN', Math.min(this.r.timeoutMs, 10_000));
    } catch {
      // a page that cannot release its model is not alive any more, and release() closes it
    } finally {
      await this.r.release();
    }
  }
}
