import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { ParityError, writeFileAtomic } from '@bert-parity/core';
import { loadModelSync } from '@bert-parity/models';
import { type DerivedPrecision, type DeriveResult, deriveOnnxFile } from '@bert-parity/onnx-derive';
import { configFromValue } from '../config/load.ts';
import type { Progress } from '../engine/progress.ts';
import { runCheck, setUpRun, updateGoldenOutputs } from '../engine/run.ts';
import { agreement } from '../engine/tokenizer-cell.ts';
import { REPO_ROOT } from '../paths.ts';
import type { ParityReport } from '../report/types.ts';
import { type BoundPrecision, type Calibration, calibrate, defaultBounds } from './bounds.ts';
import { discover } from './discover.ts';
import { matchingGoldens } from './goldens.ts';
import {
  checkEmbedding,
  chooseReference,
  derivedPath,
  planVariants,
  REFERENCE_RUNTIME,
  RUNTIMES_OF,
  referenceOutputs,
  type VariantPlan,
} from './plan.ts';
import { arr, type Commented, type CommentedObject, note, obj, plainObj, renderTs, strip } from './render.ts';
import { chooseVocab, type VocabDecision } from './vocab.ts';

export interface InitOptions {
  /** Model files and folders. */
  readonly paths: readonly string[];
  /** The config to write (.ts, .mts, .js or .json); default ./parity.config.ts. */
  readonly out?: string | undefined;
  readonly derive?: readonly DerivedPrecision[] | undefined;
  /** Variant name or file of the reference. */
  readonly reference?: string | undefined;
  /** JSON lines of {text, label?}: the inputs instead of the golden corpus. */
  readonly texts?: string | undefined;
  readonly vocab?: string | undefined;
  readonly lowercase?: boolean | undefined;
  /** Input cases (default 200 of the golden corpus; every line of --texts, up to 1000). */
  readonly count?: number | undefined;
  readonly maxSeqLength?: number | undefined;
  /** Harness input name → model input name, for inputs init cannot place by name. */
  readonly inputMap?: Readonly<Record<string, string>> | undefined;
  readonly calibrate?: boolean | undefined;
  readonly headroom?: number | undefined;
  readonly force?: boolean | undefined;
  readonly perChannel?: boolean | undefined;
  readonly reduceRange?: boolean | undefined;
  readonly cwd?: string | undefined;
  /** The command line, for the config's header. */
  readonly command?: string | undefined;
  readonly log?: ((line: string) => void) | undefined;
  readonly progress?: Progress | undefined;
}

export interface InitResult {
  readonly configPath: string;
  /** For a JSON config: where the explanations went. */
  readonly notesPath?: string;
  /** Every file and folder written, config last. */
  readonly written: readonly string[];
  readonly variants: readonly { name: string; format: string; precision: string; file: string }[];
  readonly reference: string;
  readonly derived: readonly DeriveResult[];
  readonly calibration?: Calibration;
  /** The calibration run's report. */
  readonly report?: ParityReport;
  readonly ms: { readonly total: number; readonly derive: number; readonly golden: number; readonly calibrate: number };
}

const GOLDEN_DIR = 'golden-outputs';
const INPUTS_FILE = 'parity-inputs.jsonl';
const CORPUS = join(REPO_ROOT, 'golden/corpus.dev.jsonl');
const TOOL_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Files and folders written by this run, removed again if a later step fails. */
class Written {
  readonly paths: string[] = [];
  constructor(private readonly force: boolean) {}

  /** Refuses to replace what exists unless --force. */
  claim(path: string): void {
    if (existsSync(path) && !this.force) {
      throw new ParityError(
        'E_INIT_EXISTS',
        `${path} exists; pass --force to replace it, or --out a config in another folder`,
      );
    }
  }

  add(path: string): void {
    this.paths.push(path);
  }

  rollback(): void {
    for (const p of [...this.paths].reverse()) rmSync(p, { recursive: true, force: true });
  }
}

/** The first `count` text cases of the golden corpus, copied beside the config so config, inputs and reference travel together. */
function corpusSlice(count: number): { text: string; cases: number } {
  const lines = readFileSync(CORPUS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const texts = lines.filter((l) => (JSON.parse(l) as { type?: string }).type === 'text').slice(0, count);
  return { text: `${texts.join('\n')}\n`, cases: texts.length };
}

function countLines(path: string): number {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '').length;
  } catch (cause) {
    throw new ParityError('E_IO', `cannot read --texts ${path}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * What init reads and decides before it writes anything: the models under the paths, the variants, the
 * vocabulary and the reference (each a coded error when it cannot decide). Reads files only; the fuzz
 * campaign drives it on mutated model folders.
 */
export function decideInit(options: InitOptions, cwd: string, outDir: string) {
  const found = discover(options.paths, cwd);
  const models =
    (options.derive ?? []).length > 0 ? found.models.filter((m) => m.derivedFrom === undefined) : found.models;
  const variants = planVariants(models, options.inputMap ?? {});
  const vocab = chooseVocab(
    found.folders,
    { vocab: options.vocab && resolve(cwd, options.vocab), lowercase: options.lowercase },
    outDir,
  );
  checkEmbedding(variants, vocab.size, vocab.path);
  const reference = chooseReference(variants, options.reference, cwd);
  return { found, variants, vocab, reference };
}

/**
 * `bert-parity init`: reads the models under `paths`, decides every field of a parity config (each
 * decision commented), derives float16/int8 ONNX variants when asked, caches the reference's outputs as
 * golden outputs, optionally calibrates bounds by running the matrix once, and writes the config last.
 * Everything it cannot decide is a coded error before anything is written; if a later step fails, what
 * it wrote is removed again.
 */
export async function runInit(options: InitOptions): Promise<InitResult> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const log = options.log ?? (() => {});
  const configPath = resolve(cwd, options.out ?? 'parity.config.ts');
  const ext = extname(configPath);
  if (!['.ts', '.mts', '.js', '.mjs', '.json'].includes(ext)) {
    throw new ParityError('E_USAGE', `--out ${configPath}: extension ${JSON.stringify(ext)}; expected .ts or .json`);
  }
  const outDir = dirname(configPath);
  const rel = (p: string) => relative(outDir, p).split(sep).join('/') || '.';
  const written = new Written(options.force === true);
  written.claim(configPath);

  // 1. Decide (nothing is written before everything is known).
  const deriving = [...new Set(options.derive ?? [])];
  const { found, variants, vocab, reference } = decideInit(options, cwd, outDir);
  if (deriving.length > 0 && reference.format !== 'onnx') {
    throw new ParityError(
      'E_USAGE',
      `--derive ${deriving.join(',')} makes ONNX variants from a float32 ONNX model, but the reference ${reference.name} is ${reference.format}; pass --reference with an ONNX float32 model`,
    );
  }
  const derived: VariantPlan[] = deriving.map((precision) => {
    const file = derivedPath(outDir, reference, precision);
    written.claim(file);
    return {
      ...reference,
      name: `${reference.name}.${precision}`,
      file,
      modelFile: file,
      boundPrecision: precision,
      comment: [],
      derive: { precision, source: reference },
    };
  });
  const all = [...variants, ...derived];
  const outputs = referenceOutputs(reference, variants);
  const fixed = all.flatMap((v) => (v.binding.fixedSeq === undefined ? [] : [v.binding.fixedSeq]));
  const minFixed = fixed.length === 0 ? undefined : Math.min(...fixed);
  if (options.maxSeqLength !== undefined && minFixed !== undefined && options.maxSeqLength > minFixed) {
    throw new ParityError(
      'E_USAGE',
      `--max-seq-length ${options.maxSeqLength} is longer than the fixed input length ${minFixed} of a model; expected ≤ ${minFixed}`,
    );
  }
  const maxSeqLength = options.maxSeqLength ?? minFixed ?? 128;
  const texts = options.texts === undefined ? undefined : resolve(cwd, options.texts);
  const inputsPath = join(outDir, INPUTS_FILE);
  if (texts === undefined) written.claim(inputsPath);
  if (vocab.fromJson !== undefined) written.claim(vocab.path);
  const goldenDir = join(outDir, GOLDEN_DIR);
  written.claim(goldenDir);
  const goldens = matchingGoldens(vocab.sha256, vocab.lowercase);

  const times = { derive: 0, golden: 0, calibrate: 0 };
  const derivations: DeriveResult[] = [];
  try {
    if (!existsSync(outDir)) {
      mkdirSync(outDir, { recursive: true });
      written.add(outDir);
    }
    // 2. Derived models.
    const t0 = performance.now();
    for (const v of derived) {
      const d = v.derive as NonNullable<VariantPlan['derive']>;
      const result = deriveOnnxFile(d.source.modelFile, d.precision, v.file, {
        int8: { perChannel: options.perChannel === true, reduceRange: options.reduceRange === true },
      });
      for (const f of result.files) written.add(f.path);
      derivations.push(result);
      v.artifact = loadModelSync(v.file);
      v.comment = [derivedComment(result, rel(d.source.modelFile)), ...reference.comment.slice(-1)];
      log(
        `derived ${rel(v.file)} (${result.files[0]?.bytes.toLocaleString('en-US')} bytes, ${Math.round(result.ms)} ms)`,
      );
    }
    times.derive = performance.now() - t0;

    // 3. Inputs and vocabulary files.
    let inputs: CommentedObject;
    if (texts === undefined) {
      const count = options.count ?? 200;
      const slice = corpusSlice(count);
      writeFileAtomic(inputsPath, slice.text);
      written.add(inputsPath);
      inputs = plainObj({ corpus: rel(inputsPath), count: slice.cases, types: ['text'], maxSeqLength });
    } else {
      const count = options.count ?? Math.min(countLines(texts), 1000);
      inputs = plainObj({ texts: rel(texts), count, maxSeqLength });
    }
    if (vocab.fromJson !== undefined) {
      writeFileAtomic(vocab.path, vocab.fromJson.text);
      written.add(vocab.path);
    }

    // 4. The config, first without agreement differences and bounds, to run the engine on.
    const conformance = goldens.map((g) => ({ impl: 'ours', golden: [rel(g.path)] }));
    const agreementImpl = found.models.some((m) => m.artifact.format === 'hf-dir')
      ? 'transformers.js'
      : 'hf-tokenizers';
    const agreementFile = vocab.tokenizerJson ?? (goldens.length === 0 ? vocab.path : undefined);
    const referenceRuntime = REFERENCE_RUNTIME[reference.format];
    const build = (extra: { known?: Commented; bounds?: Commented; goldenDir?: string }): CommentedObject =>
      configObject({
        all,
        inputs,
        inputsWhy:
          texts === undefined
            ? `the first ${(strip(inputs) as { count: number }).count} text cases of the project's golden corpus (golden/corpus.dev.jsonl), copied beside this config; --texts FILE uses your own JSON lines of {text, label?}`
            : `your texts (--texts), every line up to 1000; labels, where every line has one, add task accuracy`,
        maxSeqLength,
        seqWhy:
          minFixed === undefined
            ? 'every model takes any sequence length, so 128 as in the default config'
            : `${minFixed}, the fixed input length of ${all
                .filter((v) => v.binding.fixedSeq === minFixed)
                .map((v) => v.name)
                .join(', ')} (shorter inputs are padded to it)`,
        vocab,
        rel,
        conformance,
        goldens,
        agreement:
          agreementFile === undefined
            ? undefined
            : { impl: agreementImpl, file: rel(agreementFile), known: extra.known },
        reference,
        referenceRuntime,
        goldenDir: extra.goldenDir ?? GOLDEN_DIR,
        outputs,
        bounds: extra.bounds ?? defaultBounds(boundPrecisions(all), outputs.classifier),
        calibrated: extra.bounds !== undefined,
      });

    // 5. Agreement of the model's own tokenizer files with our encodings: the cases that differ now.
    let known: Commented | undefined;
    if (agreementFile !== undefined) {
      const setup = await setUpRun(configFromValue(strip(build({})), outDir));
      const diffs = await agreement(
        {
          kind: 'tokenizer-agreement',
          id: '',
          impl: agreementImpl,
          tokenizer: agreementFile,
          lowercase: vocab.lowercase,
          knownDifferences: [],
        },
        setup.inputs,
      );
      const vocabulary = setup.tokenizer.vocab;
      const token = (id: number | undefined) =>
        id === undefined ? 'nothing' : `${id} ${JSON.stringify(vocabulary.token(id) ?? '?')}`;
      known = arr(
        diffs.map((d) =>
          note(
            { value: d.id },
            d.field === 'error'
              ? `${agreementImpl} failed on this input`
              : `${d.field} differ at ${d.firstDiff}: ours ${token(d.ours)}, ${agreementImpl} ${token(d.theirs)}`,
          ),
        ),
      );
      log(
        `tokenizer agreement (${agreementImpl} on ${rel(agreementFile)}): ${setup.inputs.cases.length - diffs.length} of ${setup.inputs.cases.length} inputs encode the same`,
      );
    }

    // 6. The reference outputs, cached as golden outputs (into a temporary folder renamed into place).
    const t1 = performance.now();
    const tmpGolden = `.${GOLDEN_DIR}.${randomBytes(4).toString('hex')}.tmp`;
    written.add(join(outDir, tmpGolden));
    const loaded = configFromValue(
      strip(build({ ...(known === undefined ? {} : { known }), goldenDir: tmpGolden })),
      outDir,
    );
    await updateGoldenOutputs(loaded, await setUpRun(loaded));
    rmSync(goldenDir, { recursive: true, force: true });
    renameSync(join(outDir, tmpGolden), goldenDir);
    written.add(goldenDir);
    times.golden = performance.now() - t1;
    log(`wrote ${rel(goldenDir)}/ (reference: ${reference.name} on ${referenceRuntime})`);

    // 7. Calibration: run the matrix once and set bounds over what it measures.
    let calibration: Calibration | undefined;
    let report: ParityReport | undefined;
    if (options.calibrate === true) {
      const t2 = performance.now();
      const value = strip(build(known === undefined ? {} : { known }));
      report = await runCheck(
        configFromValue(value, outDir),
        options.progress === undefined ? {} : { progress: options.progress },
      );
      calibration = calibrate(report, outputs.classifier, options.headroom ?? 2);
      times.calibrate = performance.now() - t2;
      for (const line of calibration.lines) log(`calibrated ${line}`);
    }

    // 8. The config, last.
    const config = build({
      ...(known === undefined ? {} : { known }),
      ...(calibration === undefined ? {} : { bounds: calibration.bounds }),
    });
    const header = headerLines(
      options.command,
      configPath,
      rel,
      texts === undefined ? rel(inputsPath) : undefined,
      calibration !== undefined,
    );
    let notesPath: string | undefined;
    if (ext === '.json') {
      notesPath = configPath.replace(/\.json$/, '.notes.md');
      written.claim(notesPath);
      writeFileAtomic(notesPath, notesMarkdown(basename(configPath), header, config));
      written.add(notesPath);
      writeFileAtomic(configPath, `${JSON.stringify(strip(config), null, 2)}\n`);
    } else {
      // A type-only import, erased when the file loads: the config runs wherever bert-parity runs it (a CI
      // checkout elsewhere included) and type-checks where @bert-parity/parity resolves.
      const source = [
        "import type { ParityConfigInput } from '@bert-parity/parity';",
        '',
        '/**',
        ...header.map((l) => (l === '' ? ' *' : ` * ${l}`)),
        ' */',
        `export default ${renderTs(config)} satisfies ParityConfigInput;`,
        '',
      ].join('\n');
      writeFileAtomic(configPath, source);
    }
    written.add(configPath);
    return {
      configPath,
      ...(notesPath === undefined ? {} : { notesPath }),
      written: written.paths.filter((p) => !p.includes(`.${GOLDEN_DIR}.`)),
      variants: all.map((v) => ({ name: v.name, format: v.format, precision: v.boundPrecision, file: v.file })),
      reference: reference.name,
      derived: derivations,
      ...(calibration === undefined ? {} : { calibration }),
      ...(report === undefined ? {} : { report }),
      ms: { total: performance.now() - started, ...times },
    };
  } catch (e) {
    written.rollback();
    throw e;
  }
}

function boundPrecisions(variants: readonly VariantPlan[]): BoundPrecision[] {
  const order: BoundPrecision[] = ['float32', 'float16', 'int8', 'uint8'];
  return order.filter((p) => variants.some((v) => v.boundPrecision === p));
}

function derivedComment(r: DeriveResult, source: string): string {
  const rep = r.report;
  if (rep.kind === 'float16') {
    const kept =
      rep.keptFloat32.length > 0 ? `; kept float32 (read only by blocked ops): ${rep.keptFloat32.join(', ')}` : '';
    return `derived by init --derive float16 from ${source} (onnxconverter-common rules, keep_io_types): ${rep.convertedConstants} constants to float16, ${rep.blockedNodes.length} nodes left float32 (${rep.blockedNodes.join(', ') || 'none'}), ${rep.castsInserted} casts, ${rep.clippedValues} values clipped${kept}`;
  }
  const folded = rep.folded.length > 0 ? `; folded first: ${rep.folded.join(', ')}` : '';
  return `derived by init --derive int8 from ${source} (onnxruntime quantize_dynamic rules, QInt8 ${rep.perChannel ? 'per channel' : 'per tensor'}${rep.reduceRange ? ', reduce_range' : ''}): ${rep.quantized} MatMuls on ${rep.weights} int8 weights, ${rep.skipped.length} left float32 (activation × activation)${folded}`;
}

interface ConfigParts {
  all: readonly VariantPlan[];
  inputs: CommentedObject;
  inputsWhy: string;
  maxSeqLength: number;
  seqWhy: string;
  vocab: VocabDecision;
  rel: (p: string) => string;
  conformance: { impl: string; golden: string[] }[];
  goldens: readonly { path: string; vocab: string }[];
  agreement: { impl: string; file: string; known: Commented | undefined } | undefined;
  reference: VariantPlan;
  referenceRuntime: string;
  goldenDir: string;
  outputs: { names: string[]; token: string[]; classifier: string[] };
  bounds: Commented;
  calibrated: boolean;
}

function configObject(p: ConfigParts): CommentedObject {
  const formats = [...new Set(p.all.map((v) => v.format))];
  const variant = (v: VariantPlan) => {
    const fields: Record<string, unknown> = { name: v.name, file: p.rel(v.file) };
    if (v.onnxFile !== undefined) fields.onnxFile = v.onnxFile;
    if (v.artifact.precision !== v.boundPrecision) fields.precision = v.boundPrecision;
    if (Object.keys(v.binding.mapping).length > 0) fields.inputMapping = v.binding.mapping;
    const mapping = v.binding.notes.length > 0 ? [`${v.binding.notes.join('; ')}: inputMapping binds it`] : [];
    return note({ value: plainObj(fields) }, [...v.comment, ...mapping]);
  };
  const tokenizer: { key: string; value: Commented; comment?: readonly string[] }[] = [
    note({ key: 'vocab', value: p.rel(p.vocab.path) }, [
      `${p.vocab.why}: ${p.vocab.size} ids, sha256 ${p.vocab.sha256}`,
      ...p.vocab.warnings.map((w) => `warning: ${w}`),
    ]),
    note({ key: 'lowercase', value: p.vocab.lowercase }, p.vocab.lowercaseWhy),
  ];
  if (p.vocab.specialTokens !== undefined) {
    tokenizer.push(note({ key: 'specialTokens', value: plainObj(p.vocab.specialTokens) }, p.vocab.specialWhy ?? ''));
  }
  tokenizer.push(
    note(
      { key: 'conformance', value: arr(p.conformance.map((c) => ({ value: plainObj(c) }))) },
      p.goldens.length > 0
        ? [
            `goldens of the reference Python tokenizer made with this very vocabulary (same sha256 and casing): ${p.goldens.map((g) => g.vocab).join(', ')}.`,
            'Our tokenizer, which encodes every input of the model cells, must agree with them on every case.',
          ]
        : [
            'No golden of the reference tokenizer (google-research/bert) was made with this vocabulary (none has its sha256):',
            'make one with tools/golden/bert_golden.py (see tools/golden/README.md) and list it here to check our tokenizer',
            'against the reference on this vocabulary. Our tokenizer matches the reference on 5 vocabularies × 3,396 cases.',
          ],
    ),
  );
  if (p.agreement !== undefined) {
    const a = p.agreement;
    tokenizer.push(
      note(
        {
          key: 'agreement',
          value: arr([
            {
              value: {
                kind: 'object',
                entries: [
                  { key: 'impl', value: a.impl },
                  { key: 'tokenizer', value: a.file },
                  { key: 'knownDifferences', value: a.known ?? arr([]) },
                ],
              },
            },
          ]),
        },
        [
          `What this cell proves: ${a.impl} running ${a.file} (the tokenizer an app ships with this model) gives the same`,
          'input_ids, attention_mask and token_type_ids as our reference-exact tokenizer for every input of this run',
          'except the cases listed (they differed when init ran; each says where). A new difference fails the cell.',
          `What it does not prove: that either agrees with the Python reference on this vocabulary${p.goldens.length > 0 ? ' (the conformance cell above does that)' : ' (that needs a golden, see above)'}.`,
        ],
      ),
    );
  }
  const source = plainObj({ kind: 'runtime', runtime: p.referenceRuntime, variant: p.reference.name });
  return obj([
    note({ key: 'variants', value: arr(p.all.map(variant)) }, [
      'Every model init found (format and precision from what the readers see in the files), and the variants it derived.',
    ]),
    note(
      {
        key: 'runtimes',
        value: arr(formats.flatMap((f) => RUNTIMES_OF[f].map((r) => note({ value: plainObj(r.config) }, r.why)))),
      },
      'Every runtime that runs a format present above.',
    ),
    { key: 'platforms', value: arr([{ value: 'host' }]) },
    note({ key: 'inputs', value: p.inputs }, [p.inputsWhy, `maxSeqLength ${p.maxSeqLength}: ${p.seqWhy}.`]),
    note({ key: 'tokenizer', value: obj(tokenizer) }, []),
    note(
      {
        key: 'reference',
        value: obj([
          { key: 'kind', value: 'golden-outputs' },
          { key: 'dir', value: p.goldenDir },
          note({ key: 'source', value: source }, [
            `${p.reference.name} (the float32 model) on ${p.referenceRuntime}: init ran it once and cached its outputs in ${GOLDEN_DIR}/,`,
            'so checks need no reference runtime; `check --update-golden` recomputes them after the model or inputs change.',
          ]),
        ]),
      },
      [],
    ),
    note(
      { key: 'tokenOutputs', value: arr(p.outputs.token.map((value) => ({ value }))) },
      p.outputs.token.length > 0
        ? `per-token outputs (rank 3): padding positions are left out of their drift`
        : 'no per-token output',
    ),
    note(
      { key: 'classifierOutputs', value: arr(p.outputs.classifier.map((value) => ({ value }))) },
      p.outputs.classifier.length > 0
        ? 'rank-2 outputs named like logits or scores: top-1 agreement is measured on them'
        : 'no classifier output: no top-1 agreement',
    ),
    note(
      { key: 'bounds', value: p.bounds },
      p.calibrated
        ? ['Calibrated: the worst drift measured here × 2, rounded up to one significant digit (see each comment).']
        : [
            "The project's default bounds per precision; `init --calibrate` measures this model's drift and sets them ×2 over it.",
          ],
    ),
    { key: 'latencyRuns', value: 3 },
  ]);
}

function headerLines(
  command: string | undefined,
  configPath: string,
  rel: (p: string) => string,
  inputs: string | undefined,
  calibrated: boolean,
): string[] {
  const file = rel(configPath);
  return [
    `Written by bert-parity init (bert-parity ${TOOL_VERSION}):`,
    `  ${command ?? 'bert-parity init'}`,
    'Every choice init made is the comment above it: edit what you disagree with, or run init again with --force.',
    '',
    `  pnpm bert-parity check --config ${file}                  compares every cell with the cached reference`,
    `  pnpm bert-parity check --config ${file} --update-golden  after changing the reference model or the inputs`,
    calibrated
      ? 'The bounds were calibrated on this machine (init --calibrate): ×2 over the drift measured, see each comment.'
      : "The bounds are init's defaults; run init again with --calibrate --force to set them ×2 over this model's drift.",
    '',
    `Commit this file, ${GOLDEN_DIR}/${inputs === undefined ? '' : `, ${inputs}`} and any derived *.onnx; in CI run the check command`,
    '(README, "Check your own model"). Exit 0 pass, 1 drift or mismatch, 2 error.',
  ];
}

/** Explanations of a JSON config (JSON has no comments): each commented path with its comment. */
function notesMarkdown(file: string, header: readonly string[], config: CommentedObject): string {
  const out: string[] = [`# ${file}: what bert-parity init decided`, '', ...header, ''];
  const walk = (v: Commented, path: string) => {
    if (typeof v !== 'object') return;
    const children =
      v.kind === 'array'
        ? v.items.map((i, k) => ({ ...i, at: `${path}[${k}]` }))
        : v.entries.map((e) => ({ ...e, at: path === '' ? e.key : `${path}.${e.key}` }));
    for (const c of children) {
      if (c.comment !== undefined && c.comment.length > 0) out.push(`- \`${c.at}\`: ${c.comment.join(' ')}`);
      walk(c.value, c.at);
    }
  };
  walk(config, '');
  return `${out.join('\n')}\n`;
}
