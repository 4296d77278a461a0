import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNpy, encodeNpy, type NpyArray, ParityError, type Tensor, type TensorSpec } from '@bert-parity/core';
import type { AndroidDevice } from './device.ts';
import {
  type DeviceRequest,
  type DeviceResult,
  deviceErrorToParity,
  makeRequest,
  type PortRef,
  parseResult,
  REQUEST_FILE,
  RESULT_FILE,
} from './protocol.ts';

export interface Exchange {
  result: DeviceResult;
  /** Outputs in the order of result.model.outputs (run mode only). */
  outputs: Tensor[];
}

/**
 * One request/result round trip in its own call folder (`<run folder>/<n>/` on the device): write the
 * request and inputs locally, then four adb calls — clear the previous call folder and make this one,
 * push, `am instrument`, pull the whole folder back — and validate what came back. Few calls matter:
 * each one costs a round trip to adbd.
 */
export async function exchange(
  device: AndroidDevice,
  call: {
    component: string;
    remoteDir: string;
    /** The previous call folder, removed in the same shell call (unless keep). */
    previous?: string | undefined;
    localDir: string;
    request: Omit<DeviceRequest, 'protocol' | 'inputs'>;
    inputs: readonly { port: PortRef; tensor: Tensor }[];
    keep: boolean;
  },
): Promise<Exchange> {
  const { remoteDir, localDir } = call;
  const sendDir = join(localDir, 'send');
  const gotDir = join(localDir, 'got');
  rmSync(localDir, { recursive: true, force: true });
  mkdirSync(sendDir, { recursive: true });
  const files = call.inputs.map((x, i) => {
    const file = `input_${i}.npy`;
    writeFileSync(join(sendDir, file), encodeNpy(x.tensor as NpyArray, { source: file }));
    return { file, port: x.port };
  });
  const request = makeRequest({ ...call.request, inputs: files });
  writeFileSync(join(sendDir, REQUEST_FILE), `${JSON.stringify(request, null, 2)}\n`);
  await device.makeDir(remoteDir, call.keep ? undefined : call.previous);
  await device.push(
    [REQUEST_FILE, ...files.map((f) => f.file)].map((f) => join(sendDir, f)),
    remoteDir,
  );
  await device.instrument(call.component, `${remoteDir}/${REQUEST_FILE}`);
  await device.pullDir(remoteDir, gotDir);
  const missing = (file: string, what: string) =>
    new ParityError(
      'E_DEVICE_PROTOCOL',
      `${what} ${remoteDir}/${file} is missing on device ${device.serial}; expected the runner to have written it`,
      { details: { serial: device.serial, file } },
    );
  if (!existsSync(join(gotDir, RESULT_FILE))) throw missing(RESULT_FILE, 'result file');
  const result = parseResult(
    readFileSync(join(gotDir, RESULT_FILE), 'utf8'),
    request,
    `${RESULT_FILE} of run ${request.runId}`,
  );
  if (result.status === 'error') {
    throw deviceErrorToParity(result, `the runner on ${device.serial} (${result.device.model}, ${result.delegate})`);
  }
  const outputs: Tensor[] = [];
  if (request.mode === 'run' && result.model !== null) {
    for (const [i, spec] of result.model.outputs.entries()) {
      const port = request.signature === null ? String(i) : spec.name;
      const file = result.outputs[port] as string;
      if (!existsSync(join(gotDir, file))) throw missing(file, `output ${port} file`);
      outputs.push(readOutput(join(gotDir, file), file, spec, request.rows));
    }
  }
  return { result, outputs };
}

/** Reads an output file and checks it against the described port, with dimension 0 holding `rows`. */
function readOutput(path: string, file: string, spec: TensorSpec, rows: number): Tensor {
  let npy: NpyArray;
  try {
    npy = decodeNpy(readFileSync(path), file);
  } catch (cause) {
    throw new ParityError(
      'E_DEVICE_PROTOCOL',
      `output ${spec.name} file ${file} is not a valid .npy: ${(cause as Error).message}`,
      {
        cause,
        details: { file, output: spec.name },
      },
    );
  }
  const shape = spec.shape.map((d, i) => (i === 0 && d === 1 ? rows : d));
  const want = shape.map((d) => (d === null ? '?' : d)).join(', ');
  const shapeOk = npy.shape.length === shape.length && shape.every((d, i) => d === null || d === npy.shape[i]);
  if (npy.dtype !== spec.dtype || !shapeOk) {
    throw new ParityError(
      'E_DEVICE_PROTOCOL',
      `output ${spec.name} file ${file} holds ${npy.dtype}[${npy.shape.join(', ')}]; expected ${spec.dtype}[${want}] as the device described the model`,
      { details: { file, output: spec.name, dtype: npy.dtype, shape: npy.shape } },
    );
  }
  return { dtype: npy.dtype, shape: npy.shape, data: npy.data };
}
