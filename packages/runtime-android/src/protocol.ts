import { type DType, ERROR_CODES, type ErrorCode, ParityError, type TensorSpec } from '@bert-parity/core';

/**
 * The device protocol (docs/device-protocol.md): the host writes request.json and the inputs as .npy
 * files into a run folder on the device, the runner writes result.json and the outputs beside them.
 * Version 1. Everything the runner writes is validated strictly: an unknown key, a wrong type or a file
 * name that leaves the run folder is a protocol error, never guessed at.
 */
export const PROTOCOL = 'bert-parity/device@1';
export const REQUEST_FILE = 'request.json';
export const RESULT_FILE = 'result.json';

export const DELEGATES = ['xnnpack', 'cpu', 'gpu', 'nnapi'] as const;
export type Delegate = (typeof DELEGATES)[number];

const DTYPES: readonly DType[] = ['float32', 'float16', 'float64', 'int8', 'uint8', 'int32', 'int64', 'bool'];

/** A signature input/output name, or (model without SignatureDef) the tensor's position. */
export type PortRef = string | number;

export interface DeviceRequest {
  protocol: typeof PROTOCOL;
  runId: string;
  /** describe: load the model and report its ports; run: also run the inputs. */
  mode: 'describe' | 'run';
  /** Absolute path of the model on the device. */
  model: string;
  /** SignatureDef key; null binds by tensor position (models without signatures). */
  signature: string | null;
  delegate: Delegate;
  threads: number;
  /** Timed runs on the same inputs; the outputs are those of the first. */
  repeats: number;
  /**
   * Rows in each input file (dimension 0). A model with a fixed batch of 1 runs them one at a time and the
   * outputs are stacked back along dimension 0, so a batch costs one round trip, not one per row.
   */
  rows: number;
  /** Input .npy files (names inside the run folder) → the port they feed. */
  inputs: { file: string; port: PortRef }[];
}

export interface DeviceError {
  code: string;
  message: string;
}

export interface DeviceResult {
  protocol: typeof PROTOCOL;
  runId: string;
  status: 'ok' | 'error';
  runtime: { name: string; version: string };
  delegate: Delegate;
  threads: number;
  device: { manufacturer: string; model: string; abi: string; sdk: number; release: string };
  /** The ports as the device's interpreter reports them (null while loading failed). */
  model: { signature: string | null; inputs: TensorSpec[]; outputs: TensorSpec[] } | null;
  /** Output port (name, or position as a decimal string) → .npy file in the run folder; run mode only. */
  outputs: Record<string, string>;
  /** Wall time of each repeat (all rows), in ms; run mode only. */
  latencyMs: number[];
  errors: DeviceError[];
}

/** A plain file name inside the run folder: no folders, no "..", ends in .npy. */
export const NPY_FILE = /^[A-Za-z0-9_.-]{1,120}\.npy$/;
const RUN_ID = /^[A-Za-z0-9_.-]{1,120}$/;

class Checker {
  constructor(private readonly source: string) {}

  fail(path: string, value: unknown, expected: string): never {
    const shown = JSON.stringify(value)?.slice(0, 200) ?? String(value);
    throw new ParityError('E_DEVICE_PROTOCOL', `${this.source}: ${path} is ${shown}; expected ${expected}`, {
      details: { source: this.source, path, value },
    });
  }

  object(path: string, v: unknown, keys: readonly string[]): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, v, 'an object');
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!keys.includes(k)) this.fail(`${path}.${k}`, o[k], `no such key (known: ${keys.join(', ')})`);
    for (const k of keys) if (!(k in o)) this.fail(`${path}.${k}`, undefined, 'a value (the key is required)');
    return o;
  }

  string(path: string, v: unknown, pattern?: RegExp): string {
    if (typeof v !== 'string' || (pattern !== undefined && !pattern.test(v)))
      this.fail(path, v, pattern === undefined ? 'a string' : `a string matching ${pattern}`);
    return v;
  }

  int(path: string, v: unknown, min: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) this.fail(path, v, `an integer >= ${min}`);
    return v;
  }

  oneOf<T extends string>(path: string, v: unknown, values: readonly T[]): T {
    if (!values.includes(v as T)) this.fail(path, v, `one of ${values.join(', ')}`);
    return v as T;
  }

  array(path: string, v: unknown): unknown[] {
    if (!Array.isArray(v)) this.fail(path, v, 'an array');
    return v;
  }

  spec(path: string, v: unknown): TensorSpec {
    const o = this.object(path, v, ['name', 'dtype', 'shape']);
    return {
      name: this.string(`${path}.name`, o.name),
      dtype: this.oneOf(`${path}.dtype`, o.dtype, DTYPES),
      shape: this.array(`${path}.shape`, o.shape).map((d, i) => this.int(`${path}.shape[${i}]`, d, 0)),
    };
  }
}

/** Parses and validates result.json text against the request that produced it. */
export function parseResult(text: string, request: DeviceRequest, source = RESULT_FILE): DeviceResult {
  const c: Checker = new Checker(source);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ParityError(
      'E_DEVICE_PROTOCOL',
      `${source} is not JSON (${(cause as Error).message}); starts with ${JSON.stringify(text.slice(0, 80))}`,
      { cause, details: { source } },
    );
  }
  const keys = [
    'protocol',
    'runId',
    'status',
    'runtime',
    'delegate',
    'threads',
    'device',
    'model',
    'outputs',
    'latencyMs',
    'errors',
  ];
  const o = c.object('result', raw, keys);
  if (o.protocol !== PROTOCOL)
    c.fail('result.protocol', o.protocol, `"${PROTOCOL}" (the host and runner speak different protocol versions)`);
  if (o.runId !== request.runId) c.fail('result.runId', o.runId, `"${request.runId}", the request's run id`);
  const status = c.oneOf('result.status', o.status, ['ok', 'error'] as const);
  const rt = c.object('result.runtime', o.runtime, ['name', 'version']);
  const dev = c.object('result.device', o.device, ['manufacturer', 'model', 'abi', 'sdk', 'release']);
  const errors = c.array('result.errors', o.errors).map((e, i) => {
    const eo = c.object(`result.errors[${i}]`, e, ['code', 'message']);
    return {
      code: c.string(`result.errors[${i}].code`, eo.code, /^E_[A-Z0-9_]+$/),
      message: c.string(`result.errors[${i}].message`, eo.message),
    };
  });
  let model: DeviceResult['model'] = null;
  if (o.model !== null) {
    const m = c.object('result.model', o.model, ['signature', 'inputs', 'outputs']);
    model = {
      signature: m.signature === null ? null : c.string('result.model.signature', m.signature),
      inputs: c.array('result.model.inputs', m.inputs).map((s, i) => c.spec(`result.model.inputs[${i}]`, s)),
      outputs: c.array('result.model.outputs', m.outputs).map((s, i) => c.spec(`result.model.outputs[${i}]`, s)),
    };
  }
  const outRaw = c.object('result.outputs', o.outputs, Object.keys((o.outputs ?? {}) as object));
  const outputs: Record<string, string> = {};
  for (const [port, file] of Object.entries(outRaw)) outputs[port] = c.string(`result.outputs.${port}`, file, NPY_FILE);
  const latencyMs = c.array('result.latencyMs', o.latencyMs).map((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      c.fail(`result.latencyMs[${i}]`, v, 'a finite number >= 0');
    return v as number;
  });
  const result: DeviceResult = {
    protocol: PROTOCOL,
    runId: request.runId,
    status,
    runtime: {
      name: c.string('result.runtime.name', rt.name),
      version: c.string('result.runtime.version', rt.version),
    },
    delegate: c.oneOf('result.delegate', o.delegate, DELEGATES),
    threads: c.int('result.threads', o.threads, 1),
    device: {
      manufacturer: c.string('result.device.manufacturer', dev.manufacturer),
      model: c.string('result.device.model', dev.model),
      abi: c.string('result.device.abi', dev.abi),
      sdk: c.int('result.device.sdk', dev.sdk, 1),
      release: c.string('result.device.release', dev.release),
    },
    model,
    outputs,
    latencyMs,
    errors,
  };
  // Cross-field rules: what an "ok" answer to this request must contain.
  if (status === 'error' && errors.length === 0)
    c.fail('result.errors', errors, 'at least one error when status is "error"');
  if (status === 'ok') {
    if (errors.length > 0) c.fail('result.errors', errors, 'no errors when status is "ok"');
    if (model === null) c.fail('result.model', null, 'the model ports when status is "ok"');
    const ports: NonNullable<DeviceResult['model']> = model;
    if (request.mode === 'run') {
      if (latencyMs.length !== request.repeats)
        c.fail('result.latencyMs', latencyMs, `${request.repeats} timings (the request's repeats)`);
      const want = ports.outputs.map((s, i) => (request.signature === null ? String(i) : s.name));
      const have = Object.keys(outputs);
      if (want.some((p) => !have.includes(p)) || have.length !== want.length)
        c.fail('result.outputs', outputs, `one file per output port: ${want.join(', ')}`);
    }
  }
  return result;
}

/** The request, checked on the way out too (a host bug must not look like a device failure). */
export function makeRequest(r: Omit<DeviceRequest, 'protocol'>): DeviceRequest {
  const c: Checker = new Checker('request');
  c.string('request.runId', r.runId, RUN_ID);
  c.oneOf('request.delegate', r.delegate, DELEGATES);
  c.int('request.threads', r.threads, 1);
  c.int('request.repeats', r.repeats, 1);
  c.int('request.rows', r.rows, 1);
  for (const [i, x] of r.inputs.entries()) c.string(`request.inputs[${i}].file`, x.file, NPY_FILE);
  return { protocol: PROTOCOL, ...r };
}

/** Parses request.json as the runner does (the simulator's host runner uses it). */
export function parseRequest(text: string, source = REQUEST_FILE): DeviceRequest {
  const c: Checker = new Checker(source);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ParityError('E_DEVICE_PROTOCOL', `${source} is not JSON (${(cause as Error).message})`, { cause });
  }
  const o = c.object('request', raw, [
    'protocol',
    'runId',
    'mode',
    'model',
    'signature',
    'delegate',
    'threads',
    'repeats',
    'rows',
    'inputs',
  ]);
  if (o.protocol !== PROTOCOL) c.fail('request.protocol', o.protocol, `"${PROTOCOL}"`);
  return {
    protocol: PROTOCOL,
    runId: c.string('request.runId', o.runId, RUN_ID),
    mode: c.oneOf('request.mode', o.mode, ['describe', 'run'] as const),
    model: c.string('request.model', o.model, /^\//),
    signature: o.signature === null ? null : c.string('request.signature', o.signature),
    delegate: c.oneOf('request.delegate', o.delegate, DELEGATES),
    threads: c.int('request.threads', o.threads, 1),
    repeats: c.int('request.repeats', o.repeats, 1),
    rows: c.int('request.rows', o.rows, 1),
    inputs: c.array('request.inputs', o.inputs).map((x, i) => {
      const io = c.object(`request.inputs[${i}]`, x, ['file', 'port']);
      const port =
        typeof io.port === 'number'
          ? c.int(`request.inputs[${i}].port`, io.port, 0)
          : c.string(`request.inputs[${i}].port`, io.port);
      return { file: c.string(`request.inputs[${i}].file`, io.file, NPY_FILE), port };
    }),
  };
}

/**
 * Errors the runner reports keep their code when it is one of ours (a model that fails to load on the
 * phone is E_RUNTIME_LOAD there as here); anything else becomes E_DEVICE_RUNNER naming the device code.
 */
export function deviceErrorToParity(result: DeviceResult, where: string): ParityError {
  const first = result.errors[0] as DeviceError;
  const all = result.errors.map((e) => `${e.code}: ${e.message}`).join('; ');
  const known = Object.hasOwn(ERROR_CODES, first.code);
  const code: ErrorCode = known ? (first.code as ErrorCode) : 'E_DEVICE_RUNNER';
  return new ParityError(code, `${where}: ${all}`, {
    details: { device: result.device, delegate: result.delegate, runtime: result.runtime, errors: result.errors },
  });
}
