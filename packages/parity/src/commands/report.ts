import { writeFileSync } from 'node:fs';
import { ParityError } from '@bert-parity/core';
import type { Command } from 'commander';
import { renderHtml } from '../report/html.ts';
import { readReport, renderJson } from '../report/json.ts';
import { renderJunit } from '../report/junit.ts';
import { renderMarkdown, writeStepSummary } from '../report/markdown.ts';
import { mergeReports } from '../report/merge.ts';
import { reportPasses } from '../report/summary.ts';
import { renderTerminal } from '../report/terminal.ts';
import type { CliState } from './state.ts';

function write(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (cause) {
    throw new ParityError('E_IO', `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
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
        'summary and timing recomputed',
    )
    .argument('<reports...>', 'report JSON files')
    .requiredOption('--out <file>', 'merged report JSON')
    .action((files: string[], opts: { out: string }) => {
      const merged = mergeReports(
        files.map((f) => readReport(f)),
        files,
      );
      write(opts.out, renderJson(merged));
      console.log(renderTerminal(merged, { color: process.stdout.isTTY === true }));
      writeStepSummary(merged);
      state.exitCode = reportPasses(merged) ? 0 : 1;
    });
  report
    .command('render')
    .description('render a report JSON as a table, JUnit XML, Markdown or HTML (Markdown also to $GITHUB_STEP_SUMMARY)')
    .argument('<report>', 'report JSON file')
    .option('--junit <file>', 'JUnit XML')
    .option('--html <file>', 'self-contained HTML')
    .option('--markdown <file>', 'Markdown summary')
    .action((file: string, opts: { junit?: string; html?: string; markdown?: string }) => {
      const r = readReport(file);
      if (opts.junit !== undefined) write(opts.junit, renderJunit(r));
      if (opts.html !== undefined) write(opts.html, renderHtml(r));
      if (opts.markdown !== undefined) write(opts.markdown, renderMarkdown(r));
      console.log(renderTerminal(r, { color: process.stdout.isTTY === true }));
      writeStepSummary(r);
      state.exitCode = reportPasses(r) ? 0 : 1;
    });
}
