import { ParityError } from '@bert-parity/core';
import { DERIVED_PRECISIONS, type DerivedPrecision } from '@bert-parity/onnx-derive';
import type { Command } from 'commander';
import { streamProgress } from '../engine/progress.ts';
import { type InitResult, runInit } from '../init/run-init.ts';
import { renderTerminal } from '../report/index.ts';
import { type CliState, EXIT } from './state.ts';

function precisions(value: string): DerivedPrecision[] {
  const list = value.split(',').map((s) => s.trim());
  const bad = list.find((p) => !(DERIVED_PRECISIONS as readonly string[]).includes(p));
  if (bad !== undefined) {
    throw new ParityError(
      'E_USAGE',
      `--derive ${JSON.stringify(value)}: ${JSON.stringify(bad)}; expected a list of ${DERIVED_PRECISIONS.join(', ')}`,
    );
  }
  return list as DerivedPrecision[];
}

function positive(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new ParityError('E_USAGE', `${flag} ${JSON.stringify(value)}; expected a positive integer`);
    return n;
  };
}

function inputMap(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const m = /^(input_ids|attention_mask|token_type_ids)=(.+)$/.exec(value);
  if (m === null) {
    throw new ParityError(
      'E_USAGE',
      `--input-map ${JSON.stringify(value)}; expected <harness input>=<model input>, the harness input one of input_ids, attention_mask, token_type_ids`,
    );
  }
  return { ...previous, [m[1] as string]: m[2] as string };
}

/** The command as typed (for the config's header), rebuilt from what commander parsed. */
function commandLine(paths: string[], opts: Record<string, unknown>): string {
  const parts = ['bert-parity init', ...paths];
  for (const [key, value] of Object.entries(opts)) {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (key === 'out' && value === 'parity.config.ts') continue;
    if (value === true) parts.push(flag);
    else if (Array.isArray(value)) parts.push(flag, value.join(','));
    else if (key === 'inputMap')
      for (const [h, m] of Object.entries(value as Record<string, string>)) parts.push(flag, `${h}=${m}`);
    else if (value !== undefined && value !== false) parts.push(flag, String(value));
  }
  return parts.join(' ');
}

export function formatInit(r: InitResult, cwd: string): string {
  const rel = (p: string) => (p.startsWith(cwd) ? p.slice(cwd.length + 1) || '.' : p);
  const lines = [
    `wrote ${rel(r.configPath)}: ${r.variants.length} variants, reference ${r.reference}`,
    ...r.variants.map((v) => `  ${v.name.padEnd(28)} ${v.format.padEnd(10)} ${v.precision.padEnd(8)} ${rel(v.file)}`),
  ];
  if (r.notesPath !== undefined) lines.push(`explanations of each choice: ${rel(r.notesPath)} (JSON has no comments)`);
  lines.push(`files written: ${r.written.map(rel).join(', ')}`);
  lines.push(
    `time: ${(r.ms.total / 1000).toFixed(1)} s (derive ${(r.ms.derive / 1000).toFixed(1)} s, reference outputs ${(r.ms.golden / 1000).toFixed(1)} s${r.report === undefined ? '' : `, calibration run ${(r.ms.calibrate / 1000).toFixed(1)} s`})`,
  );
  lines.push('', 'next:', `  pnpm bert-parity check --config ${rel(r.configPath)}`);
  lines.push(
    '  then commit the config, golden-outputs/ and the inputs file beside it (README: "Check your own model")',
  );
  return lines.join('\n');
}

/** `bert-parity init`: exit 0 when the config was written, 2 on a coded error (nothing is left half-written). */
export function registerInit(program: Command, state: CliState): void {
  program
    .command('init')
    .description(
      'read your model files and write a parity config that `check` runs as is: variants, runtimes, input mappings, ' +
        'inputs, tokenizer cells, a cached float32 reference and bounds, each choice commented. Derives float16/int8 ' +
        'ONNX variants with --derive. Exit 0 written, 2 when it cannot decide (the message says what to pass).',
    )
    .argument('<paths...>', 'model files or folders (ONNX, TFLite, TF.js model.json, Hugging Face folders)')
    .option(
      '--out <file>',
      'the config to write: .ts (commented) or .json (explanations in <name>.notes.md)',
      'parity.config.ts',
    )
    .option('--derive <list>', 'derive these variants from the float32 ONNX model: float16, int8', precisions)
    .option(
      '--reference <variant>',
      'the variant (name or file) the others are compared with (default: the float32 one)',
    )
    .option('--texts <file>', 'JSON lines of {"text", "label"?} to run instead of the golden corpus')
    .option('--vocab <file>', 'vocab.txt or tokenizer.json (default: the one beside the models)')
    .option('--cased', 'do not lowercase (overrides what init reads from the tokenizer files)')
    .option('--uncased', 'lowercase (overrides what init reads from the tokenizer files)')
    .option(
      '--count <n>',
      'input cases (default 200 of the golden corpus, or every --texts line up to 1000)',
      positive('--count'),
    )
    .option(
      '--max-seq-length <n>',
      'sequence length (default: a fixed model length, else 128)',
      positive('--max-seq-length'),
    )
    .option('--input-map <harness=model>', 'bind a model input init cannot place by name (repeatable)', inputMap)
    .option('--calibrate', 'run the matrix once and set bounds ×2 over the measured drift (rounded up to 1 digit)')
    .option('--per-channel', '--derive int8: one scale per output column (quantize_dynamic per_channel)')
    .option('--reduce-range', '--derive int8: 7-bit weights (quantize_dynamic reduce_range)')
    .option('--force', 'replace an existing config, derived models and golden outputs')
    .action(async (paths: string[], opts) => {
      if (opts.cased && opts.uncased)
        throw new ParityError('E_USAGE', '--cased and --uncased contradict each other; pass one');
      const cwd = process.cwd();
      const result = await runInit({
        paths,
        out: opts.out,
        derive: opts.derive,
        reference: opts.reference,
        texts: opts.texts,
        vocab: opts.vocab,
        lowercase: opts.cased ? false : opts.uncased ? true : undefined,
        count: opts.count,
        maxSeqLength: opts.maxSeqLength,
        inputMap: opts.inputMap,
        calibrate: opts.calibrate === true,
        force: opts.force === true,
        perChannel: opts.perChannel === true,
        reduceRange: opts.reduceRange === true,
        cwd,
        command: commandLine(paths, opts),
        log: (line) => console.error(line),
        progress: streamProgress(process.stderr),
      });
      if (result.report !== undefined)
        console.log(renderTerminal(result.report, { color: process.stdout.isTTY === true }));
      console.log(formatInit(result, cwd));
      state.exitCode = EXIT.pass;
    });
}
