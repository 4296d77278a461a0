import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, relative, resolve, sep } from 'node:path';
import { ParityError } from '@bert-parity/core';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Cross-origin isolation (COOP same-origin + COEP require-corp) makes SharedArrayBuffer available, which
 * the threaded wasm builds (onnxruntime-web, TF.js wasm, LiteRT.js) need for threads > 1; everything is
 * same-origin, so CORP same-origin satisfies COEP for every file. Nothing is cached unless marked
 * immutable (LoopbackServer.folder).
 */
const HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** One exchange of a session's run: the inputs' bytes to serve, the outputs' bytes once posted. */
interface Exchange {
  input: Uint8Array;
  output?: Uint8Array;
}

/**
 * The browser's only server: HTTP on 127.0.0.1, an ephemeral port. It serves what was registered and
 * nothing else (404 for any other path): generated text (pages, harness bundles), folders of the
 * runtimes' packages, single model files, and each run's tensors as raw little-endian bytes (GET inputs,
 * POST outputs), so model files and tensors cross as binary bodies, never as JSON arrays of numbers.
 *
 * It is also the browser's proxy for every URL, loopback included: a request for any other origin (or a
 * CONNECT tunnel, which https and wss use) is refused here and recorded in `refused`, so nothing the
 * browser asks for leaves the machine or reaches another local service.
 */
export class LoopbackServer {
  private readonly texts = new Map<string, { body: string | (() => Promise<string>); type: string }>();
  private readonly files = new Map<string, string>();
  private readonly folders = new Map<string, { dir: string; immutable: boolean }>();
  private readonly exchanges = new Map<string, Exchange>();
  /** Requests for anything but this server, refused (the browser's own background calls included). */
  readonly refused: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<LoopbackServer> {
    let self: LoopbackServer | undefined;
    const server = createServer((req, res) => {
      self?.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, HEADERS);
        res.end(String((e as Error).message));
      });
    });
    server.on('connect', (req: IncomingMessage, socket: Socket) => {
      self?.refused.push(`CONNECT ${req.url}`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    // Keep-alive sockets would hold close() open until they time out.
    server.keepAliveTimeout = 1000;
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => ok());
    });
    const { port } = server.address() as AddressInfo;
    self = new LoopbackServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** Serves generated text at `path`; a function is called once, on the first request. */
  text(path: string, body: string | (() => Promise<string>), type = TYPES[extname(path)] ?? 'text/plain'): void {
    this.texts.set(path, { body, type });
  }

  /** Serves one file at `path`. */
  file(path: string, file: string): void {
    this.files.set(path, file);
  }

  /**
   * Serves every file under `dir` at `prefix` + its relative path (prefix ends with "/"). Immutable
   * folders (an installed package under a name@version prefix) may be cached by the browser, which then
   * also keeps the compiled code of their scripts and wasm for the next page.
   */
  folder(prefix: string, dir: string, options: { immutable?: boolean } = {}): void {
    this.folders.set(prefix, { dir: resolve(dir), immutable: options.immutable === true });
  }

  /** Forgets everything registered under `prefix`. */
  remove(prefix: string): void {
    for (const map of [this.texts, this.files, this.folders, this.exchanges]) {
      for (const key of map.keys()) if (key.startsWith(prefix)) map.delete(key);
    }
  }

  /** Serves a run's input bytes at `${base}in` and accepts its output bytes at `${base}out`. */
  openExchange(base: string, input: Uint8Array): void {
    this.exchanges.set(base, { input });
  }

  /** The bytes the page posted to `${base}out`; the exchange is closed. */
  closeExchange(base: string): Uint8Array {
    const ex = this.exchanges.get(base);
    this.exchanges.delete(base);
    if (ex?.output === undefined) throw new ParityError('E_RUNTIME_RUN', `the page posted no outputs to ${base}out`);
    return ex.output;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    if (url.origin !== this.origin) {
      this.refused.push(`${req.method} ${url.href}`);
      return this.send(res, 403, 'text/plain', `${url.href}: bert-parity's browser reaches its loopback server only`);
    }
    const path = decodeURIComponent(url.pathname);
    const io = /^(.*\/)(in|out)$/.exec(path);
    const ex = io === null ? undefined : this.exchanges.get(io[1] as string);
    if (io !== null && ex !== undefined) {
      if (io[2] === 'in' && req.method === 'GET') return this.send(res, 200, 'application/octet-stream', ex.input);
      if (io[2] === 'out' && req.method === 'POST') {
        ex.output = await readBody(req);
        return this.send(res, 204, 'text/plain', '');
      }
    }
    if (req.method !== 'GET') return this.send(res, 405, 'text/plain', `${req.method} ${path} is not served`);
    const text = this.texts.get(path);
    if (text !== undefined) {
      if (typeof text.body === 'function') text.body = await text.body();
      return this.send(res, 200, text.type, text.body);
    }
    const single = this.files.get(path);
    if (single !== undefined) return this.stream(res, single, false);
    const inFolder = this.inFolder(path);
    if (inFolder !== undefined) return this.stream(res, inFolder.file, inFolder.immutable);
    return this.send(res, 404, 'text/plain', `${path} is not served`);
  }

  private inFolder(path: string): { file: string; immutable: boolean } | undefined {
    for (const [prefix, { dir, immutable }] of this.folders) {
      if (!path.startsWith(prefix)) continue;
      const file = resolve(dir, path.slice(prefix.length));
      // No way out of the folder (../, absolute paths).
      const rel = relative(dir, file);
      if (rel === '' || rel.startsWith('..') || rel.includes(`..${sep}`)) return undefined;
      return { file, immutable };
    }
    return undefined;
  }

  private stream(res: ServerResponse, file: string, immutable: boolean): void {
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      this.send(res, 404, 'text/plain', 'not found');
      return;
    }
    res.writeHead(200, {
      ...HEADERS,
      ...(immutable ? { 'Cache-Control': 'public, max-age=31536000, immutable' } : {}),
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(size),
    });
    createReadStream(file).pipe(res);
  }

  private send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...HEADERS, 'Content-Type': type, 'Content-Length': String(bytes.byteLength) });
    res.end(bytes);
  }
}

function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', fail);
  });
}
