import type { ModelFormat, ModelPrecision } from '@bert-parity/core';
import { ParityError } from '@bert-parity/core';
import type { AnyFixtures, FamilyName } from '@bert-parity/fixtures';

/**
 * The embedded fixtures by id. A fixture family's files are named by their path in its fixture folder with
 * the extension dropped and "/" as "-", behind the family's prefix (none for BERT, "mobilebert-" for
 * MobileBERT): onnx/int8.onnx → onnx-int8 / mobilebert-onnx-int8, tfjs/uint8/model.json → tfjs-uint8,
 * tflite/custom-op.tflite → tflite-custom-op. The Hugging Face folder made from a family's ONNX files (for
 * transformers.js) is hf-float32, hf-float16, hf-int8 (mobilebert-hf-...): one folder, three onnx/ files.
 * The files torch.onnx.export writes from the same weights (@bert-parity/torch-export, needs python3-torch)
 * are onnx-torch-<family>-opset14-float32, onnx-torch-<family>-opset17-float32 and hf-torch-<family>-float32
 * (a Hugging Face folder holding the opset 14 file). Each family's folder is built (or taken from the cache)
 * once per process, only when a config asks for one of its files.
 */
export const FAMILY_PREFIXES: Readonly<Record<FamilyName, string>> = { bert: '', mobilebert: 'mobilebert-' };

const HF_PRECISIONS = ['float32', 'float16', 'int8'] as const;
const TORCH_ID = /^(onnx|hf)-torch-(bert|mobilebert)(?:-opset(\d+))?-float32$/;

const cached = new Map<FamilyName, Promise<AnyFixtures>>();

/** The default fixture folder of a family (tiny BERT, tiny MobileBERT). */
export function loadFamilyFixtures(family: FamilyName): Promise<AnyFixtures> {
  let p = cached.get(family);
  if (p === undefined) {
    p = import('@bert-parity/fixtures').then((m) => m.buildFamily(m.FAMILIES[family] as never) as Promise<AnyFixtures>);
    cached.set(family, p);
  }
  return p;
}

/** The default tiny BERT fixtures. */
export function loadFixtures(): Promise<AnyFixtures> {
  return loadFamilyFixtures('bert');
}

/** Id of a file of a fixture folder, from its path relative to the folder. */
export function idOfRelativePath(rel: string, family: FamilyName = 'bert'): string {
  return (
    FAMILY_PREFIXES[family] +
    rel
      .replaceAll('\\', '/')
      .replace(/\/model\.json$/, '')
      .replace(/\.(onnx|tflite)$/, '')
      .replaceAll('/', '-')
  );
}

/** Where a variant's fixture came from: the float64 reference of `float64-fixture` is this folder's. */
export interface FixtureSource {
  readonly family: FamilyName;
  /** The default folder of the family (undefined), or a folder a file variant lies in. */
  readonly dir?: string;
  load(): Promise<AnyFixtures>;
}

/** A fixture as a variant needs it: where it is, for a Hugging Face folder which onnx/ file, and its source. */
export interface FoundFixture {
  format: ModelFormat;
  precision: ModelPrecision;
  path: string;
  onnxFile?: string;
  source: FixtureSource;
  /** Why the file cannot be made here (its generator's tool is missing); its cells report it. */
  error?: ParityError;
}

const familySource = (family: FamilyName): FixtureSource => ({ family, load: () => loadFamilyFixtures(family) });

/** Every fixture id, in catalog order: each family's files and Hugging Face folder, then the torch files. */
export async function fixtureIds(): Promise<string[]> {
  const { FAMILIES, FAMILY_NAMES } = await import('@bert-parity/fixtures');
  const ids: string[] = [];
  for (const name of FAMILY_NAMES) {
    const family = FAMILIES[name];
    const specs = family.specs(family.resolve({}) as never);
    ids.push(...specs.map((s) => idOfRelativePath(s.relativePath, name)));
    ids.push(...HF_PRECISIONS.map((p) => `${FAMILY_PREFIXES[name]}hf-${p}`));
  }
  const { TORCH_OPSETS } = await import('@bert-parity/torch-export');
  for (const name of FAMILY_NAMES) {
    ids.push(...TORCH_OPSETS.map((opset) => `onnx-torch-${name}-opset${opset}-float32`), `hf-torch-${name}-float32`);
  }
  return ids;
}

async function torchFixture(id: string): Promise<FoundFixture | undefined> {
  const m = TORCH_ID.exec(id);
  if (m === null) return undefined;
  const [, kind, familyName, opsetText] = m as unknown as [string, 'onnx' | 'hf', FamilyName, string | undefined];
  const { TORCH_OPSETS, buildTorchExports } = await import('@bert-parity/torch-export');
  const opset = Number(opsetText) as (typeof TORCH_OPSETS)[number];
  if ((kind === 'onnx') !== (opsetText !== undefined) || (kind === 'onnx' && !TORCH_OPSETS.includes(opset))) {
    return undefined;
  }
  const source = familySource(familyName);
  const format: ModelFormat = kind === 'onnx' ? 'onnx' : 'hf-dir';
  try {
    const exports = await buildTorchExports(await source.load());
    return kind === 'onnx'
      ? { format, precision: 'float32', path: exports.onnx[opset], source }
      : { format, precision: 'float32', path: exports.hfDir, onnxFile: 'model.onnx', source };
  } catch (e) {
    // The generator's tool may be missing here (or the generator failed): the variant keeps its format and
    // precision, and its cells report the reason (skipped for an optional variant when the tool is missing).
    if (e instanceof ParityError && (e.code === 'E_GENERATOR_UNAVAILABLE' || e.code === 'E_GENERATOR_RUN')) {
      return { format, precision: 'float32', path: id, source, error: e };
    }
    throw e;
  }
}

export async function findFixture(id: string, where: string): Promise<FoundFixture> {
  const torch = await torchFixture(id);
  if (torch !== undefined) return torch;
  const family: FamilyName = id.startsWith(FAMILY_PREFIXES.mobilebert) ? 'mobilebert' : 'bert';
  const fixtures = await loadFamilyFixtures(family);
  const source = familySource(family);
  const file = fixtures.files.find((f) => idOfRelativePath(f.path.slice(fixtures.dir.length + 1), family) === id);
  if (file !== undefined) return { format: file.format, precision: file.precision, path: file.path, source };
  const precision = HF_PRECISIONS.find((p) => id === `${FAMILY_PREFIXES[family]}hf-${p}`);
  if (precision !== undefined) {
    const { buildHfDir, HF_ONNX_FILES } = await import('@bert-parity/fixtures');
    return { format: 'hf-dir', precision, path: buildHfDir(fixtures), onnxFile: HF_ONNX_FILES[precision], source };
  }
  throw new ParityError(
    'E_CONFIG',
    `${where}.fixture: ${JSON.stringify(id)} is no fixture; expected one of ${(await fixtureIds()).join(', ')}`,
  );
}
