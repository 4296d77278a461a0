import type { ModelFormat, ModelPrecision } from '@bert-parity/core';
import { ParityError } from '@bert-parity/core';
import type { FixtureFile, Fixtures } from '@bert-parity/fixtures';

/**
 * The embedded fixtures by id: the file's path in the fixture folder with the extension dropped and
 * "/" as "-" (onnx/int8.onnx → onnx-int8, tfjs/uint8/model.json → tfjs-uint8, tflite/custom-op.tflite →
 * tflite-custom-op). Built (or taken from the cache) once per process, only when a config asks for one.
 * The Hugging Face folder made from the ONNX fixtures (for transformers.js) is hf-float32, hf-float16 and
 * hf-int8: one folder, three onnx/ files.
 */
let cached: Promise<Fixtures> | undefined;

export function loadFixtures(): Promise<Fixtures> {
  cached ??= import('@bert-parity/fixtures').then((m) => m.buildFixtures());
  return cached;
}

export function fixtureId(file: FixtureFile, dir: string): string {
  const rel = file.path.slice(dir.length + 1).replaceAll('\\', '/');
  return rel
    .replace(/\/model\.json$/, '')
    .replace(/\.(onnx|tflite)$/, '')
    .replaceAll('/', '-');
}

/** A fixture as a variant needs it: where it is, and for a Hugging Face folder which onnx/ file. */
export interface FoundFixture {
  format: ModelFormat;
  precision: ModelPrecision;
  path: string;
  onnxFile?: string;
}

const HF_PRECISIONS = ['float32', 'float16', 'int8'] as const;

async function hfFixture(fixtures: Fixtures, id: string): Promise<FoundFixture | undefined> {
  const precision = HF_PRECISIONS.find((p) => id === `hf-${p}`);
  if (precision === undefined) return undefined;
  const { buildHfDir, HF_ONNX_FILES } = await import('@bert-parity/fixtures');
  return { format: 'hf-dir', precision, path: buildHfDir(fixtures), onnxFile: HF_ONNX_FILES[precision] };
}

export async function findFixture(fixtures: Fixtures, id: string, where: string): Promise<FoundFixture> {
  const file = fixtures.files.find((f) => fixtureId(f, fixtures.dir) === id);
  if (file !== undefined) return { format: file.format, precision: file.precision, path: file.path };
  const hf = await hfFixture(fixtures, id);
  if (hf !== undefined) return hf;
  const ids = [...fixtures.files.map((f) => fixtureId(f, fixtures.dir)), ...HF_PRECISIONS.map((p) => `hf-${p}`)];
  throw new ParityError(
    'E_CONFIG',
    `${where}.fixture: ${JSON.stringify(id)} is no fixture; expected one of ${ids.join(', ')}`,
  );
}
