import { readFileSync } from 'node:fs';
import { ParityError, preview } from '@bert-parity/core';
import { describeIssues } from '../issues.ts';
import { decodeNonFinite, encodeNonFinite } from './json-numbers.ts';
import { reportSchema } from './schema.ts';
import { type ParityReport, REPORT_SCHEMA } from './types.ts';

/** The report as JSON: the ParityReport itself, non-finite numbers as "NaN"/"Infinity"/"-Infinity". */
export function renderJson(report: ParityReport): string {
  return `${JSON.stringify(report, encodeNonFinite, 2)}\n`;
}

const SCHEMA_NAME = REPORT_SCHEMA.slice(0, REPORT_SCHEMA.indexOf('@'));
const SCHEMA_VERSION = Number(REPORT_SCHEMA.slice(REPORT_SCHEMA.indexOf('@') + 1));

function bad(source: string, what: string): never {
  throw new ParityError('E_REPORT_SCHEMA', `${source}: ${what}`, { details: { source } });
}

/** Parses report JSON, checking the schema name and version and the fields every renderer relies on. */
export function parseReport(text: string, source = '<report>'): ParityReport {
  let value: unknown;
  try {
    value = JSON.parse(text, decodeNonFinite);
  } catch (cause) {
    bad(source, `is not valid JSON (${(cause as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad(source, 'is not a JSON object');
  const r = value as Record<string, unknown>;
  const schema = r.schema;
  if (typeof schema !== 'string' || !schema.startsWith(`${SCHEMA_NAME}@`)) {
    bad(source, `schema is ${preview(schema)}; expected "${REPORT_SCHEMA}"`);
  }
  const version = Number(schema.slice(SCHEMA_NAME.length + 1));
  if (version !== SCHEMA_VERSION) {
    bad(
      source,
      `schema "${schema}" is version ${schema.slice(SCHEMA_NAME.length + 1)}; this bert-parity reads version ${SCHEMA_VERSION} ("${REPORT_SCHEMA}")`,
    );
  }
  if (!Array.isArray(r.cells)) bad(source, `cells is ${preview(r.cells)}; expected an array`);
  const config = r.config as { sha256?: unknown } | undefined;
  if (typeof config?.sha256 !== 'string') bad(source, 'config.sha256 is missing; expected a string');
  for (const [i, c] of (r.cells as unknown[]).entries()) {
    const cell = c as Record<string, unknown> | null;
    if (cell === null || typeof cell !== 'object' || typeof cell.id !== 'string') {
      bad(source, `cells[${i}] has no string id`);
    }
    if (cell.kind !== 'model' && cell.kind !== 'tokenizer') {
      bad(source, `cells[${i}] (${cell.id}) has kind ${preview(cell.kind)}; expected "model" or "tokenizer"`);
    }
    if (!['pass', 'fail', 'error', 'skipped'].includes(cell.status as string)) {
      bad(source, `cells[${i}] (${cell.id}) has status ${preview(cell.status)}; expected pass, fail, error or skipped`);
    }
    if (cell.kind === 'model' && !Array.isArray(cell.outputs))
      bad(source, `cells[${i}] (${cell.id}) has no outputs array`);
  }
  const checked = reportSchema.safeParse(value);
  if (!checked.success) bad(source, describeIssues(checked.error, value).slice(0, 5).join('; '));
  return value as ParityReport;
}

export function readReport(path: string): ParityReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ParityError('E_IO', `cannot read report ${path}: ${(cause as Error).message}`, { cause });
  }
  return parseReport(text, path);
}
