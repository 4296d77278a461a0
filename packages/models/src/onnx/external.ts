import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ParityError, preview } from '@bert-parity/core';
import type onnxProto from 'onnx-proto';

/** Where an external initializer's bytes are (onnx.proto TensorProto.external_data: location, offset, length). */
export interface ExternalRef {
  /** Absolute path of the data file. */
  readonly file: string;
  /** As written in the model, relative to the model's folder. */
  readonly location: string;
  readonly offset: number;
  readonly length: number;
  /** Size of the data file. */
  readonly fileBytes: number;
}

/**
 * Resolves an external initializer: the file must be inside the model's folder, exist, and hold
 * offset + length bytes (length absent: the rest of the file). A model naming a file elsewhere could make
 * a reader open anything on the machine, so that is refused like a missing file (E_MODEL_READ).
 */
export function resolveExternal(
  modelPath: string,
  name: string,
  entries: readonly onnxProto.onnx.IStringStringEntryProto[],
): ExternalRef {
  const get = (k: string) => entries.find((e) => e.key === k)?.value ?? undefined;
  const location = get('location');
  const dir = dirname(resolve(modelPath));
  if (location === undefined || location === '') {
    throw new ParityError(
      'E_MODEL_CORRUPT',
      `ONNX file ${modelPath}: initializer ${name} is external but names no location`,
    );
  }
  const target = resolve(dir, location);
  const rel = relative(dir, target);
  if (isAbsolute(location) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ParityError(
      'E_MODEL_READ',
      `ONNX file ${modelPath}: initializer ${name} points at external data ${preview(location)}, outside the model folder ${dir}`,
    );
  }
  if (!existsSync(target)) {
    throw new ParityError(
      'E_MODEL_READ',
      `ONNX file ${modelPath}: external data ${location} of initializer ${name} does not exist`,
    );
  }
  const size = statSync(target).size;
  const offset = Number(get('offset') ?? 0);
  const length = get('length') === undefined ? size - offset : Number(get('length'));
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new ParityError(
      'E_MODEL_READ',
      `ONNX file ${modelPath}: initializer ${name} reads bytes ${get('offset') ?? 0}+${get('length') ?? '?'} of ${location}, which has ${size}`,
    );
  }
  return { file: target, location, offset, length, fileBytes: size };
}

/** Reads one external initializer's bytes (positioned reads: data files may be larger than one Buffer). */
export function readExternal(ref: ExternalRef): Uint8Array {
  const out = new Uint8Array(ref.length);
  let fd: number | undefined;
  try {
    fd = openSync(ref.file, 'r');
    let done = 0;
    while (done < ref.length) {
      const n = readSync(fd, out, done, Math.min(ref.length - done, 1 << 30), ref.offset + done);
      if (n === 0) throw new Error(`unexpected end of file at byte ${ref.offset + done}`);
      done += n;
    }
  } catch (cause) {
    throw new ParityError('E_MODEL_READ', `cannot read external data ${ref.file}: ${(cause as Error).message}`, {
      cause,
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return out;
}
