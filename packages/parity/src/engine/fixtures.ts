import { ParityError } from '@bert-parity/core';
import type { FixtureFile, Fixtures } from '@bert-parity/fixtures';

/**
 * The embedded fixtures by id: the file's path in the fixture folder with the extension dropped and
 * "/" as "-" (onnx/int8.onnx → onnx-int8, tfjs/uint8/model.json → tfjs-uint8, tflite/custom-op.tflite →
 * tflite-custom-op). Built (or taken from the cache) once per process, only when a config asks for one.
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

export function findFixture(fixtures: Fixtures, id: string, where: string): FixtureFile {
  const file = fixtures.files.find((f) => fixtureId(f, fixtures.dir) === id);
  if (file !== undefined) return file;
  const ids = fixtures.files.map((f) => fixtureId(f, fixtures.dir));
  throw new ParityError(
    'E_CONFIG',
    `${where}.fixture: ${JSON.stringify(id)} is no fixture; expected one of ${ids.join(', ')}`,
  );
}
