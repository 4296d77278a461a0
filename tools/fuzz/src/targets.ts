import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNpy, readOutputGoldens } from '@bert-parity/core';
import { inspectFindings, parseTarget } from '@bert-parity/models';
import { deriveOnnxFile } from '@bert-parity/onnx-derive';
import {
  corpusInputs,
  decideInit,
  formatInspect,
  inspectJson,
  labelledInputs,
  loadConfig,
  mergeReports,
  missingParts,
  ourTokenizerFor,
  readReport,
  renderHtml,
  renderJunit,
  renderMarkdown,
  renderTerminal,
  runInspect,
} from '@bert-parity/parity';
import { BertTokenizer, fromHuggingFaceDir, readGoldenFile, Vocabulary, verifyGolden } from '@bert-parity/tokenizer';
import type { FileFormat } from './mutate/index.ts';
import {
  checkRun,
  type FileSet,
  file,
  head,
  REPO_ROOT,
  readTree,
  smallFixtures,
  smallHfDir,
  smallVocab,
} from './seeds.ts';

/**
 * A reader of untrusted input, as the fuzz campaign drives it. `run` reads one input the way the CLI does
 * (returning, or throwing a coded ParityError, are both fine; anything else is a crash, and taking over a
 * second a hang). Adding a reader is one entry in TARGETS: its name, what it reads, the format of its
 * files (which structure-aware mutations apply), its seeds (real files), and `run`.
 */
export interface FuzzTarget {
  readonly name: string;
  /** The code under test, for the table and the README. */
  readonly reads: string;
  /** The mutation format of each file of an input: the first pattern that matches its name. */
  readonly formats: readonly (readonly [RegExp, FileFormat])[];
  /** Real files to start from; each seed is an input of its own (input i < seeds.length is seed i as is). */
  seeds(): Promise<FileSet[]>;
  /** Reads one input; its files are written to `dir` first (under their names). */
  run(dir: string, files: FileSet): unknown;
}

const INSPECT_TARGETS = ['litert@2.5.3', 'tflite@2.4', 'onnxruntime@1.30', 'tfjs@4.22', 'transformers.js@3'].map(
  parseTarget,
);

/** `bert-parity inspect` on a model: load, findings for every kind of target, the table and the JSON. */
async function inspect(path: string): Promise<void> {
  const report = await runInspect(path, {});
  for (const target of INSPECT_TARGETS) inspectFindings(report.artifact, { target, vocabSize: 1500 });
  formatInspect(report);
  JSON.stringify(inspectJson(report));
}

const fixturePaths = async (format: string) =>
  (await smallFixtures()).files.filter((f) => f.format === format).map((f) => f.path);

/** The tokenizer the vocabulary-driven targets encode with: the fixture vocabulary, loaded once. */
let fixtureVocab: Vocabulary | undefined;
const vocab = () => {
  fixtureVocab ??= Vocabulary.fromFile(join(REPO_ROOT, 'golden/vocab/fixture-uncased.txt'));
  return fixtureVocab;
};

const SAMPLE = ['Héllo, 越过长城! The quick brown fox — jumps\u00adover naïve cafés.', 'a second text 12345'] as const;

export const TARGETS: readonly FuzzTarget[] = [
  {
    name: 'onnx',
    reads: 'ONNX reader (packages/models onnx) via bert-parity inspect',
    formats: [[/./, 'protobuf']],
    seeds: async () => (await fixturePaths('onnx')).map((p) => file('model.onnx', readFileSync(p))),
    run: (dir) => inspect(join(dir, 'model.onnx')),
  },
  {
    name: 'tflite',
    reads: 'TFLite reader (packages/models tflite FlatBuffers walker) via bert-parity inspect',
    formats: [[/./, 'flatbuffers']],
    seeds: async () => (await fixturePaths('tflite')).map((p) => file('model.tflite', readFileSync(p))),
    run: (dir) => inspect(join(dir, 'model.tflite')),
  },
  {
    name: 'tfjs',
    reads: 'TF.js graph model reader (model.json + weight shards) via bert-parity inspect',
    formats: [
      [/\.json$/, 'json'],
      [/./, 'bytes'],
    ],
    seeds: async () => (await fixturePaths('tfjs-graph')).map((p) => readTree(join(p, '..'))),
    run: (dir) => inspect(join(dir, 'model.json')),
  },
  {
    name: 'hf-dir',
    reads: 'Hugging Face folder reader (config.json, onnx/*.onnx) via bert-parity inspect, and its tokenizer files',
    formats: [
      [/\.json$/, 'json'],
      [/\.txt$/, 'lines'],
      [/\.onnx$/, 'protobuf'],
    ],
    seeds: async () => [readTree(await smallHfDir())],
    run: async (dir) => {
      await inspect(dir);
      fromHuggingFaceDir(dir).encode(SAMPLE[0], SAMPLE[1], { maxSeqLength: 32 });
    },
  },
  {
    name: 'onnx-derive',
    reads: 'ONNX full decoder and the float16 / dynamic int8 derivations (packages/onnx-derive, init --derive)',
    formats: [[/./, 'protobuf']],
    seeds: async () =>
      (await smallFixtures()).files
        .filter((f) => f.format === 'onnx' && f.precision === 'float32')
        .map((f) => file('model.onnx', readFileSync(f.path))),
    run: (dir) => {
      deriveOnnxFile(join(dir, 'model.onnx'), 'float16', join(dir, 'model_fp16.onnx'));
      deriveOnnxFile(join(dir, 'model.onnx'), 'int8', join(dir, 'model_int8.onnx'));
    },
  },
  {
    name: 'init',
    reads:
      "bert-parity init's decisions on a model folder (discovery, variants, vocabulary from tokenizer files, reference)",
    formats: [
      [/\.json$/, 'json'],
      [/\.txt$/, 'lines'],
      [/\.onnx$/, 'protobuf'],
    ],
    seeds: async () => {
      const all = readTree(await smallHfDir());
      // With its vocab.txt, and with only tokenizer.json (init writes the vocabulary from it).
      return [all, new Map([...all].filter(([name]) => name !== 'vocab.txt'))];
    },
    run: (dir) => decideInit({ paths: [dir] }, dir, join(dir, 'out')),
  },
  {
    name: 'npy',
    reads: '.npy decoder (packages/core npy)',
    formats: [[/./, 'npy']],
    seeds: async () =>
      [...readTree((await checkRun()).goldenDir)]
        .filter(([name]) => name.endsWith('.npy'))
        .map(([, bytes]) => file('array.npy', bytes)),
    run: (_dir, files) => decodeNpy(files.get('array.npy') ?? new Uint8Array(), 'array.npy'),
  },
  {
    name: 'vocab',
    reads: 'vocab.txt loader (packages/tokenizer Vocabulary.fromFile) and a tokenizer built on it',
    formats: [[/./, 'lines']],
    seeds: async () => [file('vocab.txt', readFileSync(await smallVocab()))],
    run: (dir) => {
      const tokenizer = new BertTokenizer(Vocabulary.fromFile(join(dir, 'vocab.txt')), { lowercase: true });
      tokenizer.encode(SAMPLE[0], SAMPLE[1], { maxSeqLength: 32 });
      tokenizer.decode(tokenizer.tokenizeToIds(SAMPLE[0]));
    },
  },
  {
    name: 'tokenizer-json',
    reads: 'tokenizer.json + tokenizer_config.json loader (packages/tokenizer fromHuggingFaceDir)',
    formats: [[/./, 'json']],
    seeds: async () => {
      const all = readTree(await smallHfDir());
      const pick = (...names: string[]) => new Map(names.map((n) => [n, all.get(n) as Uint8Array]));
      return [pick('tokenizer.json', 'tokenizer_config.json'), pick('tokenizer.json')];
    },
    run: (dir) => fromHuggingFaceDir(dir).encode(SAMPLE[0], SAMPLE[1], { maxSeqLength: 32 }),
  },
  {
    name: 'golden-jsonl',
    reads: 'tokenizer golden JSON lines (packages/tokenizer readGoldenFile) verified as `tokenizer verify` does',
    formats: [[/./, 'jsonl']],
    seeds: async () => {
      const golden = 'golden/tokenizer/fixture-uncased.lower.dev.jsonl';
      const lines = readFileSync(join(REPO_ROOT, golden), 'utf8').split('\n');
      const encodes = lines.filter((l) => l.includes('"type":"encode"')).slice(0, 10);
      return [file('golden.jsonl', head(golden, 30)), file('golden.jsonl', `${[lines[0], ...encodes].join('\n')}\n`)];
    },
    run: (dir) => {
      const golden = readGoldenFile(join(dir, 'golden.jsonl'));
      verifyGolden(ourTokenizerFor(golden, vocab()).asImpl(), golden);
    },
  },
  {
    name: 'golden-index',
    reads: 'golden-output index and its .npy files (packages/core readOutputGoldens, every entry loaded)',
    formats: [
      [/\.json$/, 'json'],
      [/\.npy$/, 'npy'],
    ],
    seeds: async () => [readTree((await checkRun()).goldenDir)],
    run: (dir) => {
      const goldens = readOutputGoldens(join(dir, 'index.json'));
      for (const entry of goldens.index.entries) goldens.load(entry);
    },
  },
  {
    name: 'config',
    reads: 'parity config loader (packages/parity loadConfig, JSON)',
    formats: [[/./, 'json']],
    seeds: async () => {
      const defaults = (await import(join(REPO_ROOT, 'parity.config.ts'))) as { default: unknown };
      return [
        file('parity.config.json', JSON.stringify(defaults.default, null, 2)),
        file('parity.config.json', readFileSync(join(REPO_ROOT, 'android/parity.android.json'))),
        file('parity.config.json', (await checkRun()).config),
      ];
    },
    run: (dir) => loadConfig(join(dir, 'parity.config.json')),
  },
  {
    name: 'report',
    reads: 'report JSON as `report merge` reads it (packages/parity readReport, merge, every renderer)',
    formats: [[/./, 'json']],
    seeds: async () => [file('report.json', (await checkRun()).report)],
    run: (dir) => {
      const path = join(dir, 'report.json');
      const merged = mergeReports([readReport(path)], [path]);
      missingParts([merged], [path]);
      renderTerminal(merged, { color: true });
      renderMarkdown(merged);
      renderJunit(merged);
      renderHtml(merged);
    },
  },
  {
    name: 'corpus',
    reads: 'input corpus and labels JSON lines (packages/parity corpusInputs, labelledInputs)',
    formats: [[/./, 'jsonl']],
    seeds: async () => {
      const corpus = head('golden/corpus.dev.jsonl', 40);
      const labels = corpus
        .trim()
        .split('\n')
        .map((l, i) => JSON.stringify({ text: (JSON.parse(l) as { text?: string }).text ?? 'pair', label: i % 3 }))
        .join('\n');
      return [file('corpus.jsonl', corpus), file('labels.jsonl', `${labels}\n`)];
    },
    run: (dir, files) => {
      const tokenizer = new BertTokenizer(vocab(), { lowercase: true });
      const [name] = [...files.keys()];
      const path = join(dir, name ?? '');
      if (name === 'labels.jsonl') labelledInputs(path, name, { count: 100, maxSeqLength: 32 }, tokenizer);
      else corpusInputs(path, name ?? '', { count: 100, types: ['text', 'pair'], maxSeqLength: 32 }, tokenizer);
    },
  },
];

export function targetByName(name: string): FuzzTarget | undefined {
  return TARGETS.find((t) => t.name === name);
}
