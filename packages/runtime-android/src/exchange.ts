import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
 * One request/result round trip in its own call folder (`<run folder>/<n>/` on the device, `<local>/<n>/`
 * here): write request and inputs, push, `am instrument`, pull result.json, validate it, pull the outputs.
 * The call folder is removed from the device afterwards unless `keep` is set.
 */
export async function exchange(
  device: AndroidDevice,
  call: {
    component: string;
    remoteDir: string;
    localDir: string;
    request: Omit<DeviceRequest, 'protocol' | 'inputs'>;
    inputs: readonly { port: PortRef; tensor: Tensor }[];
    keep: boolean;
  },
): Promise<Exchange> {
  const { remoteDir, localDir } = call;
  mkdirSync(localDir, { recursive: true });
  const files: string[] = [];
  const inputs = call.inputs.map((x, i) => {
    const file = `input_${i}.npy`;
    const path = join(localDir, file);
    writeFileSync(path, encodeNpy(x.tensor as NpyArray, { source: file }));
    files.push(path);
    return { file, port: x.port };
  });
  const request = makeRequest({ ...call.request, inputs });
  const requestPath = join(localDir, REQUEST_FILE);
  writeFileSync(requestPath, `${JSON.stringify(request, null, 2)}\n`);
  await device.mkdir(remoteDir);
  let cleanUp = !call.keep;
  try {
    await device.push([requestPath, ...files], remoteDir);
    await device.instrument(call.component, `${remoteDir}/${REQUEST_FILE}`);
    const resultRemote = `${remoteDir}/${RESULT_FILE}`;
    await device.pull([resultRemote], localDir, { [resultRemote]: 'result file' });
    const result = parseResult(
      readFileSync(join(localDir, RESULT_FILE), 'utf8'),
      request,
      `${RESULT_FILE} of run ${request.runId}`,
    );
    if (result.status === 'error') {
      throw deviceErrorToParity(result, `the runner on ${device.serial} (${result.device.model}, ${result.delegate})`);
    }
    const outputs: Tensor[] = [];
    if (request.mode === 'run' && result.model !== null) {
      const ports = result.model.outputs.map((spec, i) => {
        const port = request.signature === null ? String(i) : spec.name;
        return { spec, port, file: result.outputs[port] as string };
      });
      const what = Object.fromEntries(ports.map((p) => [`${remoteDir}/${p.file}`, `output ${p.port} file`]));
      await device.pull(Object.keys(what), localDir, what);
      for (const p of ports) outputs.push(readOutput(join(localDir, p.file), p.file, p.spec, request.rows));
    }
    return { result, outputs };
  } catch (e) {
    // A device that went away cannot be cleaned; do not spend another timeout on it.
    if (e instanceof ParityError && (e.code === 'E_DEVICE_DISCONNECTED' || e.code === 'E_DEVICE_TIMEOUT'))
      cleanUp = false;
    throw e;
  } finally {
    if (cleanUp) await device.remove(remoteDir).catch(() => undefined);
  }
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
