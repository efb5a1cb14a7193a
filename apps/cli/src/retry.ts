import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { COLUMN_ROLES, inputColumns, type RowFields, TRANSACTIONS_DATASET, count } from '@ledgerlake/domain';
import { LOCAL_LIVENESS, type RetryRunWatch } from '@ledgerlake/ledgers';
import type { Fixes, ListedRow, Operator, RetryOutcome } from '@ledgerlake/runbook';
import { parse } from 'csv-parse/sync';
import { CliError, EXIT } from './cli-error';
import { csvField } from './sql-output';
import { type IngestOptions, type IngestOutcome, startRun } from './ingest';
import type { LocalLake } from './lake-folder';

const FIXES_COLUMNS = ['row_hash', ...inputColumns(TRANSACTIONS_DATASET)];

/**
 * Reads a fixes CSV: a `row_hash` column naming the rejected row and the five input columns with
 * the corrected values (all of them: the row is re-submitted as written there). One sentence,
 * exit 1, for a file that cannot be read or lacks a column, or names a row twice.
 */
export async function readFixes(path: string, cwd: string): Promise<Fixes> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch {
    throw new CliError(`Cannot read the fixes file ${path}; nothing was retried.`);
  }
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, bom: true, trim: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (error) {
    throw new CliError(`The fixes file ${path} is not valid CSV (${(error as Error).message}); nothing was retried.`);
  }
  const header = records.length === 0 ? parseHeader(text) : Object.keys(records[0] as object);
  const missing = FIXES_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0) throw new CliError(`The fixes file ${path} has no column ${missing.join(', ')}; nothing was retried.`);
  const fixes = new Map<string, RowFields>();
  for (const record of records) {
    const hash = record['row_hash'] ?? '';
    if (fixes.has(hash)) throw new CliError(`The fixes file ${path} corrects row ${hash} twice; nothing was retried.`);
    const value = (role: (typeof COLUMN_ROLES)[number]) => unguarded(record[TRANSACTIONS_DATASET.columns[role].input] ?? '');
    fixes.set(hash, { id: value('id'), account: value('account'), amount: value('amount'), currency: value('currency'), timestamp: value('timestamp') });
  }
  return fixes;
}

/*
 * A fixes template (`quarantine list --fixes-template FILE.csv`): the listed rows as a fixes file
 * ready to edit — `row_hash`, the five input columns with the values as they arrived, and, for
 * reading only, the run, the error code and its detail. Safe to open in a spreadsheet: a value a
 * spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return) is
 * written with a leading `'`, which `readFixes` removes again (so `-100.00` comes back as it was).
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** A value as the template writes it: a leading `'` before a formula start (or before a `'` that precedes one). */
export function guarded(value: string): string {
  return FORMULA_START.test(value) || /^'[=+\-@\t\r']/.test(value) ? `'${value}` : value;
}

/** A fixes file's value as meant: the template's guarding `'` removed. */
export function unguarded(value: string): string {
  return /^'[=+\-@\t\r']/.test(value) ? value.slice(1) : value;
}

/** Writes the fixes template of `rows` (one run's) to `path`; resolves to the number of rows written. */
export async function writeFixesTemplate(path: string, cwd: string, rows: readonly ListedRow<string>[]): Promise<number> {
  const runs = [...new Set(rows.map((row) => row.run_id))];
  if (runs.length > 1) {
    throw new CliError(`The rows listed come from ${runs.length} runs, and a retry takes one run's rows: add --run RUN_ID to write a fixes template.`, EXIT.usage);
  }
  const header = [...FIXES_COLUMNS, 'run_id', 'validation_error', 'error_detail'];
  const cell = (value: string) => csvField(guarded(value));
  const lines = rows.map((row) =>
    [row.row_hash, ...inputColumns(TRANSACTIONS_DATASET).map((column) => row.fields[column] ?? ''), row.run_id, row.validation_error, row.error_detail].map(cell).join(','),
  );
  try {
    await writeFile(resolve(cwd, path), `${[header.join(','), ...lines].join('\r\n')}\r\n`);
  } catch (error) {
    throw new CliError(`Cannot write the fixes template ${path}: ${(error as Error).message}.`);
  }
  return rows.length;
}

function parseHeader(text: string): string[] {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  return first.split(',').map((name) => name.trim());
}

/**
 * How the runbook tells a retry run that died without a record (libs/ledgers `retryRunGone`): the
 * runs' clock, liveness probe and claim lease.
 */
export function retryWatch(options?: Pick<IngestOptions, 'now' | 'wiring'>): RetryRunWatch {
  const minutes = options?.wiring?.loopPrevention?.claimTimeoutMinutes;
  return {
    at: options?.now() ?? new Date(),
    liveness: options?.wiring?.liveness ?? LOCAL_LIVENESS,
    ...(minutes === undefined ? {} : { claimTimeoutMinutes: minutes }),
  };
}

/**
 * The runbook's operator on a lake as this command runs it: runs start as `options.startRun` says
 * (in-process on a lake folder, Step Functions on a stage), on the command's clock.
 */
export function operatorFor(lake: LocalLake, options: IngestOptions): Operator<IngestOutcome> {
  return {
    lake,
    now: options.now,
    watch: () => retryWatch(options),
    startRun: (source, file, run) => startRun(lake, source, file, { ...options, run }),
  };
}

/** The readable summary of a retry. */
export function formatRetryOutcome(outcome: RetryOutcome<IngestOutcome>, summary: string): string {
  const fixed = outcome.rows.filter((row) => row.fixed).length;
  return `Re-submitted ${count(outcome.rows.length, 'row')} of run ${outcome.retry_of} (${fixed} corrected) as retry run ${outcome.run_id}.\n${summary}`;
}

/** Refuses a decision or reset without who and why (exit 2). */
export function requireWhoAndWhy(options: { by?: string; reason?: string }, what: string): { by: string; reason: string } {
  const by = options.by?.trim() ?? '';
  const reason = options.reason?.trim() ?? '';
  if (by === '' || reason === '') {
    throw new CliError(`${what} needs --by NAME and --reason TEXT: who decided it and why are recorded in the lake.`, EXIT.usage);
  }
  return { by, reason };
}
