/**
 * The simulator's stand-in for the APK's instrumentation: executes one device-protocol request with
 * LiteRT.js (wasm, XNNPACK) on the host, reading and writing the same files the Kotlin runner does
 * (android/app/src/main/kotlin/.../ParityInstrumentation.kt). Started by the fake adb for
 * `am instrument`: argv is <request.json on the host> <device root on the host> <getprop JSON>.
 *
 * It answers as LiteRT.js does, which differs from the APK in two visible ways: signature ports come in the
 * file's order (TFLite's Interpreter lists them by name), and an unresolved custom op fails at the first
 * run (E_RUNTIME_OP) rather than at load (E_RUNTIME_LOAD). The APK's own code on the JVM
 * (createKotlinRunnerSimulator) behaves like the device; this runner is the quick default for the
 * failure-injection tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type DType, decodeNpy, encodeNpy, type NpyArray, type TensorSpec } from '@bert-parity/core';
import {
  type DeviceRequest,
  type DeviceResult,
  PROTOCOL,
  parseRequest,
  RESULT_FILE,
} from '@bert-parity/runtime-android';
import { packageVersion } from '@bert-parity/runtime-base';
import { type LiteRtHandle, loadLiteRtForNode } from '@bert-parity/runtime-litert';

const [requestPath = '', deviceRoot = '', propsJson = '{}'] = process.argv.slice(2);
const runDir = dirname(requestPath);
const props = JSON.parse(propsJson) as Record<string, string>;

// LiteRT.js types through runtime-litert's handle, so this package needs no direct @litertjs/core dependency.
type LiteRt = LiteRtHandle['litert'];
type LiteRtTensor = InstanceType<LiteRt['Tensor']>;
type TensorDetails = ReturnType<Awaited<ReturnType<LiteRt['loadAndCompile']>>['getInputDetails']>[number];

class RunnerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const DTYPES: Record<string, DType> = { float32: 'float32', int32: 'int32', uint8: 'uint8' };
function spec(d: TensorDetails): TensorSpec {
  const dtype = DTYPES[d.dtype];
  if (dtype === undefined) throw new RunnerError('E_RUNTIME_LOAD', `tensor ${d.name} has dtype ${d.dtype}`);
  return { name: d.name, dtype, shape: Array.from(d.shape) };
}

async function execute(request: DeviceRequest, result: DeviceResult): Promise<void> {
  if (request.delegate === 'gpu' || request.delegate === 'nnapi') {
    throw new RunnerError(
      'E_RUNTIME_UNAVAILABLE',
      `delegate ${request.delegate} is not available in the simulator (LiteRT.js wasm only); expected xnnpack or cpu`,
    );
  }
  const { litert, log } = await loadLiteRtForNode();
  const mark = log.length;
  let compiled: Awaited<ReturnType<typeof litert.loadAndCompile>>;
  try {
    compiled = await litert.loadAndCompile(readFileSync(join(deviceRoot, request.model)), { accelerator: 'wasm' });
  } catch (e) {
    throw new RunnerError(
      'E_RUNTIME_LOAD',
      `cannot load ${request.model}: ${(e as Error).message} ${log.slice(mark).join(' | ')}`.trim(),
    );
  }
  try {
    const runner = request.signature === null ? compiled : compiled.signatures[request.signature];
    if (runner === undefined) {
      const keys = Object.keys(compiled.signatures).join(', ');
      throw new RunnerError('E_RUNTIME_MAPPING', `signature ${request.signature} is not in the model; it has: ${keys}`);
    }
    const inputs = runner.getInputDetails().map(spec);
    const outputs = runner.getOutputDetails().map(spec);
    result.model = { signature: request.signature, inputs, outputs };
    if (request.mode === 'describe') return;
    const files = request.inputs.map((x) => ({ x, npy: decodeNpy(readFileSync(join(runDir, x.file)), x.file) }));
    for (const { x, npy } of files) {
      if (npy.shape[0] !== request.rows) {
        throw new RunnerError(
          'E_RUNTIME_FEED',
          `${x.file} has ${npy.shape[0]} rows; expected ${request.rows} (request.rows)`,
        );
      }
    }
    // A fixed batch of 1 runs row by row; the rows of each output are stacked back in order.
    const split = inputs.every((s) => s.shape[0] === 1) && request.rows > 1;
    const perRun = split ? request.rows : 1;
    type Data = Float32Array | Int32Array | Uint8Array;
    const stacked: { shape: number[]; parts: Data[] }[] = outputs.map(() => ({ shape: [], parts: [] }));
    const runMark = log.length;
    for (let r = 0; r < request.repeats; r++) {
      const t0 = performance.now();
      for (let row = 0; row < perRun; row++) {
        const feeds = files.map(({ npy }) => {
          const inner = npy.data.length / (npy.shape[0] as number);
          const data = split ? npy.data.slice(row * inner, (row + 1) * inner) : npy.data;
          return new litert.Tensor(data as Int32Array, split ? [1, ...npy.shape.slice(1)] : [...npy.shape]);
        });
        try {
          let got: LiteRtTensor[];
          if (request.signature === null) {
            got = await compiled.run(feeds);
          } else {
            const byName: Record<string, LiteRtTensor> = {};
            files.forEach(({ x }, i) => {
              byName[typeof x.port === 'number' ? (inputs[x.port]?.name ?? '') : x.port] = feeds[i] as LiteRtTensor;
            });
            const named = await runner.run(byName);
            got = outputs.map((s) => named[s.name] as LiteRtTensor);
          }
          // LiteRT.js reports op failures on its log, not by rejecting (see runtime-litert's node shim).
          const lines = log.slice(runMark);
          if (lines.length > 0) throw new RunnerError('E_RUNTIME_OP', lines.join(' | '));
          got.forEach((t, i) => {
            const out = stacked[i] as { shape: number[]; parts: Data[] };
            if (r === 0) {
              out.shape = Array.from(t.type.layout.dimensions);
              out.parts.push((t.toTypedArray() as Data).slice());
            }
            t.delete();
          });
        } finally {
          for (const t of feeds) t.delete();
        }
      }
      result.latencyMs.push(performance.now() - t0);
    }
    stacked.forEach((o, i) => {
      const file = `output_${i}.npy`;
      const Kind = (o.parts[0]?.constructor ?? Float32Array) as new (n: number) => Data;
      const data = new Kind(o.parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of o.parts) {
        data.set(p as Float32Array, at);
        at += p.length;
      }
      const shape = split ? [request.rows, ...o.shape.slice(1)] : o.shape;
      const array = { dtype: (outputs[i] as TensorSpec).dtype, shape, data } as NpyArray;
      writeFileSync(join(runDir, file), encodeNpy(array, { source: file }));
      result.outputs[request.signature === null ? String(i) : (outputs[i] as TensorSpec).name] = file;
    });
  } finally {
    compiled.delete();
  }
}

const result: DeviceResult = {
  protocol: PROTOCOL,
  runId: '',
  status: 'ok',
  runtime: {
    name: 'litert.js (simulator)',
    version: packageVersion('@litertjs/core', createRequire(import.meta.url).resolve('@bert-parity/runtime-litert')),
  },
  delegate: 'xnnpack',
  threads: 1,
  device: {
    manufacturer: props['ro.product.manufacturer'] ?? 'unknown',
    model: props['ro.product.model'] ?? 'unknown',
    abi: props['ro.product.cpu.abi'] ?? 'unknown',
    sdk: Number.parseInt(props['ro.build.version.sdk'] ?? '1', 10),
    release: props['ro.build.version.release'] ?? 'unknown',
  },
  model: null,
  outputs: {},
  latencyMs: [],
  errors: [],
};
const request = parseRequest(readFileSync(requestPath, 'utf8'), requestPath);
result.runId = request.runId;
result.delegate = request.delegate;
result.threads = request.threads;
try {
  await execute(request, result);
} catch (e) {
  result.status = 'error';
  result.outputs = {};
  result.latencyMs = [];
  result.errors.push({
    code: e instanceof RunnerError ? e.code : 'E_RUNTIME_RUN',
    message: (e as Error).message,
  });
}
writeFileSync(join(runDir, RESULT_FILE), `${JSON.stringify(result, null, 2)}\n`);
