/**
 * The device side of the ADB protocol, for running the real adb client and server against a simulated device:
 * a TCP server that answers as adbd does on an emulator or an `adb tcpip` device (auth off). Written from AOSP's
 * protocol.txt, SERVICES.TXT and SYNC.TXT, and checked against Debian's adb 1.0.41 (29.0.6):
 *
 * - transport: 24-byte little-endian headers (command, arg0, arg1, length, byte-sum checksum, command ^ ~0),
 *   CNXN answered with a `device::ro.product.name=…;ro.product.model=…;ro.product.device=…;features=…` banner,
 *   OPEN/OKAY/WRTE/CLSE streams, any number at once, one unacknowledged WRTE per stream as the protocol asks;
 * - `shell:` (raw, exit status lost) and `shell,v2,…:` (stdout, stderr and the exit status in packets), running
 *   the commands the adapter sends through the simulator's device shell (device-shell.mjs, shared with the fake
 *   adb);
 * - `sync:` STAT, STA2/LST2, LIST, LIS2, SEND (parents made, as adbd does), RECV, QUIT.
 *
 * The device's `/` is a host folder (<root>/<serial>/…). startRealAdbDevice() adds a private adb server (its own
 * port, HOME and TMPDIR, so the user's server on 5037 and ~/.android are never touched) connected to it.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  type Stats,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RUNNER_COMPONENT } from '@bert-parity/runtime-android';
import { runShellLine, type ShellDevice, shellKind } from './device-shell.mjs';

const A_SYNC = 0x434e5953;
const A_CNXN = 0x4e584e43;
const A_AUTH = 0x48545541;
const A_OPEN = 0x4e45504f;
const A_OKAY = 0x59414b4f;
const A_CLSE = 0x45534c43;
const A_WRTE = 0x45545257;
const A_STLS = 0x534c5453;
const COMMANDS = new Map([
  [A_SYNC, 'SYNC'],
  [A_CNXN, 'CNXN'],
  [A_AUTH, 'AUTH'],
  [A_OPEN, 'OPEN'],
  [A_OKAY, 'OKAY'],
  [A_CLSE, 'CLSE'],
  [A_WRTE, 'WRTE'],
  [A_STLS, 'STLS'],
]);
/** 0x01000001: peers stop checking payload checksums (we still fill them in, for 0x01000000 hosts). */
const VERSION = 0x01000001;
const VERSION_MIN = 0x01000000;
/** What we accept per message; the host's CNXN says what it accepts, and the smaller one bounds our WRTEs. */
const MAX_PAYLOAD = 256 * 1024;
/** SYNC.TXT: DATA chunks are at most 64 KiB. */
const SYNC_DATA_MAX = 64 * 1024;
const HEADER = 24;

/**
 * What the device advertises. shell_v2 is what every device since Android 7 says, and the only way the exit
 * status of `am instrument` reaches the adb client; stat_v2/ls_v2 (Android 8+) make push/pull use the 64-bit
 * stat and listing; fixed_push_mkdir tells the client that SEND makes missing parents.
 */
export const DEFAULT_FEATURES = ['shell_v2', 'stat_v2', 'ls_v2', 'fixed_push_mkdir'] as const;

/** Failure injection, applied to the next matching service. */
export interface AdbdInjection {
  /**
   * The device goes away when a shell command of this kind (instrument, getprop, mkdir, rm, force-stop; as the
   * fake adb names them) or `sync` opens: `transport` drops the TCP connection and refuses new ones, like a pulled
   * cable; `stream` closes only that stream, without output or exit status, like a dying adbd service.
   */
  dropOn?: { service: string; how: 'transport' | 'stream' };
}

export interface AdbdOptions {
  /** Host folder for device file systems (<root>/<serial>/…). */
  root: string;
  /** getprop of the device; its product name/model/device go into the CNXN banner. */
  props: Readonly<Record<string, string>>;
  /** What `am instrument` runs (see SimulatorOptions.runnerCommand); default the LiteRT.js host runner. */
  runnerCommand?: string[];
  runnerInstalled?: boolean;
  features?: readonly string[];
  /** Every protocol event as a line ("< OPEN …" received, "> OKAY …" sent, "sync SEND …"): to see what adb sends. */
  log?: (line: string) => void;
  inject?: AdbdInjection;
}

export interface Adbd {
  readonly port: number;
  /** As adb lists a TCP device: 127.0.0.1:<port>. */
  readonly serial: string;
  /** Host folder holding this device's `/`. */
  readonly fs: string;
  /** How often each service opened (`shell:<kind>`, `sync`) and each sync request came (`sync:STA2`, `sync:SEND`, …). */
  counts(): Record<string, number>;
  inject(injection: AdbdInjection): void;
  /** The most streams that were open at once, over all connections. */
  readonly peakStreams: number;
  /** Whether the device is gone (after a transport drop): connections are refused until revive(). */
  readonly gone: boolean;
  /** The device is back: adb's reconnect (a few hundred ms) finds it again. */
  revive(): void;
  close(): Promise<void>;
}

const HOST_RUNNER = fileURLToPath(new URL('./host-runner.ts', import.meta.url));

function hostRunnerCommand(): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [process.execPath, '--import', tsx, HOST_RUNNER];
}

/** The banner adbd sends in its CNXN: product properties, then the features. */
export function deviceBanner(props: Readonly<Record<string, string>>, features: readonly string[]): string {
  const name = props['ro.product.name'] ?? '';
  const product = [
    `ro.product.name=${name}`,
    `ro.product.model=${props['ro.product.model'] ?? ''}`,
    // EMULATOR_PROPS has no ro.product.device; the product name stands in.
    `ro.product.device=${props['ro.product.device'] ?? name}`,
  ];
  return `device::${[...product, `features=${features.join(',')}`].join(';')}`;
}

export async function startAdbd(options: AdbdOptions): Promise<Adbd> {
  const features = options.features ?? DEFAULT_FEATURES;
  const log = options.log ?? (() => undefined);
  const counts: Record<string, number> = {};
  const count = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  let injection: AdbdInjection = options.inject ?? {};
  let open = 0;
  let peakStreams = 0;
  let gone = false;
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    if (gone) {
      socket.destroy();
      return;
    }
    // Small replies (OKAY, sync acks) must not wait for Nagle: each would stall a push or pull ~40 ms.
    socket.setNoDelay(true);
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    serveConnection(socket, context);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  const port = await listen(0);
  const serial = `127.0.0.1:${port}`;
  const fs = join(options.root, serial);
  mkdirSync(join(fs, 'data/local/tmp'), { recursive: true });
  const device: ShellDevice = {
    fs,
    props: { ...options.props },
    runner: { component: RUNNER_COMPONENT, command: options.runnerCommand ?? hostRunnerCommand() },
    pidDir: options.root,
    ...(options.runnerInstalled === undefined ? {} : { runnerInstalled: options.runnerInstalled }),
  };
  const dropAll = () => {
    gone = true;
    for (const c of connections) c.destroy();
  };
  const context: Context = {
    device,
    banner: deviceBanner(options.props, features),
    log,
    count,
    streams: (delta) => {
      open += delta;
      peakStreams = Math.max(peakStreams, open);
    },
    /** Whether the service just opened is where the injection strikes; a transport drop happens here. */
    drop: (service) => {
      const d = injection.dropOn;
      if (d === undefined || d.service !== service) return false;
      injection = {};
      log(`inject: drop ${d.how} on ${service}`);
      if (d.how === 'transport') dropAll();
      return true;
    },
  };
  return {
    port,
    serial,
    fs,
    counts: () => ({ ...counts }),
    inject: (i) => {
      injection = i;
    },
    get peakStreams() {
      return peakStreams;
    },
    get gone() {
      return gone;
    },
    revive: () => {
      gone = false;
    },
    close: async () => {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Context {
  device: ShellDevice;
  banner: string;
  log: (line: string) => void;
  count: (key: string) => void;
  /** Streams opened (+1) and ended (-1), for peakStreams. */
  streams: (delta: number) => void;
  drop: (service: string) => boolean;
}

function checksum(data: Buffer): number {
  let sum = 0;
  for (const b of data) sum += b;
  return sum >>> 0;
}

/** One TCP connection: one adb transport. */
function serveConnection(socket: Socket, ctx: Context): void {
  let pending: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  let connected = false;
  let maxPayload = MAX_PAYLOAD;
  let nextId = 1;
  const streams = new Map<number, Stream>();

  const send = (command: number, arg0: number, arg1: number, data: Buffer = Buffer.alloc(0)) => {
    if (socket.destroyed) return;
    const header = Buffer.alloc(HEADER);
    header.writeUInt32LE(command, 0);
    header.writeUInt32LE(arg0 >>> 0, 4);
    header.writeUInt32LE(arg1 >>> 0, 8);
    header.writeUInt32LE(data.length, 12);
    header.writeUInt32LE(checksum(data), 16);
    header.writeUInt32LE((command ^ 0xffffffff) >>> 0, 20);
    ctx.log(`> ${COMMANDS.get(command)} ${arg0} ${arg1} ${describeData(command, data)}`);
    socket.write(Buffer.concat([header, data]));
  };

  const onMessage = (command: number, arg0: number, arg1: number, data: Buffer) => {
    ctx.log(`< ${COMMANDS.get(command) ?? command.toString(16)} ${arg0} ${arg1} ${describeData(command, data)}`);
    if (command === A_CNXN) {
      if (arg0 < VERSION_MIN) {
        socket.destroy();
        return;
      }
      // A second CNXN (the host reconnecting) starts over: its streams are gone.
      for (const s of streams.values()) s.closedByPeer();
      ctx.streams(-streams.size);
      streams.clear();
      connected = true;
      maxPayload = Math.min(MAX_PAYLOAD, arg1);
      send(A_CNXN, Math.min(VERSION, arg0), MAX_PAYLOAD, Buffer.from(ctx.banner));
      return;
    }
    // protocol.txt: anything before CNXN is ignored.
    if (!connected) return;
    if (command === A_OPEN) {
      const service = data.toString('utf8').replace(/\0+$/, '');
      const local = nextId++;
      const stream = new Stream(local, arg0, maxPayload, send, () => {
        if (streams.delete(local)) ctx.streams(-1);
      });
      streams.set(local, stream);
      ctx.streams(1);
      send(A_OKAY, local, arg0);
      void runService(service, stream, ctx).catch((e: unknown) => {
        ctx.log(`service ${service} failed: ${(e as Error).stack ?? e}`);
        void stream.close();
      });
      return;
    }
    const stream = streams.get(arg1);
    // A message for a stream we closed meanwhile is ignored, as protocol.txt says.
    if (stream === undefined) return;
    if (command === A_OKAY) stream.acked();
    else if (command === A_WRTE) {
      stream.received(data);
      send(A_OKAY, stream.local, stream.remote);
    } else if (command === A_CLSE) {
      if (streams.delete(arg1)) ctx.streams(-1);
      stream.closedByPeer();
    } else socket.destroy(); // an unknown command: protocol.txt says close the connection
  };

  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER) {
      const command = pending.readUInt32LE(0);
      const length = pending.readUInt32LE(12);
      if (pending.readUInt32LE(20) !== (command ^ 0xffffffff) >>> 0 || length > MAX_PAYLOAD) {
        ctx.log(`bad header ${pending.subarray(0, HEADER).toString('hex')}; closing`);
        socket.destroy();
        return;
      }
      if (pending.length < HEADER + length) break;
      const data = pending.subarray(HEADER, HEADER + length);
      const arg0 = pending.readUInt32LE(4);
      const arg1 = pending.readUInt32LE(8);
      pending = pending.subarray(HEADER + length);
      onMessage(command, arg0, arg1, Buffer.from(data));
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    for (const s of streams.values()) s.closedByPeer();
    ctx.streams(-streams.size);
    streams.clear();
  });
}

function describeData(command: number, data: Buffer): string {
  if (command === A_CNXN || command === A_OPEN) return JSON.stringify(data.toString('utf8'));
  return data.length === 0 ? '' : `(${data.length} bytes)`;
}

class StreamClosed extends Error {
  constructor() {
    super('stream closed by the host');
  }
}

/**
 * One stream: outgoing bytes leave as WRTEs of at most maxPayload, each after the previous one's OKAY; incoming
 * WRTE payloads queue up for read().
 */
class Stream {
  private out: Buffer<ArrayBufferLike>[] = [];
  private awaitingAck = false;
  private scheduled = false;
  private drained: (() => void)[] = [];
  private inbox: Buffer<ArrayBufferLike>[] = [];
  private inboxLength = 0;
  private wake: (() => void) | undefined;
  private done = false;

  constructor(
    readonly local: number,
    readonly remote: number,
    private readonly maxPayload: number,
    private readonly sendMessage: (command: number, arg0: number, arg1: number, data?: Buffer) => void,
    private readonly forget: () => void,
  ) {}

  get closed(): boolean {
    return this.done;
  }

  write(data: Buffer): void {
    if (this.done || data.length === 0) return;
    this.out.push(data);
    // Writes of the same turn (a file's DATA and DONE, say) share one WRTE: one round trip fewer each.
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Resolves when every write has been acknowledged (or the stream is gone). */
  flush(): Promise<void> {
    if (this.done || (!this.awaitingAck && this.out.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Sends CLSE once everything written has gone out and been acknowledged. */
  async close(): Promise<void> {
    await this.flush();
    if (this.done) return;
    this.done = true;
    this.forget();
    this.sendMessage(A_CLSE, this.local, this.remote);
    this.wakeReader();
  }

  /** CLSE without flushing: the stream dies with whatever was still queued. */
  abort(): void {
    if (this.done) return;
    this.out = [];
    this.done = true;
    this.forget();
    this.sendMessage(A_CLSE, this.local, this.remote);
    this.settle();
  }

  acked(): void {
    this.awaitingAck = false;
    this.pump();
  }

  received(data: Buffer): void {
    this.inbox.push(data);
    this.inboxLength += data.length;
    this.wakeReader();
  }

  closedByPeer(): void {
    this.done = true;
    this.out = [];
    this.settle();
  }

  /** Exactly n bytes from the host; throws StreamClosed when the stream ends first. */
  async read(n: number): Promise<Buffer> {
    while (this.inboxLength < n) {
      if (this.done) throw new StreamClosed();
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const all = this.inbox.length === 1 ? (this.inbox[0] as Buffer) : Buffer.concat(this.inbox);
    this.inbox = all.length > n ? [all.subarray(n)] : [];
    this.inboxLength = all.length - n;
    return all.subarray(0, n);
  }

  /** Whatever the host has sent so far, or waits for more; undefined when the stream has ended. */
  async readSome(): Promise<Buffer | undefined> {
    while (this.inboxLength === 0) {
      if (this.done) return undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    return this.read(this.inboxLength);
  }

  private pump(): void {
    if (this.done || this.awaitingAck) return;
    if (this.out.length === 0) {
      for (const r of this.drained.splice(0)) r();
      return;
    }
    const all = this.out.length === 1 ? (this.out[0] as Buffer) : Buffer.concat(this.out);
    const chunk = all.subarray(0, this.maxPayload);
    this.out = all.length > chunk.length ? [all.subarray(chunk.length)] : [];
    this.awaitingAck = true;
    this.sendMessage(A_WRTE, this.local, this.remote, Buffer.from(chunk));
  }

  private settle(): void {
    for (const r of this.drained.splice(0)) r();
    this.wakeReader();
  }

  private wakeReader(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

async function runService(service: string, stream: Stream, ctx: Context): Promise<void> {
  const shell = /^shell(,[^:]*)?:(.*)$/s.exec(service);
  if (shell !== null) {
    const args = (shell[1] ?? '').split(',').filter((a) => a !== '');
    const line = shell[2] ?? '';
    const kind = shellKind(line);
    ctx.count(`shell:${kind}`);
    if (ctx.drop(kind)) return stream.abort();
    if (args.includes('v2')) await shellV2(line, stream, ctx);
    else await shellRaw(line, stream, ctx);
    return;
  }
  if (service === 'sync:') {
    ctx.count('sync');
    if (ctx.drop('sync')) return stream.abort();
    await sync(stream, ctx);
    return;
  }
  // Any other service (reboot:, root:, jdwp, …) is not on this device: a CLSE answers the OPEN.
  ctx.log(`unsupported service ${JSON.stringify(service)}`);
  stream.abort();
}

/** Legacy `shell:cmd`: stdout and stderr mixed into the stream, and no exit status (adb then exits 0). */
async function shellRaw(line: string, stream: Stream, ctx: Context): Promise<void> {
  const write = (text: string) => stream.write(Buffer.from(text));
  if (line.trim() === '') write('interactive shells are not simulated\n');
  else await runLine(line, { out: write, err: write }, ctx);
  await stream.close();
}

/** Shell protocol v2 packet ids (stdin 0, stdout 1, stderr 2, exit 3, close-stdin 4, window size 5). */
const SHELL_STDOUT = 1;
const SHELL_STDERR = 2;
const SHELL_EXIT = 3;

function shellPacket(id: number, data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(id, 0);
  head.writeUInt32LE(data.length, 1);
  return Buffer.concat([head, data]);
}

/** `shell,v2,…:cmd`: stdout and stderr in their own packets, then the exit status, which adb exits with. */
async function shellV2(line: string, stream: Stream, ctx: Context): Promise<void> {
  // The host may send stdin packets (adb 29 sends none when its stdin is /dev/null); drain them.
  void (async () => {
    while ((await stream.readSome()) !== undefined);
  })();
  const io = {
    out: (text: string) => stream.write(shellPacket(SHELL_STDOUT, Buffer.from(text))),
    err: (text: string) => stream.write(shellPacket(SHELL_STDERR, Buffer.from(text))),
  };
  let status = 1;
  if (line.trim() === '') io.err('interactive shells are not simulated\n');
  else status = await runLine(line, io, ctx);
  stream.write(shellPacket(SHELL_EXIT, Buffer.from([status & 0xff])));
  await stream.close();
}

async function runLine(line: string, io: { out: (t: string) => void; err: (t: string) => void }, ctx: Context) {
  try {
    return await runShellLine(ctx.device, line, io);
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 1;
  }
}

// --- sync ---------------------------------------------------------------------------------------------------

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** A device path on the host, refusing paths that climb out of the device's folder. */
function hostPath(ctx: Context, path: string): string | undefined {
  const p = join(ctx.device.fs, path);
  const rel = relative(ctx.device.fs, p);
  return rel.startsWith('..') ? undefined : p;
}

function errnoOf(e: unknown): number {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 2 : code === 'EACCES' ? 13 : code === 'ENOTDIR' ? 20 : code === 'EISDIR' ? 21 : 5;
}

function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const text: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    ENOTDIR: 'Not a directory',
    EISDIR: 'Is a directory',
    ENOSPC: 'No space left on device',
    EEXIST: 'File exists',
  };
  // Never the host's message: it names the host folder, which the device would not.
  return (code !== undefined ? text[code] : undefined) ?? code ?? 'I/O error';
}

function syncHeader(name: string, value: number): Buffer {
  const b = Buffer.alloc(8);
  b.write(name, 0, 'latin1');
  b.writeUInt32LE(value >>> 0, 4);
  return b;
}

function syncFail(message: string): Buffer {
  const text = Buffer.from(message);
  return Buffer.concat([syncHeader('FAIL', text.length), text]);
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** STAT (v1, lstat): mode, size, mtime as 32-bit values; all zero when the path does not exist. */
function statV1(st: Stats | undefined): Buffer {
  const b = Buffer.alloc(16);
  b.write('STAT', 0, 'latin1');
  if (st !== undefined) {
    b.writeUInt32LE(st.mode >>> 0, 4);
    b.writeUInt32LE(Math.min(st.size, 0xffffffff), 8);
    b.writeUInt32LE(seconds(st.mtimeMs), 12);
  }
  return b;
}

/** The 64-bit stat of STA2/LST2 and of DNT2 entries (error, dev, ino, mode, nlink, uid, gid, size, a/m/ctime). */
function statV2Body(st: Stats | undefined, error: number): Buffer {
  const b = Buffer.alloc(68);
  b.writeUInt32LE(error, 0);
  if (st !== undefined) {
    b.writeBigUInt64LE(BigInt(st.dev), 4);
    b.writeBigUInt64LE(BigInt(st.ino), 12);
    b.writeUInt32LE(st.mode >>> 0, 20);
    b.writeUInt32LE(st.nlink, 24);
    b.writeUInt32LE(2000, 28); // shell uid/gid, as for files adb pushes to /data/local/tmp
    b.writeUInt32LE(2000, 32);
    b.writeBigUInt64LE(BigInt(st.size), 36);
    b.writeBigInt64LE(BigInt(seconds(st.atimeMs)), 44);
    b.writeBigInt64LE(BigInt(seconds(st.mtimeMs)), 52);
    b.writeBigInt64LE(BigInt(seconds(st.ctimeMs)), 60);
  }
  return b;
}

function tryStat(path: string | undefined, follow: boolean): { st?: Stats; error: number } {
  if (path === undefined) return { error: 13 };
  try {
    return { st: follow ? statSync(path) : lstatSync(path), error: 0 };
  } catch (e) {
    return { error: errnoOf(e) };
  }
}

/** LIST/LIS2: one entry per name, `.` and `..` included as readdir gives them, then DONE. */
function listing(ctx: Context, path: string, v2: boolean): Buffer {
  const dir = hostPath(ctx, path);
  const parts: Buffer[] = [];
  let names: string[] = [];
  try {
    if (dir !== undefined) names = ['.', '..', ...readdirSync(dir)];
  } catch {
    names = [];
  }
  for (const name of names) {
    const { st } = tryStat(join(dir as string, name), false);
    if (st === undefined) continue;
    const n = Buffer.from(name);
    const tail = Buffer.alloc(4);
    tail.writeUInt32LE(n.length, 0);
    if (v2) parts.push(Buffer.from('DNT2', 'latin1'), statV2Body(st, 0), tail, n);
    else {
      const d = Buffer.alloc(16);
      d.write('DENT', 0, 'latin1');
      d.writeUInt32LE(st.mode >>> 0, 4);
      d.writeUInt32LE(Math.min(st.size, 0xffffffff), 8);
      d.writeUInt32LE(seconds(st.mtimeMs), 12);
      parts.push(d, tail, n);
    }
  }
  // The end is an entry-sized record with id DONE (20 bytes for LIST, 76 for LIS2).
  const done = Buffer.alloc(v2 ? 76 : 20);
  done.write('DONE', 0, 'latin1');
  parts.push(done);
  return Buffer.concat(parts);
}

/** `sync:`: requests of an id, a length and a path, until QUIT or the host closes the stream. */
async function sync(stream: Stream, ctx: Context): Promise<void> {
  try {
    for (;;) {
      const head = await stream.read(8);
      const request = head.toString('latin1', 0, 4);
      const length = head.readUInt32LE(4);
      const path = (await stream.read(length)).toString('utf8');
      ctx.count(`sync:${request}`);
      ctx.log(`sync ${request} ${path}`);
      if (request === 'QUIT') break;
      if (request === 'STAT') {
        stream.write(statV1(tryStat(hostPath(ctx, path), false).st));
      } else if (request === 'STA2' || request === 'LST2') {
        const { st, error } = tryStat(hostPath(ctx, path), request === 'STA2');
        stream.write(Buffer.concat([Buffer.from(request, 'latin1'), statV2Body(st, error)]));
      } else if (request === 'LIST' || request === 'LIS2') {
        stream.write(listing(ctx, path, request === 'LIS2'));
      } else if (request === 'SEND') {
        await receiveFile(stream, ctx, path);
      } else if (request === 'RECV') {
        sendFile(stream, ctx, path);
      } else {
        stream.write(syncFail(`unknown sync request ${JSON.stringify(request)}`));
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof StreamClosed)) throw e;
  }
  await stream.close();
}

/** SEND "path,mode": DATA chunks until DONE(mtime); parents are made as adbd does; OKAY or FAIL at the end. */
async function receiveFile(stream: Stream, ctx: Context, spec: string): Promise<void> {
  const comma = spec.lastIndexOf(',');
  const path = comma < 0 ? spec : spec.slice(0, comma);
  const mode = comma < 0 ? 0o644 : Number.parseInt(spec.slice(comma + 1), 10);
  const chunks: Buffer[] = [];
  let mtime = 0;
  for (;;) {
    const head = await stream.read(8);
    const what = head.toString('latin1', 0, 4);
    const n = head.readUInt32LE(4);
    if (what === 'DONE') {
      mtime = n;
      break;
    }
    if (what !== 'DATA' || n > SYNC_DATA_MAX) {
      stream.write(syncFail(`invalid data message: expected DATA or DONE, got ${JSON.stringify(what)} of ${n}`));
      throw new StreamClosed();
    }
    chunks.push(await stream.read(n));
  }
  const target = hostPath(ctx, path);
  try {
    if (target === undefined) throw Object.assign(new Error('Permission denied'), { code: 'EACCES' });
    if ((mode & S_IFMT) === S_IFLNK) throw Object.assign(new Error('symlinks'), { code: 'EACCES' });
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, Buffer.concat(chunks));
    chmodSync(target, mode & 0o7777 || 0o644);
    if (mtime > 0) utimesSync(target, mtime, mtime);
    stream.write(syncHeader('OKAY', 0));
  } catch (e) {
    stream.write(syncFail(`couldn't create file: ${strerror(e)}`));
  }
}

/** RECV path: DATA chunks of at most 64 KiB, then DONE; FAIL with the errno text when it cannot be read. */
function sendFile(stream: Stream, ctx: Context, path: string): void {
  const source = hostPath(ctx, path);
  let data: Buffer;
  try {
    if (source === undefined) throw Object.assign(new Error('Permission denied'), { code: 'EACCES' });
    data = readFileSync(source);
  } catch (e) {
    stream.write(syncFail(strerror(e)));
    return;
  }
  for (let at = 0; at < data.length; at += SYNC_DATA_MAX) {
    const chunk = data.subarray(at, at + SYNC_DATA_MAX);
    stream.write(Buffer.concat([syncHeader('DATA', chunk.length), chunk]));
  }
  stream.write(syncHeader('DONE', 0));
}

// --- a private adb server connected to the simulated device ----------------------------------------------

/** The adb executable on PATH (Debian's /usr/bin/adb or platform-tools), or undefined. */
export function findAdb(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'adb');
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface AdbResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A private adb server: its own port, HOME (for adbkey) and TMPDIR (for its log). */
export interface AdbServer {
  readonly adb: string;
  readonly port: number;
  /** For AndroidAdapter: ADB, ANDROID_ADB_SERVER_PORT, and the private HOME/TMPDIR (no ADB_SERIAL). */
  readonly env: NodeJS.ProcessEnv;
  run(args: readonly string[], timeoutMs?: number): Promise<AdbResult>;
  /** The server's own log ($TMPDIR/adb.<uid>.log). */
  log(): string;
  dispose(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startAdbServer(adb: string = findAdb() ?? 'adb'): Promise<AdbServer> {
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'bert-parity-adb-home-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ADB: adb,
    ANDROID_ADB_SERVER_PORT: String(port),
    HOME: home,
    TMPDIR: home,
  };
  delete env.ADB_SERIAL;
  delete env.ANDROID_SERIAL;
  const run = (args: readonly string[], timeoutMs = 15_000) =>
    new Promise<AdbResult>((resolve) => {
      execFile(adb, args, { env, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      });
    });
  const started = await run(['start-server']);
  if (started.code !== 0) {
    rmSync(home, { recursive: true, force: true });
    throw new Error(`adb start-server on port ${port} failed: ${started.stderr || started.stdout}`);
  }
  return {
    adb,
    port,
    env,
    run,
    log: () => {
      const file = readdirSync(home).find((f) => /^adb\..*log$/.test(f));
      return file === undefined ? '' : readFileSync(join(home, file), 'utf8');
    },
    dispose: async () => {
      await run(['kill-server']);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface RealAdbDevice {
  readonly adbd: Adbd;
  readonly server: AdbServer;
  /** For AndroidAdapter: the server's env plus ADB_SERIAL=127.0.0.1:<port>. */
  readonly env: NodeJS.ProcessEnv;
  /** Host folder of the simulated file systems (the device's `/` is adbd.fs). */
  readonly root: string;
  dispose(): Promise<void>;
}

export interface RealAdbDeviceOptions extends Omit<AdbdOptions, 'root' | 'props'> {
  props?: Readonly<Record<string, string>>;
  adb?: string;
}

/**
 * A simulated device behind the real adb: starts adbd, a private adb server, `adb connect`s them and waits until
 * `adb devices` lists the device as `device`. dispose() kills that server and closes adbd.
 */
export async function startRealAdbDevice(
  props: Readonly<Record<string, string>>,
  options: RealAdbDeviceOptions = {},
): Promise<RealAdbDevice> {
  const root = mkdtempSync(join(tmpdir(), 'bert-parity-adbd-'));
  const adbd = await startAdbd({ ...options, root, props: options.props ?? props });
  let server: AdbServer | undefined;
  try {
    server = await startAdbServer(options.adb);
    const connected = await server.run(['connect', adbd.serial]);
    if (!/connected to/.test(connected.stdout)) throw new Error(`adb connect ${adbd.serial}: ${connected.stdout}`);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { stdout } = await server.run(['devices']);
      if (stdout.split('\n').some((l) => l.trim() === `${adbd.serial}\tdevice`)) break;
      if (Date.now() > deadline) throw new Error(`adb devices does not list ${adbd.serial} as device:\n${stdout}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await server?.dispose();
    await adbd.close();
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  const s = server;
  return {
    adbd,
    server: s,
    env: { ...s.env, ADB_SERIAL: adbd.serial },
    root,
    dispose: async () => {
      await s.dispose();
      await adbd.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
