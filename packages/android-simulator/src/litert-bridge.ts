/**
 * LiteRT.js behind the host double of TFLite's Java API (android/host/java/org/tensorflow/lite/): the Java
 * Interpreter double starts one bridge per model and talks JSON lines over stdin/stdout (stderr is
 * diagnostic only). argv: <model path on the host>, or --version.
 *
 * First line out: the model as TFLite sees it, {"ok":true,"version","inputs","outputs","signatureKeys",
 * "signatures"}, or {"ok":false,"error","stage"} and a non-zero exit. `stage` tells the Java side which
 * step of the real Interpreter constructor would have failed: model (the file is not a TFLite model),
 * interpreter (an op the runtime cannot resolve), allocate (an unresolved custom op: real TFLite builds the
 * interpreter and fails when it allocates tensors in the constructor; LiteRT.js only fails at the first
 * run, so the bridge finds those ops in the file up front).
 *
 * Then one request per line: {"op":"run","signature":<key>|null,"inputs":[{"name":<signature input
 * name>|<input index>,"dtype","shape","data":<base64 little-endian>}]} answers {"ok":true,"outputs":[{"name"
 * (signature runs) or "index" (primary subgraph runs),"dtype","shape","data"}]} or {"ok":false,"error"}.
 * EOF on stdin ends the bridge with exit 0.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { readTfliteFile, type TfliteFile } from '@bert-parity/models';
import { packageVersion } from '@bert-parity/runtime-base';
import { type LiteRtHandle, loadLiteRtForNode } from '@bert-parity/runtime-litert';

type LiteRt = LiteRtHandle['litert'];
type LiteRtTensor = InstanceType<LiteRt['Tensor']>;
type Compiled = Awaited<ReturnType<LiteRt['loadAndCompile']>>;
type Runner = Compiled['signatures'][string];
type TfliteSubgraph = TfliteFile['subgraphs'][number];
type Feedable = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;

/** A tensor as the Java double describes it: TFLite's tensor name and index, dtype, current shape. */
interface TensorFact {
  name: string;
  tensorIndex: number;
  dtype: string;
  shape: number[];
  shapeSignature: number[];
  quantization: { scale: number; zeroPoint: number };
}

/** TfLiteType numbers of the schema's TensorType enum, named as the device protocol spells dtypes. */
const DTYPE_NAMES: Record<number, string> = {
  0: 'float32',
  1: 'float16',
  2: 'int32',
  3: 'uint8',
  4: 'int64',
  5: 'string',
  6: 'bool',
  7: 'int16',
  8: 'complex64',
  9: 'int8',
  10: 'float64',
  11: 'complex128',
  12: 'uint64',
  13: 'resource',
  14: 'variant',
  15: 'uint32',
  16: 'uint16',
  17: 'int4',
  18: 'bfloat16',
};
/** The dtypes a LiteRT.js Tensor carries (its DATATYPES), with their element sizes. */
const FEEDABLE: Record<string, { size: number; make: (b: ArrayBuffer) => Feedable }> = {
  float32: { size: 4, make: (b) => new Float32Array(b) as Float32Array<ArrayBuffer> },
  int32: { size: 4, make: (b) => new Int32Array(b) as Int32Array<ArrayBuffer> },
  uint8: { size: 1, make: (b) => new Uint8Array(b) },
};
const CUSTOM = 32; // BuiltinOperator.CUSTOM

class BridgeError extends Error {
  constructor(
    message: string,
    readonly stage: 'model' | 'interpreter' | 'allocate' | 'run' = 'run',
  ) {
    super(message);
  }
}

function send(message: object): void {
  // Pipes are written synchronously on POSIX, so a line is out before the process can exit.
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

// The wasm glue prints with console.log (stdout) too: keep stdout for protocol lines only.
for (const method of ['log', 'info', 'debug'] as const) {
  console[method] = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
}

/**
 * The lines LiteRT.js logged since `mark` that say something went wrong. INFO and WARNING lines are not
 * failures (the first load creates the environment and warns that no NPU accelerator registered).
 */
function problems(log: readonly string[], mark: number): string[] {
  return log
    .slice(mark)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('INFO:') && !l.startsWith('WARNING:'));
}

/** TFLite's error reporter text carries no log-level prefix; LiteRT.js's console lines do. */
function reporterText(lines: readonly string[]): string {
  return lines.map((l) => l.replace(/^ERROR: /, '')).join('\n');
}

function tensorFact(sg: TfliteSubgraph, index: number): TensorFact {
  const t = sg.tensors[index];
  if (t === undefined) throw new BridgeError(`tensor ${index} is not in subgraph ${sg.name}`, 'model');
  return {
    name: t.name,
    tensorIndex: index,
    dtype: DTYPE_NAMES[t.type] ?? `type${t.type}`,
    shape: [...t.shape],
    shapeSignature: [...(t.shapeSignature ?? t.shape)],
    // Tensor.quantizationParams(): the first (per-tensor) scale and zero point, 0 and 0 when unquantized.
    quantization: { scale: t.quantization?.scale[0] ?? 0, zeroPoint: t.quantization?.zeroPoint[0] ?? 0 },
  };
}

/** The first operator of the primary subgraph whose custom op no runtime here registers. */
function unresolvedCustomOp(file: TfliteFile): string | undefined {
  const sg = file.subgraphs[0];
  if (sg === undefined) return undefined;
  for (const [node, op] of sg.operators.entries()) {
    const code = file.operatorCodes[op.opcodeIndex];
    if (code?.code === CUSTOM) {
      const name = code.customCode ?? '';
      // The text TFLite's prepare step reports (LiteRT.js logs the same lines at its first run).
      return `Encountered unresolved custom op: ${name}.\nSee instructions: https://www.tensorflow.org/lite/guide/ops_custom \nNode number ${node} (${name}) failed to prepare.`;
    }
  }
  return undefined;
}

interface Model {
  litert: LiteRt;
  log: string[];
  compiled: Compiled;
  file: TfliteFile;
  /** The LiteRT.js runner of the primary subgraph and its names for the subgraph's inputs and outputs. */
  primary: { runner: Runner; inputs: (string | undefined)[]; outputs: (string | undefined)[] };
}

async function load(path: string): Promise<{ model: Model; describe: object }> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new BridgeError(`Could not open '${path}': ${(e as Error).message}`, 'model');
  }
  const { litert, log } = await loadLiteRtForNode();
  const mark = log.length;
  let compiled: Compiled;
  try {
    compiled = await litert.loadAndCompile(bytes, { accelerator: 'wasm' });
  } catch (e) {
    const lines = problems(log, mark);
    let parses = true;
    try {
      readTfliteFile(bytes, path);
    } catch {
      parses = false;
    }
    // A file that does not parse fails where TFLite builds the model; one that does, where it resolves ops.
    throw new BridgeError(
      lines.length > 0 ? reporterText(lines) : (e as Error).message,
      parses ? 'interpreter' : 'model',
    );
  }
  try {
    const file = readTfliteFile(bytes, path);
    const custom = unresolvedCustomOp(file);
    if (custom !== undefined) throw new BridgeError(custom, 'allocate');
    const sg = file.subgraphs[0];
    if (sg === undefined) throw new BridgeError('the model has no subgraph', 'model');
    // LiteRT.js runs a model with SignatureDefs through them (its default is the first signature) and one
    // without through a placeholder signature named by the tensors: map the subgraph's ports onto it.
    const sig0 = file.signatures.find((s) => s.subgraphIndex === 0);
    const runner = sig0 === undefined ? compiled : (compiled.signatures[sig0.key] ?? compiled);
    const known = (details: readonly { name: string }[]) => new Set(details.map((d) => d.name));
    const inNames = known(runner.getInputDetails());
    const outNames = known(runner.getOutputDetails());
    const nameOf = (
      tensor: number,
      entries: readonly { name: string; tensor: number }[] | undefined,
      all: Set<string>,
    ) => {
      const name = entries === undefined ? sg.tensors[tensor]?.name : entries.find((e) => e.tensor === tensor)?.name;
      return name !== undefined && all.has(name) ? name : undefined;
    };
    const primary = {
      runner,
      inputs: sg.inputs.map((t) => nameOf(t, sig0?.inputs, inNames)),
      outputs: sg.outputs.map((t) => nameOf(t, sig0?.outputs, outNames)),
    };
    const signatures: Record<string, object> = {};
    for (const s of file.signatures) {
      const ssg = file.subgraphs[s.subgraphIndex] as TfliteSubgraph;
      // A signature port: its SignatureDef name, and the tensor behind it by name and index.
      const port = (e: { name: string; tensor: number }) => {
        const { name, ...fact } = tensorFact(ssg, e.tensor);
        return { name: e.name, tensor: name, ...fact };
      };
      signatures[s.key] = { subgraph: s.subgraphIndex, inputs: s.inputs.map(port), outputs: s.outputs.map(port) };
    }
    const describe = {
      ok: true,
      version: packageVersion('@litertjs/core', createRequire(import.meta.url).resolve('@bert-parity/runtime-litert')),
      inputs: sg.inputs.map((t) => tensorFact(sg, t)),
      outputs: sg.outputs.map((t) => tensorFact(sg, t)),
      // JSON objects reorder integer-like keys; this keeps the file's order of SignatureDefs.
      signatureKeys: file.signatures.map((s) => s.key),
      signatures,
    };
    return { model: { litert, log, compiled, file, primary }, describe };
  } catch (e) {
    compiled.delete();
    throw e instanceof BridgeError ? e : new BridgeError((e as Error).message, 'model');
  }
}

interface Feed {
  name?: unknown;
  index?: unknown;
  dtype?: unknown;
  shape?: unknown;
  data?: unknown;
}

function tensorFrom(litert: LiteRt, feed: Feed, where: string): LiteRtTensor {
  const kind = typeof feed.dtype === 'string' ? FEEDABLE[feed.dtype] : undefined;
  if (kind === undefined) {
    throw new BridgeError(`${where}: dtype ${String(feed.dtype)} cannot be fed to LiteRT.js (float32, int32, uint8)`);
  }
  if (!Array.isArray(feed.shape) || !feed.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new BridgeError(`${where}: shape must be an array of non-negative integers`);
  }
  if (typeof feed.data !== 'string') throw new BridgeError(`${where}: data must be a base64 string`);
  const bytes = Buffer.from(feed.data, 'base64');
  const want = (feed.shape as number[]).reduce((n, d) => n * d, 1) * kind.size;
  if (bytes.byteLength !== want) {
    throw new BridgeError(
      `${where}: shape ${JSON.stringify(feed.shape)} needs ${want} bytes, data has ${bytes.byteLength}`,
    );
  }
  // A copy into a fresh ArrayBuffer is aligned for the typed array; the host is little-endian like the data.
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return new litert.Tensor(kind.make(copy), [...(feed.shape as number[])]);
}

function encode(t: LiteRtTensor, dtype: string): { dtype: string; shape: number[]; data: string } {
  const a = t.toTypedArray() as Float32Array | Int32Array | Uint8Array;
  return {
    dtype,
    shape: Array.from(t.type.layout.dimensions),
    data: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'),
  };
}

async function run(model: Model, request: Record<string, unknown>): Promise<object> {
  const { litert, log, compiled, primary } = model;
  const signature = request.signature ?? null;
  if (signature !== null && typeof signature !== 'string') throw new BridgeError('signature must be a string or null');
  if (!Array.isArray(request.inputs)) throw new BridgeError('inputs must be an array');
  let runner: Runner;
  let inputName: (feed: Feed, i: number) => string;
  if (signature === null) {
    runner = primary.runner;
    inputName = (feed, i) => {
      const index = typeof feed.name === 'number' ? feed.name : feed.index;
      if (typeof index !== 'number' || !Number.isInteger(index))
        throw new BridgeError(`inputs[${i}]: an input index is required`);
      if (index < 0 || index >= primary.inputs.length) throw new BridgeError(`Invalid input Tensor index: ${index}`);
      const name = primary.inputs[index];
      if (name === undefined) throw new BridgeError(`input ${index} of the primary subgraph has no LiteRT.js port`);
      return name;
    };
  } else {
    const r = compiled.signatures[signature];
    if (r === undefined || !model.file.signatures.some((s) => s.key === signature)) {
      throw new BridgeError(`Input error: Signature ${signature} not found.`);
    }
    runner = r;
    const names = new Set(r.getInputDetails().map((d) => d.name));
    inputName = (feed, i) => {
      if (typeof feed.name !== 'string') throw new BridgeError(`inputs[${i}]: a signature input name is required`);
      if (!names.has(feed.name)) throw new BridgeError(`Input error: input ${feed.name} not found.`);
      return feed.name;
    };
  }
  const feeds: Record<string, LiteRtTensor> = {};
  let got: Record<string, LiteRtTensor> = {};
  try {
    (request.inputs as Feed[]).forEach((feed, i) => {
      if (feed === null || typeof feed !== 'object') throw new BridgeError(`inputs[${i}] must be an object`);
      const name = inputName(feed, i);
      if (feeds[name] !== undefined) throw new BridgeError(`inputs[${i}]: input ${name} is given twice`);
      feeds[name] = tensorFrom(litert, feed, `inputs[${i}] (${name})`);
    });
    const mark = log.length;
    got = await runner.run(feeds);
    // LiteRT.js reports op failures on its log, not by rejecting (see runtime-litert's node shim).
    const lines = problems(log, mark);
    if (lines.length > 0) throw new BridgeError(reporterText(lines));
    const dtypes = new Map(runner.getOutputDetails().map((d) => [d.name, d.dtype as string]));
    const outputs =
      signature === null
        ? primary.outputs.map((name, index) => {
            const t = name === undefined ? undefined : got[name];
            if (t === undefined) throw new BridgeError(`output ${index} of the primary subgraph was not produced`);
            return { index, ...encode(t, dtypes.get(name as string) ?? '') };
          })
        : runner.getOutputDetails().map((d) => {
            const t = got[d.name];
            if (t === undefined) throw new BridgeError(`output ${d.name} was not produced`);
            return { name: d.name, ...encode(t, d.dtype) };
          });
    return { ok: true, outputs };
  } finally {
    // Every tensor lives in wasm memory until deleted: inputs and outputs go after each run.
    for (const t of [...Object.values(feeds), ...Object.values(got)]) t.delete();
  }
}

async function serve(model: Model): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch (e) {
      send({ ok: false, error: `malformed request (not JSON): ${(e as Error).message}` });
      continue;
    }
    try {
      if (request === null || typeof request !== 'object' || Array.isArray(request)) {
        throw new BridgeError('malformed request: expected a JSON object');
      }
      const op = (request as { op?: unknown }).op;
      if (op !== 'run') throw new BridgeError(`malformed request: unknown op ${JSON.stringify(op)}; expected "run"`);
      send(await run(model, request as Record<string, unknown>));
    } catch (e) {
      send({ ok: false, error: (e as Error).message });
    }
  }
  model.compiled.delete();
}

const [arg] = process.argv.slice(2);
if (arg === undefined || arg === '') {
  send({ ok: false, error: 'usage: litert-bridge <model.tflite> | --version', stage: 'model' });
  process.exitCode = 2;
} else if (arg === '--version') {
  send({
    ok: true,
    version: packageVersion('@litertjs/core', createRequire(import.meta.url).resolve('@bert-parity/runtime-litert')),
  });
} else {
  let loaded: Awaited<ReturnType<typeof load>> | undefined;
  try {
    loaded = await load(arg);
  } catch (e) {
    send({ ok: false, error: (e as Error).message, stage: e instanceof BridgeError ? e.stage : 'model' });
    process.exitCode = 1;
  }
  if (loaded !== undefined) {
    send(loaded.describe);
    await serve(loaded.model);
  }
}
