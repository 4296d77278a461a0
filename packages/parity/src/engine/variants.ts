import { basename, resolve } from 'node:path';
import { type ModelArtifact, type ModelFormat, type ModelPrecision, ParityError } from '@bert-parity/core';
import { loadModelSync } from '@bert-parity/models';
import type { ParityConfig, VariantConfig } from '../config/schema.ts';
import { findFixture, loadFixtures } from './fixtures.ts';

export interface ResolvedVariant {
  name: string;
  config: VariantConfig;
  path: string;
  /** Known from the config or the fixture catalog even when the file cannot be read. */
  format: ModelFormat | undefined;
  precision: ModelPrecision | undefined;
  /** Hugging Face folders: the onnx/ file to use. */
  onnxFile?: string;
  artifact?: ModelArtifact;
  /** Why the model could not be read; every cell of this variant reports it. */
  error?: ParityError;
}

const toError = (e: unknown): ParityError =>
  e instanceof ParityError ? e : new ParityError('E_MODEL_READ', (e as Error).message, { cause: e });

/** Reads every variant's model once. A model that cannot be read becomes an error of its cells, not of the run. */
export async function resolveVariants(config: ParityConfig, baseDir: string): Promise<ResolvedVariant[]> {
  const out: ResolvedVariant[] = [];
  const names = new Set<string>();
  for (const [i, v] of config.variants.entries()) {
    const where = `variants[${i}]`;
    let resolved: ResolvedVariant;
    if ('fixture' in v) {
      const fixtures = await loadFixtures();
      const file = await findFixture(fixtures, v.fixture, where);
      resolved = {
        name: v.name ?? v.fixture,
        config: v,
        path: file.path,
        format: file.format,
        precision: file.precision,
        ...(file.onnxFile === undefined ? {} : { onnxFile: file.onnxFile }),
      };
    } else {
      const path = resolve(baseDir, v.file);
      resolved = {
        name: v.name ?? basename(path).replace(/\.[^.]+$/, ''),
        config: v,
        path,
        format: v.format,
        precision: v.precision,
        ...(v.onnxFile === undefined ? {} : { onnxFile: v.onnxFile }),
      };
    }
    if (names.has(resolved.name)) {
      throw new ParityError(
        'E_CONFIG',
        `${where}.name: ${JSON.stringify(resolved.name)} is used by an earlier variant; expected unique names`,
      );
    }
    names.add(resolved.name);
    try {
      const artifact = loadModelSync(
        resolved.path,
        resolved.onnxFile === undefined ? {} : { variant: resolved.onnxFile },
      );
      if (resolved.format !== undefined && artifact.format !== resolved.format) {
        throw new ParityError(
          'E_CONFIG',
          `${where}.format: ${resolved.format}, but ${resolved.path} is ${artifact.format}; expected the format of the file`,
        );
      }
      resolved.artifact = artifact;
      resolved.format = artifact.format;
      resolved.precision ??= artifact.precision;
    } catch (e) {
      resolved.error = toError(e);
    }
    out.push(resolved);
  }
  return out;
}
