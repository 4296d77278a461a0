import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParityError } from '@bert-parity/core';
import type { Command } from 'commander';
import { renderHtml } from '../report/html.ts';
import { readReport, renderJson } from '../report/json.ts';
import { renderJunit } from '../report/junit.ts';
import { renderMarkdown, writeStepSummary } from '../report/markdown.ts';
import { mergeReports, missingParts } from '../report/merge.ts';
import { reportPasses } from '../report/summary.ts';
import { renderTerminal } from '../report/terminal.ts';
import type { ParityReport } from '../report/types.ts';
import type { CliState } from './state.ts';

function write(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (cause) {
    throw new ParityError('E_IO', `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

interface RenderOptions {
  junit?: string;
  html?: string;
  markdown?: string;
}

/** Writes the requested formats, prints the table and the step summary; returns the exit code (0 or 1). */
function publish(report: ParityReport, opts: RenderOptions): number {
  if (opts.junit !== undefined) write(opts.junit, renderJunit(report));
  if (opts.html !== undefined) write(opts.html, renderHtml(report));
  if (opts.markdown !== undefined) write(opts.markdown, renderMarkdown(report));
  console.log(renderTerminal(report, { color: process.stdout.isTTY === true }));
  writeStepSummary(report);
  return reportPasses(report) ? 0 : 1;
}

/** Report files as given; a folder stands for the `.json` files in it (sorted), as a downloaded artifact folder. */
function reportFiles(args: readonly string[]): string[] {
  return args.flatMap((arg) => {
    let isDir = false;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      // A download folder that never came (no part uploaded a report) says so; a file, readReport says why.
      if (!arg.endsWith('.json') && !existsSync(arg)) {
        throw new ParityError('E_REPORT_MERGE', `${arg} does not exist; expected report files or a folder of them`);
      }
      return [arg];
    }
    if (!isDir) return [arg];
    const files = readdirSync(arg)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(arg, f));
    if (files.length === 0) {
      throw new ParityError('E_REPORT_MERGE', `${arg} holds no .json report; expected the shard reports of a run`);
    }
    return files;
  });
}

/**
 * `report merge` and `report render`: both print the terminal table and exit like `check` would on the
 * report (0 when no cell failed or errored, 1 otherwise), so a CI job can gate on the merged result.
 */
export function registerReport(program: Command, state: CliState): void {
  const report = program.command('report').description('merge and render parity reports (JSON from `check`)');
  report
    .command('merge')
    .description(
      'merge shard reports of one run (same schema and config sha256, no duplicate cells): cells concatenated, ' +
        'summary and timing recomputed. With --require-shards, exit 2 (after writing the merged reports) when a ' +
        'shard, or a runtime the shards left out, has no report.',
    )
    .argument('<reports...>', 'report JSON files, or folders of them')
    .requiredOption('--out <file>', 'merged report JSON')
    .option('--require-shards', 'every shard 1..n and every runtime the shards skip must have a report')
    .option('--junit <file>', 'also write the merged report as JUnit XML')
    .option('--html <file>', 'also write it as HTML')
    .option('--markdown <file>', 'also write it as Markdown')
    .action((args: string[], opts: RenderOptions & { out: string; requireShards?: boolean }) => {
      const files = reportFiles(args);
      const reports = files.map((f) => readReport(f));
      const merged = mergeReports(reports, files);
      write(opts.out, renderJson(merged));
      state.exitCode = publish(merged, opts);
      const missing = opts.requireShards === true ? missingParts(reports, files) : undefined;
      // After writing: the merged report of the parts that did arrive is still worth uploading.
      if (missing !== undefined) throw new ParityError('E_REPORT_MERGE', `incomplete run: ${missing}`);
    });
  report
    .command('render')
    .description('render a report JSON as a table, JUnit XML, Markdown or HTML (Markdown also to $GITHUB_STEP_SUMMARY)')
    .argument('<report>', 'report JSON file')
    .option('--junit <file>', 'JUnit XML')
    .option('--html <file>', 'self-contained HTML')
    .option('--markdown <file>', 'Markdown summary')
    .action((file: string, opts: RenderOptions) => {
      state.exitCode = publish(readReport(file), opts);
    });
}
