import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildFixtures, sampleInputs } from '@bert-parity/fixtures';
import { packageVersion } from '@bert-parity/runtime-base';
import { fixtureArtifact } from '@bert-parity/runtime-base/testing';
import { loadLiteRtForNode } from '@bert-parity/runtime-litert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const fixtures = await buildFixtures();
const { config } = fixtures;
const modelPath = (variant: 'standard' | 'no-signature' | 'custom-op' | 'op-version-too-new') =>
  fixtureArtifact(fixtures, 'tflite', 'float32', variant).path;

const BRIDGE = fileURLToPath(new URL('../src/litert-bridge.ts', import.meta.url));
// Started as src/index.ts starts the host runner: node with tsx's loader, then the script.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const LITERT_VERSION = packageVersion(
  '@litertjs/core',
  createRequire(import.meta.url).resolve('@bert-parity/runtime-litert'),
);

type Reply = Record<string, unknown> & { ok: boolean };

/** One bridge process: requests in, one reply line out per request; stderr kept for failures. */
class Bridge {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private closed = false;
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(arg: string) {
    this.child = spawn(process.execPath, ['--import', TSX, BRIDGE, arg], { stdio: 'pipe' });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    const out = createInterface({ input: this.child.stdout });
    out.on('line', (line) => {
      if (this.waiting === undefined) this.lines.push(line);
      else {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      }
    });
    out.on('close', () => {
      this.closed = true;
      this.waiting?.(undefined);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The next line the bridge printed, parsed. */
  async next(): Promise<Reply> {
    const line =
      this.lines.shift() ??
      (this.closed ? undefined : await new Promise<string | undefined>((r) => (this.waiting = r)));
    if (line === undefined) throw new Error(`the bridge closed stdout; stderr: ${this.stderr}`);
    return JSON.parse(line) as Reply;
  }

  async request(message: object | string): Promise<Reply> {
    this.child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
    return this.next();
  }

  /** Closes stdin (EOF) and returns the exit code. */
  async end(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }

  kill(): void {
    this.child.kill();
  }
}

const b64 = (a: Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const one = sampleInputs(config, 1, config.staticSeqLength, 11);
const FEEDS = {
  input_ids: Int32Array.from(one.inputIds),
  attention_mask: Int32Array.from(one.attentionMask),
  token_type_ids: Int32Array.from(one.tokenTypeIds),
};
const shape = [1, config.staticSeqLength];

/** The same model and feeds run directly with LiteRT.js in this process: output bytes (base64) by name. */
async function direct(): Promise<Record<string, string>> {
  const { litert } = await loadLiteRtForNode();
  const compiled = await litert.loadAndCompile(readFileSync(modelPath('standard')), { accelerator: 'wasm' });
  const feeds = Object.fromEntries(
    Object.entries(FEEDS).map(([name, data]) => [name, new litert.Tensor(data.slice(), [...shape])]),
  );
  try {
    const out = await (compiled.signatures.serving_default ?? compiled).run(feeds);
    const bytes: Record<string, string> = {};
    for (const [name, t] of Object.entries(out)) {
      const a = t.toTypedArray() as Float32Array;
      bytes[name] = Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
      t.delete();
    }
    return bytes;
  } finally {
    for (const t of Object.values(feeds)) t.delete();
    compiled.delete();
  }
}

describe('litert-bridge: LiteRT.js behind the TFLite Java API host double', () => {
  let bridge: Bridge;
  let describeReply: Reply;

  beforeAll(async () => {
    bridge = new Bridge(modelPath('standard'));
    describeReply = await bridge.next();
  });
  afterAll(() => bridge?.kill());

  it('describes tflite-float32: the primary subgraph by tensor name and index, and its SignatureDef', () => {
    expect(describeReply).toMatchObject({ ok: true, version: LITERT_VERSION, signatureKeys: ['serving_default'] });
    const tensors = (key: 'inputs' | 'outputs') =>
      (describeReply[key] as { name: string; tensorIndex: number; dtype: string; shape: number[] }[]).map((t) => [
        t.name,
        t.dtype,
        t.shape,
      ]);
    // Real TFLite's getInputTensor(i).name() is the tensor's name, not the SignatureDef's.
    expect(tensors('inputs')).toEqual([
      ['serving_default_input_ids:0', 'int32', shape],
      ['serving_default_attention_mask:0', 'int32', shape],
      ['serving_default_token_type_ids:0', 'int32', shape],
    ]);
    expect(tensors('outputs')).toEqual([
      ['StatefulPartitionedCall:0', 'float32', [1, config.staticSeqLength, config.hiddenSize]],
      ['StatefulPartitionedCall:1', 'float32', [1, config.hiddenSize]],
      ['StatefulPartitionedCall:2', 'float32', [1, config.numLabels]],
    ]);
    const signature = (describeReply.signatures as Record<string, Record<string, unknown>>).serving_default ?? {};
    expect(signature.subgraph).toBe(0);
    const ports = (key: string) =>
      (signature[key] as { name: string; tensor: string; tensorIndex: number }[]).map((p) => [p.name, p.tensor]);
    expect(ports('inputs')).toEqual([
      ['input_ids', 'serving_default_input_ids:0'],
      ['attention_mask', 'serving_default_attention_mask:0'],
      ['token_type_ids', 'serving_default_token_type_ids:0'],
    ]);
    expect(ports('outputs')).toEqual([
      ['last_hidden_state', 'StatefulPartitionedCall:0'],
      ['pooler_output', 'StatefulPartitionedCall:1'],
      ['logits', 'StatefulPartitionedCall:2'],
    ]);
  });

  it('describes the no-signature variant: tensors only, no SignatureDef (not LiteRT.js placeholder)', async () => {
    const plain = new Bridge(modelPath('no-signature'));
    try {
      const reply = await plain.next();
      expect(reply).toMatchObject({ ok: true, signatureKeys: [], signatures: {} });
      expect((reply.inputs as { name: string }[]).map((t) => t.name)).toEqual([
        'serving_default_input_ids:0',
        'serving_default_attention_mask:0',
        'serving_default_token_type_ids:0',
      ]);
      expect(await plain.end()).toBe(0);
    } finally {
      plain.kill();
    }
  });

  it('runs by signature name and by input index, bit-identical to LiteRT.js run directly', async () => {
    const want = await direct();
    const bySignature = await bridge.request({
      op: 'run',
      signature: 'serving_default',
      inputs: Object.entries(FEEDS).map(([name, data]) => ({ name, dtype: 'int32', shape, data: b64(data) })),
    });
    expect(bySignature.ok, JSON.stringify(bySignature)).toBe(true);
    const named = bySignature.outputs as { name: string; dtype: string; shape: number[]; data: string }[];
    expect(named.map((o) => [o.name, o.dtype, o.shape])).toEqual([
      ['last_hidden_state', 'float32', [1, config.staticSeqLength, config.hiddenSize]],
      ['pooler_output', 'float32', [1, config.hiddenSize]],
      ['logits', 'float32', [1, config.numLabels]],
    ]);
    for (const o of named) expect(o.data, o.name).toBe(want[o.name]);

    // The primary subgraph by position (runForMultipleInputsOutputs); the order is the subgraph's.
    const byIndex = await bridge.request({
      op: 'run',
      signature: null,
      inputs: Object.values(FEEDS).map((data, i) => ({ name: i, dtype: 'int32', shape, data: b64(data) })),
    });
    expect(byIndex.ok, JSON.stringify(byIndex)).toBe(true);
    const indexed = byIndex.outputs as { index: number; data: string }[];
    expect(indexed.map((o) => o.index)).toEqual([0, 1, 2]);
    expect(indexed.map((o) => o.data)).toEqual(['last_hidden_state', 'pooler_output', 'logits'].map((n) => want[n]));

    // Many runs on one bridge: the same bytes each time (inputs and outputs are freed and made anew).
    for (let i = 0; i < 5; i++) {
      const again = await bridge.request({
        op: 'run',
        signature: 'serving_default',
        inputs: Object.entries(FEEDS).map(([name, data]) => ({ name, dtype: 'int32', shape, data: b64(data) })),
      });
      expect((again.outputs as { data: string }[]).map((o) => o.data)).toEqual(named.map((o) => o.data));
    }
  });

  it('answers a malformed or wrong request with ok:false and keeps serving', async () => {
    expect(await bridge.request('{"op": "run", ')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^malformed request \(not JSON\)/),
    });
    expect(await bridge.request({ op: 'describe' })).toEqual({
      ok: false,
      error: 'malformed request: unknown op "describe"; expected "run"',
    });
    expect(await bridge.request({ op: 'run', signature: 'nope', inputs: [] })).toEqual({
      ok: false,
      error: 'Input error: Signature nope not found.',
    });
    const short = await bridge.request({
      op: 'run',
      signature: 'serving_default',
      inputs: [{ name: 'input_ids', dtype: 'int32', shape, data: b64(FEEDS.input_ids.subarray(0, 10)) }],
    });
    expect(short).toEqual({
      ok: false,
      error: `inputs[0] (input_ids): shape [1,${config.staticSeqLength}] needs ${4 * config.staticSeqLength} bytes, data has 40`,
    });
    const fine = await bridge.request({
      op: 'run',
      signature: null,
      inputs: Object.values(FEEDS).map((data, i) => ({ name: i, dtype: 'int32', shape, data: b64(data) })),
    });
    expect(fine.ok).toBe(true);
  });

  it('a bad model file: ok:false with the load error (stage model) and a non-zero exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bert-parity-bridge-'));
    try {
      const bad = join(dir, 'bad.tflite');
      writeFileSync(bad, 'this is not a flatbuffer');
      const b = new Bridge(bad);
      expect(await b.next()).toEqual({ ok: false, error: 'Failed to load model from buffer', stage: 'model' });
      expect(await b.exited).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unresolved custom op: ok:false naming it (stage allocate, as TFLite fails allocating tensors)', async () => {
    const b = new Bridge(modelPath('custom-op'));
    const reply = await b.next();
    expect(reply).toMatchObject({ ok: false, stage: 'allocate' });
    expect(reply.error).toMatch(
      /^Encountered unresolved custom op: FastBertNormalize\.\n.*\nNode number 0 \(FastBertNormalize\)/,
    );
    expect(await b.exited).toBe(1);
  });

  it('an op version the runtime lacks: ok:false with the resolver error (stage interpreter)', async () => {
    const b = new Bridge(modelPath('op-version-too-new'));
    const reply = await b.next();
    expect(reply).toMatchObject({ ok: false, stage: 'interpreter' });
    expect(reply.error).toMatch(/^Didn't find op for builtin opcode 'GELU' version '99'/);
    expect(await b.exited).toBe(1);
  });

  it('--version answers the LiteRT.js version without a model', async () => {
    const b = new Bridge('--version');
    expect(await b.next()).toEqual({ ok: true, version: LITERT_VERSION });
    expect(await b.exited).toBe(0);
  });

  // Last: ends the shared bridge.
  it('EOF on stdin: exit 0', async () => {
    expect(await bridge.end()).toBe(0);
  });
});
