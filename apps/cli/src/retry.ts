import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatRunId, REQUIRED_COLUMNS, type RowHashFields } from '@ledgerlake/domain';
import { LOCAL_LIVENESS, type RetryCandidate, type RetryRecord, type RetryRunWatch, RunbookRefusedError, submitRetry, type RejectedRow } from '@ledgerlake/pipeline';
import { parse } from 'csv-parse/sync';
import { CliError, EXIT } from './cli-error';
import { type IngestOptions, type IngestOutcome, randomSuffix, startRun } from './ingest';
import type { LocalLake } from './local-lake';

/** What `quarantine retry` and `condemned approve` print: the retry run's outcome and what it re-submitted. */
export interface RetryOutcome extends IngestOutcome {
  readonly retry_of: string;
  readonly rows: RetryRecord['rows'];
  readonly approval_id?: string;
}

/** Corrections read from a fixes CSV: the five input fields by the `row_hash` of the row they correct. */
export type Fixes = ReadonlyMap<string, RowHashFields>;

const FIXES_COLUMNS = ['row_hash', ...REQUIRED_COLUMNS] as const;

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
  const fixes = new Map<string, RowHashFields>();
  for (const record of records) {
    const hash = record['row_hash'] ?? '';
    if (fixes.has(hash)) throw new CliError(`The fixes file ${path} corrects row ${hash} twice; nothing was retried.`);
    fixes.set(hash, REQUIRED_COLUMNS.map((column) => record[column] ?? '') as unknown as RowHashFields);
  }
  return fixes;
}

function parseHeader(text: string): string[] {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  return first.split(',').map((name) => name.trim());
}

/** The rows to re-submit, corrected where the fixes name them; a fix for a row not selected is refused. */
export function applyFixes(rows: readonly RejectedRow[], fixes: Fixes | undefined, what: string): RetryCandidate[] {
  const selected = new Set(rows.map((row) => row.row_hash));
  for (const hash of fixes?.keys() ?? []) {
    if (!selected.has(hash)) throw new CliError(`The fixes file names row ${hash}, which is not ${what}; nothing was retried.`);
  }
  return rows.map((row) => {
    const fix = fixes?.get(row.row_hash);
    return { row, fields: fix ?? row.fields, fixed: fix !== undefined };
  });
}

/**
 * How the runbook tells a retry run that died without a record (libs/pipeline `retryRunGone`): the
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

/** Submits the rows as a new retry run (claims, Bronze file, retry record) and runs it through the state machine. */
export async function runRetry(
  lake: LocalLake,
  request: {
    readonly sourceRunId: string;
    readonly kind: RetryRecord['kind'];
    readonly candidates: readonly RetryCandidate[];
    readonly requestedBy: string;
    readonly reason: string | null;
    readonly errorFilter: string | null;
    readonly fixesFile: string | null;
    /** approve: the recorded approval, and the run id it named. */
    readonly approval?: { readonly id: string; readonly retryRunId: string };
  },
  options: IngestOptions,
): Promise<RetryOutcome> {
  const retryRunId = request.approval?.retryRunId ?? formatRunId(options.now(), randomSuffix());
  let submitted;
  try {
    submitted = await submitRetry(lake.store, lake.layout, {
      sourceRunId: request.sourceRunId,
      retryRunId,
      kind: request.kind,
      requestedBy: request.requestedBy,
      reason: request.reason,
      errorFilter: request.errorFilter,
      fixesFile: request.fixesFile,
      approvalId: request.approval?.id ?? null,
      at: options.now(),
      candidates: request.candidates,
      watch: retryWatch(options),
    });
  } catch (error) {
    if (error instanceof RunbookRefusedError) throw new CliError(`Refused: ${error.message}; nothing was retried.`);
    throw error;
  }
  const outcome = await startRun(lake, submitted.source, submitted.source.key, {
    ...options,
    run: { runId: retryRunId, mode: 'retry', ...(request.approval === undefined ? {} : { approval_id: request.approval.id }) },
  });
  return {
    ...outcome,
    retry_of: request.sourceRunId,
    rows: submitted.record.rows,
    ...(request.approval === undefined ? {} : { approval_id: request.approval.id }),
  };
}

/** The readable summary of a retry. */
export function formatRetryOutcome(outcome: RetryOutcome, summary: string): string {
  const fixed = outcome.rows.filter((row) => row.fixed).length;
  return `Re-submitted ${outcome.rows.length} row(s) of run ${outcome.retry_of} (${fixed} corrected) as retry run ${outcome.run_id}.\n${summary}`;
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
