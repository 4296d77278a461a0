import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ModelArtifact, type ModelFormat, ParityError } from '@bert-parity/core';
import { isHfFolder, readHfFolder } from './hf/reader.ts';
import { looksLikeOnnx, readOnnx } from './onnx/reader.ts';
import { PROTOBUF_MAX_BYTES, protobufLimitError } from './onnx/writer.ts';
import { looksLikeTfjs, readTfjs } from './tfjs/reader.ts';
import { tfliteArtifact } from './tflite/artifact.ts';
import { isTflite, readTfliteFile } from './tflite/reader.ts';

/** Which reader a file's bytes call for, by content (never by extension); undefined when none fits. */
export function detectFormat(bytes: Uint8Array): Exclude<ModelFormat, 'hf-dir'> | undefined {
  if (isTflite(bytes)) return 'tflite';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
  if (/^\s*\{/.test(head)) return looksLikeTfjs(new TextDecoder().decode(bytes)) ? 'tfjs-graph' : undefined;
  if (looksLikeOnnx(bytes)) return 'onnx';
  return undefined;
}

/** Reads model bytes already in memory (`path` names them in messages and locates shards/external data). */
export function readModelBytes(bytes: Uint8Array, path: string): ModelArtifact {
  const format = detectFormat(bytes);
  switch (format) {
    case 'tflite':
      return tfliteArtifact(readTfliteFile(bytes, path), bytes, path);
    case 'tfjs-graph':
      return readTfjs(path, bytes);
    case 'onnx':
      return readOnnx(bytes, path);
    default: {
      const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new ParityError(
        'E_MODEL_FORMAT',
        `${path} is not a model this tool reads (first bytes ${head || 'none: the file is empty'}); expected ONNX (ModelProto), TFLite ("TFL3" at byte 4), a TF.js model.json or a Hugging Face folder`,
      );
    }
  }
}

/**
 * Reads a model file or folder: ONNX, TFLite, TF.js (model.json, or its folder) or a Hugging Face folder
 * (config.json + onnx/model*.onnx). Failures are coded: E_MODEL_READ (cannot read), E_MODEL_FORMAT (not a
 * model), E_MODEL_CORRUPT (a model, but malformed).
 */
export function loadModelSync(path: string, options: { variant?: string } = {}): ModelArtifact {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (cause) {
    throw new ParityError(
      'E_MODEL_READ',
      `cannot read model ${path}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      { cause },
    );
  }
  if (stat.isDirectory()) {
    if (isHfFolder(path)) return readHfFolder(path, options.variant);
    const modelJson = join(path, 'model.json');
    try {
      if (statSync(modelJson).isFile()) return readModelBytes(readFileSync(modelJson), modelJson);
    } catch (error) {
      if (error instanceof ParityError) throw error;
    }
    throw new ParityError(
      'E_MODEL_FORMAT',
      `folder ${path} has neither config.json (Hugging Face) nor model.json (TF.js); expected one of them`,
    );
  }
  return readModelBytes(readModelFile(path, stat.size), path);
}

/**
 * A model file's bytes (E_MODEL_READ when missing or unreadable); files over protobuf's 2 GiB limit are
 * refused before reading (see tooLarge).
 */
export function readModelFile(path: string, size?: number): Uint8Array {
  let bytes = size;
  if (bytes === undefined) {
    try {
      bytes = statSync(path).size;
    } catch (cause) {
      throw new ParityError(
        'E_MODEL_READ',
        `cannot read model ${path}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
        { cause },
      );
    }
  }
  if (bytes > PROTOBUF_MAX_BYTES) tooLarge(path, bytes);
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new ParityError('E_MODEL_READ', `cannot read model ${path}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Files over 2 GiB - 1 bytes: protobuf cannot hold an ONNX ModelProto that large (big ONNX models keep
 * their weights in external data files), and this tool reads other model files whole.
 */
function tooLarge(path: string, size: number): never {
  const head = new Uint8Array(8);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, head.byteLength, 0);
    } finally {
      closeSync(fd);
    }
  } catch (cause) {
    throw new ParityError('E_MODEL_READ', `cannot read model ${path}: ${(cause as Error).message}`, { cause });
  }
  if (detectFormat(head) === 'onnx') {
    throw protobufLimitError(path, size);
  }
  throw new ParityError(
    'E_MODEL_READ',
    `model ${path} has ${size} bytes; this tool reads model files of at most ${PROTOBUF_MAX_BYTES} bytes`,
  );
}

export async function loadModel(path: string, options: { variant?: string } = {}): Promise<ModelArtifact> {
  return loadModelSync(path, options);
}
