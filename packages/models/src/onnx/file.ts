import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ParityError } from '@bert-parity/core';
import type { OnnxModel } from './types.ts';
import { EXTERNAL_DATA_MIN_BYTES, encodeOnnxModel, externalLayout } from './writer.ts';

export interface WriteOnnxOptions {
  /**
   * Keep initializers of at least `minBytes` (default 1024, as onnx) in one data file beside the model,
   * named `location` (e.g. "model.onnx_data"), instead of inside the protobuf.
   */
  readonly externalData?: { readonly location: string; readonly minBytes?: number };
}

export interface WrittenOnnx {
  /** The files written, model first, with their sizes. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
}

const tmpBeside = (path: string) =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/**
 * Writes a model file (and its external data file) so that no reader ever sees half of one: each goes to a
 * temporary file in the same folder that is renamed into place once complete; on failure the temporary
 * files are removed and the old files, if any, stay as they were.
 */
export function writeOnnxFile(path: string, model: OnnxModel, options: WriteOnnxOptions = {}): WrittenOnnx {
  const external = options.externalData;
  const layout =
    external === undefined
      ? undefined
      : externalLayout(model, external.location, external.minBytes ?? EXTERNAL_DATA_MIN_BYTES);
  const bytes = encodeOnnxModel(model, layout);
  const dataPath = layout === undefined ? undefined : join(dirname(path), layout.location);
  const tmpModel = tmpBeside(path);
  const tmpData = dataPath === undefined ? undefined : tmpBeside(dataPath);
  try {
    mkdirSync(dirname(path), { recursive: true });
    if (layout !== undefined && tmpData !== undefined) {
      const fd = openSync(tmpData, 'w');
      try {
        for (const t of model.initializers) {
          const at = layout.placements.get(t.name);
          if (at === undefined) continue;
          let done = 0;
          while (done < t.raw.byteLength) done += writeSync(fd, t.raw, done, t.raw.byteLength - done, at.offset + done);
        }
      } finally {
        closeSync(fd);
      }
    }
    writeFileSync(tmpModel, bytes);
    if (tmpData !== undefined && dataPath !== undefined) renameSync(tmpData, dataPath);
    renameSync(tmpModel, path);
  } catch (cause) {
    rmSync(tmpModel, { force: true });
    if (tmpData !== undefined) rmSync(tmpData, { force: true });
    throw new ParityError('E_IO', `cannot write ONNX model ${path}: ${(cause as Error).message}`, { cause });
  }
  return {
    files: [
      { path, bytes: bytes.byteLength },
      ...(dataPath === undefined || layout === undefined ? [] : [{ path: dataPath, bytes: layout.bytes }]),
    ],
  };
}
