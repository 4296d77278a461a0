/**
 * The page half of the browser platform. Each runtime's page module (page/<runtime>.ts) exports a
 * PageRuntime as its default, which the page's script serves with servePageRuntime(); the Node side drives it through `globalThis.bertParity`
 * with page.evaluate. Only small descriptions cross that way (names, dtypes, shapes, timings, errors):
 * model files are fetched from the loopback server, and each run's tensors are fetched from and posted
 * back to it as raw little-endian bytes.
 */
import {
  type OpenRequest,
  type OpenResult,
  type PageReply,
  type PageTensor,
  type RunRequest,
  type RunResult,
  type TensorMeta,
  TYPED_ARRAYS,
  type WireDtype,
} from '../src/protocol.ts';

export type { OpenRequest, OpenResult, PageSpec, PageTensor, TensorMeta } from '../src/protocol.ts';

export interface PageSession {
  readonly info: OpenResult;
  /** Positional feeds, already in the model's dtypes and shapes; positional outputs. */
  run(feeds: PageTensor[]): Promise<{ outputs: PageTensor[]; log?: string[] }>;
  close(): Promise<void>;
}

export interface PageRuntime {
  open(request: OpenRequest): Promise<PageSession>;
}

/** A failure with one of the project's error codes (checked again on the Node side). */
export class PageError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function view(dtype: string, bytes: ArrayBuffer): PageTensor['data'] {
  const Type = TYPED_ARRAYS[dtype as WireDtype];
  if (Type === undefined) throw new PageError('E_RUNTIME_FEED', `dtype ${dtype} cannot cross to the page`);
  return new Type(bytes);
}

const elements = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);
const bytesPer = (dtype: string) => TYPED_ARRAYS[dtype as WireDtype]?.BYTES_PER_ELEMENT ?? 0;

function reply<T>(task: () => Promise<T>): Promise<PageReply<T>> {
  return task().then(
    (ok) => ({ ok }),
    (e: unknown) => {
      const coded = e instanceof PageError;
      const err = e as Error;
      return {
        error: {
          code: coded ? e.code : '',
          message: err?.message ?? String(e),
          ...(coded ? { details: e.details } : {}),
        },
      };
    },
  );
}

/** Row r of a tensor whose first dimension is the batch (a copy, shape [1, ...]). */
function row(t: PageTensor, r: number): PageTensor {
  const size = elements(t.shape.slice(1));
  return { ...t, shape: [1, ...t.shape.slice(1)], data: t.data.slice(r * size, (r + 1) * size) as PageTensor['data'] };
}

/** Tensors of shape [1, ...] stacked into [n, ...]. */
function stack(parts: PageTensor[]): PageTensor {
  const first = parts[0] as PageTensor;
  const Type = first.data.constructor as new (n: number) => PageTensor['data'];
  const data = new Type(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    (data as Float32Array).set(p.data as Float32Array, at);
    at += p.data.length;
  }
  return { dtype: first.dtype, shape: [parts.length, ...first.shape.slice(1)], data };
}

/**
 * Runs the feeds; a model with a fixed batch of 1 (TFLite's [1, 128]) runs row by row here in the page,
 * so a batch costs one exchange with Node however many rows it has (the Node side shows such models with
 * an open batch, as for an Android device's runner).
 */
async function runRows(session: PageSession, feeds: PageTensor[]): Promise<{ outputs: PageTensor[]; log?: string[] }> {
  const rows = feeds[0]?.shape[0] ?? 1;
  const fixed = session.info.inputs.length > 0 && session.info.inputs.every((s) => s.shape[0] === 1);
  if (!fixed || rows <= 1) return session.run(feeds);
  const results: PageTensor[][] = [];
  const log: string[] = [];
  for (let r = 0; r < rows; r++) {
    const out = await session.run(feeds.map((t) => row(t, r)));
    results.push(out.outputs);
    log.push(...(out.log ?? []));
  }
  return { outputs: (results[0] ?? []).map((_, i) => stack(results.map((o) => o[i] as PageTensor))), log };
}

export function servePageRuntime(runtime: PageRuntime): void {
  let session: PageSession | undefined;
  const api = {
    open: (request: OpenRequest) =>
      reply(async () => {
        if (session !== undefined) throw new PageError('E_RUNTIME_LOAD', 'this page already has a session open');
        session = await runtime.open(request);
        const { info } = session;
        // What any runtime's threads depend on: SharedArrayBuffer exists only in a cross-origin isolated page.
        return {
          ...info,
          environment: { ...info.environment, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency },
        };
      }),
    run: (request: RunRequest) =>
      reply(async (): Promise<RunResult> => {
        if (session === undefined) throw new PageError('E_RUNTIME_CLOSED', 'no session is open in this page');
        const res = await fetch(`${request.base}in`);
        if (!res.ok) throw new PageError('E_RUNTIME_RUN', `${request.base}in: HTTP ${res.status}`);
        const input = await res.arrayBuffer();
        let at = 0;
        const feeds = request.inputs.map((meta): PageTensor => {
          const size = elements(meta.shape) * bytesPer(meta.dtype);
          // slice() copies, so every tensor starts on its own aligned buffer.
          const data = view(meta.dtype, input.slice(at, at + size));
          at += size;
          return { ...meta, data };
        });
        const t0 = performance.now();
        const { outputs, log } = await runRows(session, feeds);
        const ms = performance.now() - t0;
        const body = new Uint8Array(outputs.reduce((n, t) => n + t.data.byteLength, 0));
        at = 0;
        for (const t of outputs) {
          body.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
          at += t.data.byteLength;
        }
        // A Blob body, not the bytes: DevTools (which drives this page) copies an in-memory request body into
        // its network events, base64, which made a 1.6 MB post cost ~0.6 s of CPU; a blob it leaves alone.
        const posted = await fetch(`${request.base}out`, { method: 'POST', body: new Blob([body]) });
        if (!posted.ok) throw new PageError('E_RUNTIME_RUN', `${request.base}out: HTTP ${posted.status}`);
        const metas: TensorMeta[] = outputs.map((t) => ({ dtype: t.dtype, shape: [...t.shape] }));
        return { outputs: metas, ms, ...(log !== undefined && log.length > 0 ? { log } : {}) };
      }),
    close: () =>
      reply(async () => {
        const s = session;
        session = undefined;
        await s?.close();
        return true;
      }),
  };
  (globalThis as { bertParity?: typeof api }).bertParity = api;
}

/** Lines written to console.error, kept from the moment this is called (runtimes that log instead of throwing). */
export function captureConsoleErrors(): string[] {
  const lines: string[] = [];
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
    original(...args);
  };
  return lines;
}

/** Fetches a served file as bytes; a failed fetch is E_RUNTIME_LOAD naming the URL. */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new PageError('E_RUNTIME_LOAD', `${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
