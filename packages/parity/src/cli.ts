import { isParityError } from '@bert-parity/core';
import { Command, CommanderError, Option } from 'commander';
import { registerCheck } from './commands/check.ts';
import { registerCompare } from './commands/compare.ts';
import { registerInit } from './commands/init.ts';
import { formatInspect, inspectJson, runInspect } from './commands/inspect.ts';
import { collect } from './commands/options.ts';
import { registerReport } from './commands/report.ts';
import { type CliState, EXIT } from './commands/state.ts';
import { formatReport, IMPLS, reportJson, runTokenize, runVerify } from './commands/tokenizer.ts';

export type { CliState } from './commands/state.ts';

export function buildProgram(state: CliState = { exitCode: EXIT.pass }): Command {
  const program = new Command('bert-parity')
    .description('Prove a BERT-family model and its tokenizer behave the same everywhere they ship.')
    .exitOverride()
    .showHelpAfterError();

  const tokenizer = program.command('tokenizer').description('tokenizer conformance against reference goldens');
  tokenizer
    .command('verify')
    .description(
      'measure a tokenizer against golden files of the reference Python BERT tokenizer; lowercasing and Unicode ' +
        "version come from each golden's meta. Without --golden: every golden in golden/tokenizer and ../shared/golden-seed.",
    )
    .option('--golden <file>', 'golden JSON-lines file (repeatable)', collect)
    .option('--vocab <file>', "vocab.txt (default: <meta.vocab>.txt in the golden's sibling vocab/ folder)")
    .option('--profile <name>', 'our tokenizer profile: google-bert, hf-slow, hf-fast', 'google-bert')
    .addOption(new Option('--impl <name>', 'implementation to measure').choices([...IMPLS]).default('ours'))
    .option('--json', 'print JSON (one object per golden file, one per line)')
    .option('--show <n>', 'mismatches to print per file', (v) => Number.parseInt(v, 10), 10)
    .option('--java-src <dir>', "--impl java: folder of the app's Java tokenizer sources")
    .option(
      '--java-class <fqcn>',
      '--impl java: the tokenizer class (see README: constructors tried, tokenize(String))',
    )
    .option('--classpath <jars>', '--impl java: jars/folders the sources need, for javac and the JVM')
    .option('--java-timeout <ms>', '--impl java: time limit of the JVM run', (v) => Number.parseInt(v, 10), 120_000)
    .action(async (opts) => {
      const result = await runVerify(opts);
      for (const r of result.reports) {
        console.log(opts.json ? JSON.stringify(reportJson(r)) : formatReport(r, opts.show));
      }
      state.exitCode = result.ok ? EXIT.pass : EXIT.mismatch;
    });

  program
    .command('tokenize')
    .description('print the tokens, ids and offsets (UTF-16 code units) of a text')
    .requiredOption('--vocab <file>', 'vocab.txt')
    .option('--cased', 'do not lowercase or strip accents')
    .option('--profile <name>', 'google-bert, hf-slow, hf-fast', 'google-bert')
    .option('--unicode <version>', 'Unicode version of character data', '14.0.0')
    .option('--json', 'print JSON')
    .argument('<text...>', 'the text (several arguments are joined with spaces)')
    .action((words: string[], opts) => {
      const out = runTokenize(words.join(' '), opts);
      if (opts.json) {
        console.log(JSON.stringify(out));
        return;
      }
      const width = Math.max(5, ...out.tokens.map((t) => t.length));
      console.log(`${'token'.padEnd(width)}  ${'id'.padStart(6)}  offsets`);
      out.tokens.forEach((t, i) => {
        const [a, b] = out.offsets[i] ?? [0, 0];
        console.log(`${t.padEnd(width)}  ${String(out.ids[i]).padStart(6)}  ${a}-${b}`);
      });
      console.log(`ids: ${JSON.stringify(out.ids)}`);
    });

  program
    .command('inspect')
    .description(
      'read a model file without running it (ONNX, TFLite, TF.js model.json, Hugging Face folder): signature, ' +
        'precision, ops, and findings. Exit 0 without error findings, 1 with one, 2 when the file cannot be read.',
    )
    .argument('<model>', 'model file or folder')
    .option(
      '--target <runtime@version>',
      'check against a runtime: tflite@2.4, litert@2.5.3, onnxruntime@1.30, tfjs@4.22',
    )
    .option('--vocab <file>', 'vocab.txt whose ids must fit the embedding table')
    .option('--json', 'print JSON (schema bert-parity/inspect@1)')
    .action(async (model: string, opts) => {
      const report = await runInspect(model, opts);
      console.log(opts.json ? JSON.stringify(inspectJson(report), null, 2) : formatInspect(report));
      state.exitCode = report.ok ? EXIT.pass : EXIT.mismatch;
    });

  registerCompare(program, state);
  registerReport(program, state);
  registerCheck(program, state);
  registerInit(program, state);

  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const state: CliState = { exitCode: EXIT.pass };
    await buildProgram(state).parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0 through the same path.
      return error.exitCode === 0 ? EXIT.pass : EXIT.error;
    }
    if (isParityError(error)) {
      console.error(`bert-parity: ${error.code}: ${error.message}`);
      return EXIT.error;
    }
    console.error('bert-parity: unexpected error:', error);
    return EXIT.error;
  }
}
