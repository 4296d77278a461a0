import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type ModelArtifact, type ModelFormat, type ModelPrecision, ParityError } from '@bert-parity/core';
import {
  type AnyFixtures,
  type FamilyName,
  findFixtureFolder,
  MANIFEST,
  openFixtureFolder,
} from '@bert-parity/fixtures';
import { loadModelSync } from '@bert-parity/models';
import type { ParityConfig, VariantConfig } from '../config/schema.ts';
import { type FixtureSource, findFixture } from './fixtures.ts';

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
  /**
   * The fixture folder the model came from (an embedded fixture, or a file inside a folder written by
   * pnpm fixtures:build): what reference float64-fixture computes for this variant. Absent for other files.
   */
  source?: FixtureSource;
}

const toError = (e: unknown): ParityError =>
  e instanceof ParityError ? e : new ParityError('E_MODEL_READ', (e as Error).message, { cause: e });

/** A folder written by pnpm fixtures:build: its family and config come from its manifest when first needed. */
function folderSource(dir: string): FixtureSource {
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as { family: FamilyName };
  let opened: Promise<AnyFixtures> | undefined;
  return {
    family: manifest.family,
    dir,
    load: () => {
      opened ??= Promise.resolve().then(() => openFixtureFolder(dir));
      return opened;
    },
  };
}

/** Reads every variant's model once. A model that cannot be read becomes an error of its cells, not of the run. */
export async function resolveVariants(config: ParityConfig, baseDir: string): Promise<ResolvedVariant[]> {
  const out: ResolvedVariant[] = [];
  const names = new Set<string>();
  for (const [i, v] of config.variants.entries()) {
    const where = `variants[${i}]`;
    let resolved: ResolvedVariant;
    if ('fixture' in v) {
      const file = await findFixture(v.fixture, where);
      resolved = {
        name: v.name ?? v.fixture,
        config: v,
        path: file.path,
        format: file.format,
        precision: file.precision,
        source: file.source,
        ...(file.onnxFile === undefined ? {} : { onnxFile: file.onnxFile }),
        ...(file.error === undefined ? {} : { error: file.error }),
      };
    } else {
      const path = resolve(baseDir, v.file);
      const dir = findFixtureFolder(path);
      resolved = {
        name: v.name ?? basename(path).replace(/\.[^.]+$/, ''),
        config: v,
        path,
        format: v.format,
        precision: v.precision,
        ...(v.onnxFile === undefined ? {} : { onnxFile: v.onnxFile }),
        ...(dir === undefined ? {} : { source: folderSource(dir) }),
      };
    }
    if (names.has(resolved.name)) {
      throw new ParityError(
        'E_CONFIG',
        `${where}.name: ${JSON.stringify(resolved.name)} is used by an earlier variant; expected unique names`,
      );
    }
    names.add(resolved.name);
    if (resolved.error !== undefined) {
      out.push(resolved);
      continue;
    }
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
