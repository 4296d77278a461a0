import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type ModelArtifact, ParityError } from '@bert-parity/core';
import { type HfFacts, isHfFolder, loadModelSync, type OnnxFacts, readHfFolder } from '@bert-parity/models';

/** One model init found: a file, or one onnx/ file of a Hugging Face folder. */
export interface FoundModel {
  /** What the variant names: the file, or the Hugging Face folder. */
  readonly path: string;
  readonly artifact: ModelArtifact;
  /** Hugging Face folders: the onnx/ file (model.onnx, model_fp16.onnx, ...). */
  readonly onnxFile?: string;
  /** Where its tokenizer files would be. */
  readonly folder: string;
  /** bert_parity.derived_from of a variant an earlier init derived. */
  readonly derivedFrom?: string;
}

export interface Discovery {
  readonly models: readonly FoundModel[];
  /** Folders holding models (and maybe tokenizer files), in the order found. */
  readonly folders: readonly string[];
}

/** Files a folder scan reads as models; the format is still decided by content. */
const MODEL_FILE = /\.(onnx|tflite)$/;
const MAX_DEPTH = 4;

function derivedFrom(a: ModelArtifact): string | undefined {
  return (a.metadata as { onnx?: OnnxFacts }).onnx?.metadata?.['bert_parity.derived_from'];
}

function hfModels(dir: string): FoundModel[] {
  const first = readHfFolder(dir);
  const files = (first.metadata as { hf: HfFacts }).hf.onnxVariants.map((v) => basename(v.file));
  return files.flatMap((file) => {
    const hf = file === basename((first.metadata as { hf: HfFacts }).hf.chosen) ? first : readHfFolder(dir, file);
    const onnxPath = join(dir, 'onnx', file);
    const onnx = loadModelSync(onnxPath);
    const from = derivedFrom(onnx);
    const extra = from === undefined ? {} : { derivedFrom: from };
    return [
      { path: onnxPath, artifact: onnx, folder: dir, ...extra },
      { path: dir, artifact: hf, onnxFile: file, folder: dir, ...extra },
    ];
  });
}

/**
 * Reads every model under the given paths: a file is read whatever its name (its content decides the
 * format, and a file that is no model is E_MODEL_FORMAT); a folder is a Hugging Face folder (config.json),
 * a TF.js folder (model.json), or scanned for *.onnx, *.tflite and such folders below it.
 */
export function discover(paths: readonly string[], cwd: string): Discovery {
  const models: FoundModel[] = [];
  const folders: string[] = [];
  const addFolder = (f: string) => {
    if (!folders.includes(f)) folders.push(f);
  };
  const visit = (path: string, depth: number, explicit: boolean) => {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (cause) {
      throw new ParityError(
        'E_MODEL_READ',
        `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? cause}; expected a model file or a folder of models`,
        { cause },
      );
    }
    if (!isDir) {
      const artifact = loadModelSync(path);
      const from = derivedFrom(artifact);
      models.push({ path, artifact, folder: dirname(path), ...(from === undefined ? {} : { derivedFrom: from }) });
      addFolder(dirname(path));
      return;
    }
    if (isHfFolder(path)) {
      models.push(...hfModels(path));
      addFolder(path);
      return;
    }
    if (existsSync(join(path, 'model.json'))) {
      models.push({ path, artifact: loadModelSync(path), folder: path });
      addFolder(path);
      return;
    }
    if (explicit) addFolder(path);
    if (depth >= MAX_DEPTH) return;
    for (const name of readdirSync(path).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const child = join(path, name);
      const dir = statSync(child).isDirectory();
      if (dir) visit(child, depth + 1, false);
      else if (MODEL_FILE.test(name)) visit(child, depth + 1, false);
    }
  };
  for (const p of paths) visit(resolve(cwd, p), 0, true);
  if (models.length === 0) {
    throw new ParityError(
      'E_MODEL_FORMAT',
      `no model under ${paths.join(', ')}; expected an ONNX or TFLite file, a TF.js model.json (or its folder) or a Hugging Face folder (config.json + onnx/model*.onnx)`,
    );
  }
  return { models, folders };
}
