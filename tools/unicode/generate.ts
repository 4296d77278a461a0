/**
 * Generates packages/tokenizer/src/unicode/data/v<version>.ts from the @unicode/unicode-<version> data
 * packages (build-time devDependencies of this tool; the runtime never imports them).
 *
 *   pnpm --filter @bert-parity/tool-unicode generate          write every version in UNICODE_VERSIONS
 *   pnpm --filter @bert-parity/tool-unicode generate --check  exit 1 if a committed file is stale
 *
 * What is derived, and from which reference (CPython's Tools/unicode/makeunicodedata.py, in our words):
 * - General_Category for every code point; code points in no category folder would be a data error.
 * - Python-space: Bidi_Class WS, B or S, or General_Category Zs, the test CPython bakes into
 *   str.isspace. CPython only knows code points listed in UnicodeData.txt, so the set is limited to
 *   assigned code points (the Bidi_Class defaults of unassigned ranges are never WS/B/S anyway).
 * - Full case mappings as str.lower()/str.upper() apply them: an unconditional SpecialCasing.txt entry
 *   wins over the simple mapping; conditional entries (Final_Sigma, tr/az/lt) are ignored, as CPython
 *   ignores them (it hard-codes Final_Sigma in str.lower, which our caller does too).
 */
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DATA_FORMAT, encodeInt, encodeUint } from '../../packages/tokenizer/src/unicode/codec.ts';
import {
  GENERAL_CATEGORIES,
  type GeneralCategory,
  UNICODE_VERSIONS,
  type UnicodeVersion,
} from '../../packages/tokenizer/src/unicode/types.ts';

const MAX_CODE_POINT = 0x10ffff;
const CODE_POINTS = MAX_CODE_POINT + 1;
const PACKAGES_DIR = new URL('./node_modules/@unicode/', import.meta.url);
export const DATA_DIR = new URL('../../packages/tokenizer/src/unicode/data/', import.meta.url);

/** The @unicode packages name General_Category folders by the long value alias. */
const CATEGORY_FOLDERS: Readonly<Record<GeneralCategory, string>> = {
  Lu: 'Uppercase_Letter',
  Ll: 'Lowercase_Letter',
  Lt: 'Titlecase_Letter',
  Lm: 'Modifier_Letter',
  Lo: 'Other_Letter',
  Mn: 'Nonspacing_Mark',
  Mc: 'Spacing_Mark',
  Me: 'Enclosing_Mark',
  Nd: 'Decimal_Number',
  Nl: 'Letter_Number',
  No: 'Other_Number',
  Pc: 'Connector_Punctuation',
  Pd: 'Dash_Punctuation',
  Ps: 'Open_Punctuation',
  Pe: 'Close_Punctuation',
  Pi: 'Initial_Punctuation',
  Pf: 'Final_Punctuation',
  Po: 'Other_Punctuation',
  Sm: 'Math_Symbol',
  Sc: 'Currency_Symbol',
  Sk: 'Modifier_Symbol',
  So: 'Other_Symbol',
  Zs: 'Space_Separator',
  Zl: 'Line_Separator',
  Zp: 'Paragraph_Separator',
  Cc: 'Control',
  Cf: 'Format',
  Cs: 'Surrogate',
  Co: 'Private_Use',
  Cn: 'Unassigned',
};

/** Half-open code point range [begin, end). */
export interface CodePointRange {
  begin: number;
  end: number;
}

export interface UnicodeData {
  version: UnicodeVersion;
  /** npm name@version the data came from, recorded in the generated header. */
  source: string;
  /** GENERAL_CATEGORIES index per code point. */
  categories: Uint8Array;
  cased: CodePointRange[];
  caseIgnorable: CodePointRange[];
  whiteSpace: CodePointRange[];
  pythonSpace: CodePointRange[];
  /** Full mappings, only where the result differs from the character itself. */
  lower: Map<number, number[]>;
  upper: Map<number, number[]>;
}

function packageUrl(version: UnicodeVersion, path: string): URL {
  return new URL(`unicode-${version}/${path}`, PACKAGES_DIR);
}

async function importDefault(version: UnicodeVersion, path: string): Promise<unknown> {
  const url = packageUrl(version, path);
  const mod: unknown = await import(url.href);
  if (typeof mod !== 'object' || mod === null || !('default' in mod)) {
    throw new Error(`${fileURLToPath(url)}: no default export`);
  }
  return mod.default;
}

/** `<folder>/ranges.mjs` default-exports UnicodeRange objects with an exclusive `end`. */
async function loadRanges(version: UnicodeVersion, folder: string): Promise<CodePointRange[]> {
  const value = await importDefault(version, `${folder}/ranges.mjs`);
  if (!Array.isArray(value)) throw new Error(`@unicode/unicode-${version} ${folder}: ranges is not an array`);
  return value.map((r: unknown) => {
    if (typeof r !== 'object' || r === null || !('begin' in r) || !('end' in r)) {
      throw new Error(`@unicode/unicode-${version} ${folder}: unexpected range ${String(r)}`);
    }
    const { begin, end } = r;
    if (typeof begin !== 'number' || typeof end !== 'number' || begin < 0 || end <= begin || end > CODE_POINTS) {
      throw new Error(`@unicode/unicode-${version} ${folder}: bad range ${String(begin)}..${String(end)}`);
    }
    return { begin, end };
  });
}

/**
 * `<folder>/code-points.mjs` default-exports a Map from code point to code point(s). Up to 2.0.x the
 * values of Simple_Case_Mapping are numbers and those of Special_Casing arrays; 2.1 uses a new decoder
 * with the same shapes. Normalise to arrays.
 */
async function loadMapping(version: UnicodeVersion, folder: string): Promise<Map<number, number[]>> {
  const value = await importDefault(version, `${folder}/code-points.mjs`);
  if (!(value instanceof Map)) throw new Error(`@unicode/unicode-${version} ${folder}: not a Map`);
  const out = new Map<number, number[]>();
  for (const [key, target] of value as Map<unknown, unknown>) {
    const targets = typeof target === 'number' ? [target] : target;
    if (
      typeof key !== 'number' ||
      !Array.isArray(targets) ||
      !targets.every((t): t is number => Number.isInteger(t) && t >= 0 && t <= MAX_CODE_POINT)
    ) {
      throw new Error(`@unicode/unicode-${version} ${folder}: bad entry ${String(key)} → ${String(target)}`);
    }
    out.set(key, targets);
  }
  return out;
}

function rangesToMask(mask: Uint8Array, ranges: readonly CodePointRange[]): void {
  for (const { begin, end } of ranges) mask.fill(1, begin, end);
}

function maskToRanges(mask: Uint8Array): CodePointRange[] {
  const ranges: CodePointRange[] = [];
  let begin = -1;
  for (let cp = 0; cp <= CODE_POINTS; cp++) {
    const on = cp < CODE_POINTS && mask[cp] === 1;
    if (on && begin < 0) begin = cp;
    else if (!on && begin >= 0) {
      ranges.push({ begin, end: cp });
      begin = -1;
    }
  }
  return ranges;
}

/** Special casing wins where it has an entry (even an identity one, e.g. ß lowercase); identities are dropped. */
function fullMapping(simple: Map<number, number[]>, special: Map<number, number[]>): Map<number, number[]> {
  const keys = [...new Set([...simple.keys(), ...special.keys()])].sort((a, b) => a - b);
  const out = new Map<number, number[]>();
  for (const cp of keys) {
    const target = special.get(cp) ?? simple.get(cp) ?? [cp];
    if (target.length !== 1 || target[0] !== cp) out.set(cp, target);
  }
  return out;
}

export function packageSource(version: UnicodeVersion): string {
  const json: unknown = JSON.parse(readFileSync(packageUrl(version, 'package.json'), 'utf8'));
  if (typeof json !== 'object' || json === null || !('name' in json) || !('version' in json)) {
    throw new Error(`@unicode/unicode-${version}: package.json lacks name or version`);
  }
  return `${String(json.name)}@${String(json.version)}`;
}

export async function loadUnicodeData(version: UnicodeVersion): Promise<UnicodeData> {
  const unset = 255;
  const categories = new Uint8Array(CODE_POINTS).fill(unset);
  for (const [index, gc] of GENERAL_CATEGORIES.entries()) {
    for (const { begin, end } of await loadRanges(version, `General_Category/${CATEGORY_FOLDERS[gc]}`)) {
      for (let cp = begin; cp < end; cp++) {
        if (categories[cp] !== unset) {
          throw new Error(`@unicode/unicode-${version}: U+${hex(cp)} is in two General_Category folders`);
        }
        categories[cp] = index;
      }
    }
  }
  const missing = categories.indexOf(unset);
  if (missing >= 0) throw new Error(`@unicode/unicode-${version}: U+${hex(missing)} has no General_Category`);

  const cn = GENERAL_CATEGORIES.indexOf('Cn');
  const zs = GENERAL_CATEGORIES.indexOf('Zs');
  const space = new Uint8Array(CODE_POINTS);
  for (const bidi of ['White_Space', 'Paragraph_Separator', 'Segment_Separator']) {
    rangesToMask(space, await loadRanges(version, `Bidi_Class/${bidi}`));
  }
  for (let cp = 0; cp < CODE_POINTS; cp++) {
    if (categories[cp] === zs) space[cp] = 1;
    else if (categories[cp] === cn) space[cp] = 0;
  }

  return {
    version,
    source: packageSource(version),
    categories,
    cased: await loadRanges(version, 'Binary_Property/Cased'),
    caseIgnorable: await loadRanges(version, 'Binary_Property/Case_Ignorable'),
    whiteSpace: await loadRanges(version, 'Binary_Property/White_Space'),
    pythonSpace: maskToRanges(space),
    lower: fullMapping(
      await loadMapping(version, 'Simple_Case_Mapping/Lowercase'),
      await loadMapping(version, 'Special_Casing/Lowercase'),
    ),
    upper: fullMapping(
      await loadMapping(version, 'Simple_Case_Mapping/Uppercase'),
      await loadMapping(version, 'Special_Casing/Uppercase'),
    ),
  };
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

/** Runs over all code points, each one value: (run length - 1) * 30 + category index. */
export function encodeCategories(categories: Uint8Array): string {
  const n = GENERAL_CATEGORIES.length;
  let out = '';
  for (let begin = 0; begin < categories.length; ) {
    const gc = categories[begin] ?? 0;
    let end = begin + 1;
    while (end < categories.length && categories[end] === gc) end++;
    out += encodeUint((end - begin - 1) * n + gc);
    begin = end;
  }
  return out;
}

/** Pairs (gap since the previous range's end, length). */
export function encodeRanges(ranges: readonly CodePointRange[]): string {
  let out = '';
  let previousEnd = 0;
  for (const { begin, end } of ranges) {
    out += encodeUint(begin - previousEnd) + encodeUint(end - begin);
    previousEnd = end;
  }
  return out;
}

/**
 * Records in code point order, each starting with (gap since the previous record's last code point + 1, n):
 * - n ≥ 1: n one-to-one entries cp, cp+stride, … each mapping to itself + delta; then delta (signed) and,
 *   when n ≥ 2, the stride. Case pairs such as A→a or Ā→ā, ă… collapse into one record.
 * - n = 0: one entry mapping to k code points: k, then each code point as a signed delta from the
 *   previous one (the first from the source code point).
 */
export function encodeMapping(mapping: ReadonlyMap<number, readonly number[]>): string {
  const entries = [...mapping].sort((a, b) => a[0] - b[0]);
  let out = '';
  let next = 0;
  for (let i = 0; i < entries.length; ) {
    const [cp, targets] = entries[i] as [number, readonly number[]];
    const target = targets[0];
    if (targets.length !== 1 || target === undefined) {
      out += encodeUint(cp - next) + encodeUint(0) + encodeUint(targets.length);
      let previous = cp;
      for (const t of targets) {
        out += encodeInt(t - previous);
        previous = t;
      }
      next = cp + 1;
      i++;
      continue;
    }
    const delta = target - cp;
    // Extend greedily while the following entries are one-to-one with the same delta and spacing.
    let count = 1;
    let stride = 0;
    for (let j = i + 1; j < entries.length; j++) {
      const [nextCp, nextTargets] = entries[j] as [number, readonly number[]];
      if (nextTargets.length !== 1 || nextTargets[0] !== nextCp + delta) break;
      const gap = nextCp - (cp + (count - 1) * stride);
      if (count === 1) stride = gap;
      else if (gap !== stride) break;
      count++;
    }
    out += encodeUint(cp - next) + encodeUint(count) + encodeInt(delta);
    if (count >= 2) out += encodeUint(stride);
    next = cp + (count - 1) * stride + 1;
    i += count;
  }
  return out;
}

export function dataFileName(version: UnicodeVersion): string {
  return `v${version}.ts`;
}

/** Splits a long encoded field into lines so that diffs between regenerations stay readable. */
function stringLiteral(name: string, text: string): string {
  const width = 100;
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(`  '${text.slice(i, i + width)}',`);
  if (lines.length <= 1) return `export const ${name} = '${text}';\n`;
  return `export const ${name} = [\n${lines.join('\n')}\n].join('');\n`;
}

export function renderModule(data: UnicodeData): string {
  return [
    '// GENERATED FILE, do not edit.',
    `// Unicode ${data.version} character data from ${data.source}, encoded by tools/unicode/generate.ts`,
    '// (layout: packages/tokenizer/src/unicode/codec.ts and tables.ts).',
    '// Regenerate with: pnpm --filter @bert-parity/tool-unicode generate',
    '',
    `export const version = '${data.version}';\n`,
    `export const source = '${data.source}';\n`,
    `export const format = ${DATA_FORMAT};\n`,
    stringLiteral('categories', encodeCategories(data.categories)),
    stringLiteral('cased', encodeRanges(data.cased)),
    stringLiteral('caseIgnorable', encodeRanges(data.caseIgnorable)),
    stringLiteral('whiteSpace', encodeRanges(data.whiteSpace)),
    stringLiteral('pythonSpace', encodeRanges(data.pythonSpace)),
    stringLiteral('lower', encodeMapping(data.lower)),
    stringLiteral('upper', encodeMapping(data.upper)),
  ].join('\n');
}

export interface GeneratedModule {
  version: UnicodeVersion;
  fileName: string;
  contents: string;
}

/** The file contents for one version, in memory (the freshness test compares these with the committed files). */
export async function generateModule(version: UnicodeVersion): Promise<GeneratedModule> {
  return { version, fileName: dataFileName(version), contents: renderModule(await loadUnicodeData(version)) };
}

async function main(args: readonly string[]): Promise<number> {
  const check = args.includes('--check');
  let stale = 0;
  if (!check) mkdirSync(DATA_DIR, { recursive: true });
  for (const version of UNICODE_VERSIONS) {
    const { fileName, contents } = await generateModule(version);
    const url = new URL(fileName, DATA_DIR);
    const size = `${(Buffer.byteLength(contents) / 1024).toFixed(1)} KiB`;
    if (check) {
      let current = '';
      try {
        current = readFileSync(url, 'utf8');
      } catch {
        // A missing file is stale too.
      }
      if (current !== contents) {
        stale++;
        console.error(`stale: ${fileURLToPath(url)}`);
      }
    } else {
      writeFileSync(url, contents);
      console.log(`wrote ${fileURLToPath(url)} (${size})`);
    }
  }
  if (stale > 0) console.error('run: pnpm --filter @bert-parity/tool-unicode generate');
  return stale > 0 ? 1 : 0;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
