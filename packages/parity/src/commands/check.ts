import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ParityError } from '@bert-parity/core';
import { type Command, Option } from 'commander';
import { findDefaultConfig, loadConfig, PLATFORM_NAMES, type PlatformName } from '../config/index.ts';
import { exitCodeOf, parseRuntimeNames, parseShard, runCheck, streamProgress } from '../engine/index.ts';
import {
  type ParityReport,
  renderHtml,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderTerminal,
  writeStepSummary,
} from '../report/index.ts';
import { collect } from './options.ts';
import type { CliState } from './state.ts';

export interface CheckCommandOptions {
  config?: string;
  json?: string;
  junit?: string;
  html?: string;
  markdown?: string;
  shard?: string;
  /** Only these runtimes' cells, required even when the config marks them optional. */
  runtime?: string[];
  /** Leave these runtimes' cells out. */
  skipRuntime?: string[];
  baseline?: string;
  updateGolden?: boolean;
  platform?: string;
  /** Progress and per-cell lines go here (stderr by default). */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

function write(path: string, text: string): void {
  try {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    writeFileSync(path, text);
  } catch (cause) {
    throw new ParityError('E_IO', `cannot write report ${path}: ${(cause as Error).message}`, { cause });
  }
}

function platformOption(value: string | undefined): PlatformName | undefined {
  if (value === undefined) return undefined;
  if ((PLATFORM_NAMES as readonly string[]).includes(value)) return value as PlatformName;
  throw new ParityError('E_USAGE', `--platform ${JSON.stringify(value)}; expected one of ${PLATFORM_NAMES.join(', ')}`);
}

/** Runs the check and writes every requested report; returns the report and the exit code. */
export async function runCheckCommand(
  options: CheckCommandOptions,
): Promise<{ report: ParityReport; exitCode: 0 | 1 | 2; table: string }> {
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  const platform = platformOption(options.platform);
  const loaded = await loadConfig(options.config ?? findDefaultConfig(process.cwd()));
  const runtimes = {
    only: parseRuntimeNames('--runtime', options.runtime ?? [], loaded.config),
    skip: parseRuntimeNames('--skip-runtime', options.skipRuntime ?? [], loaded.config),
  };
  const both = runtimes.only.filter((r) => runtimes.skip.includes(r));
  if (both.length > 0) {
    throw new ParityError(
      'E_USAGE',
      `--runtime and --skip-runtime both name ${both.join(', ')}; expected one or the other`,
    );
  }
  const report = await runCheck(loaded, {
    shard,
    runtimes,
    platform,
    updateGolden: options.updateGolden,
    baseline: options.baseline,
    progress: streamProgress(options.progressStream ?? process.stderr),
  });
  if (options.json !== undefined) write(options.json, renderJson(report));
  if (options.junit !== undefined) write(options.junit, renderJunit(report));
  if (options.markdown !== undefined) write(options.markdown, renderMarkdown(report));
  if (options.html !== undefined) write(options.html, renderHtml(report));
  writeStepSummary(report);
  return {
    report,
    exitCode: exitCodeOf(report),
    table: renderTerminal(report, { color: process.stdout.isTTY === true }),
  };
}

/** `bert-parity check`: exit 0 pass, 1 drift or mismatch, 2 config, usage or runtime error (any errored cell). */
export function registerCheck(program: Command, state: CliState): void {
  program
    .command('check')
    .description(
      'run the parity matrix of a config (variants × runtimes × platforms, plus tokenizer conformance) against ' +
        'its reference and bounds; print the table. Exit 0 pass, 1 drift or mismatch, 2 config, usage or runtime error.',
    )
    .option('--config <file>', 'parity.config.ts or .json (default: ./parity.config.ts, then ./parity.config.json)')
    .option('--json <file>', 'write the report as JSON (bert-parity/report@1)')
    .option('--junit <file>', 'write JUnit XML (one test case per cell)')
    .option('--html <file>', 'write the HTML report')
    .option('--markdown <file>', 'write the Markdown report ($GITHUB_STEP_SUMMARY gets it too when set)')
    .option('--shard <i/n>', 'run shard i of n (cell k runs in shard (k mod n) + 1); merge with `report merge`')
    .option(
      '--runtime <name>',
      "only this runtime's cells (repeatable; no tokenizer cells); it must load: optional in the config or not, " +
        'a runtime that cannot load here is an error, not a skip',
      collect,
    )
    .option('--skip-runtime <name>', "leave this runtime's cells out (repeatable)", collect)
    .option('--baseline <report.json>', "show each cell's drift change since that report")
    .option('--update-golden', 'recompute the golden outputs (reference.kind golden-outputs) from reference.source')
    .addOption(new Option('--platform <name>', 'run on this platform only').choices([...PLATFORM_NAMES]))
    .action(async (opts: CheckCommandOptions) => {
      const { exitCode, table } = await runCheckCommand(opts);
      console.log(table);
      state.exitCode = exitCode;
    });
}
