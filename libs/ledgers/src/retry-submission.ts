import { hash } from 'node:crypto';
import { COLUMN_ROLES, type DatasetSpec, inputColumns, quoteCsvField, rowHashInput, type RowFields } from '@ledgerlake/domain';
import type { LakeLayout, ObjectRef, ObjectStore } from '@ledgerlake/storage';
import type { RejectedRow } from '@ledgerlake/lake';
import { claimRetryRows, type RetryRecord, type RetryRow, retryFileRef, type RetryRunWatch, writeRetryRecord } from './runbook-ledger';
import { discardSupersededOutput } from './superseded-run';

/*
 * A retry is a run like any other (mode `retry`): its rows are written to Bronze as a CSV with the
 * five input columns plus `attempt_count` (which enrichment honours in mode retry only) and
 * `retry_of_row_hash` (lineage: the quarantined or condemned row it re-submits). The same core
 * serves the local command and the cloud; the caller then starts the state machine on `source`
 * with `{mode: 'retry', source, approval_id?}`, named with the retry run id.
 */

/** The columns of a retry file of `dataset`: its five input columns, then the attempt and the row it retries. */
export function retryFileColumns(dataset: DatasetSpec): readonly string[] {
  return [...inputColumns(dataset), 'attempt_count', 'retry_of_row_hash'];
}

/** One row to re-submit: the rejected row and the fields it is re-submitted with (corrected or as stored). */
export interface RetryCandidate {
  readonly row: RejectedRow;
  readonly fields: RowFields;
  /** Whether a person corrected the fields (a fixes file named the row). */
  readonly fixed: boolean;
}

/** A retry to submit. */
export interface RetrySubmission {
  readonly sourceRunId: string;
  readonly retryRunId: string;
  readonly kind: RetryRecord['kind'];
  readonly requestedBy: string;
  readonly reason: string | null;
  readonly errorFilter: string | null;
  readonly fixesFile: string | null;
  readonly approvalId: string | null;
  readonly at: Date;
  readonly candidates: readonly RetryCandidate[];
  /** Tells a retry run that held these rows and died without a record (its claims are taken over); default: such a run holds them. */
  readonly watch?: RetryRunWatch;
}

/** The SHA-256 row hash of five fields (docs/contract/rules.md, "Row identity"). */
export function rowHashOf(fields: RowFields): string {
  return hash('sha256', rowHashInput(fields), 'hex');
}

/**
 * The retry file's text: header, then one line per row (a missing field is written empty). A CSV
 * for the pipeline, not for people: values are written exactly (`quoteCsvField`), never
 * neutralised, so the retried row is the row that was stored.
 */
export function retryFileText(dataset: DatasetSpec, rows: readonly { fields: RowFields; attempt: number; retryOf: string }[]): string {
  const lines = [retryFileColumns(dataset).join(',')];
  for (const { fields, attempt, retryOf } of rows) {
    lines.push([...COLUMN_ROLES.map((role) => quoteCsvField(fields[role] ?? '')), String(attempt), retryOf].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Submits a retry: identical rows (same `row_hash`) are re-submitted once; each is claimed for
 * attempt `attempt_count + 1` (all or nothing, `RunbookRefusedError` when any was retried for that
 * attempt already); the rejected copies of the rows that void retry runs had made (claims taken
 * over) are removed, as a superseded run's are; the retry file lands in Bronze as
 * `retry-<retry run id>.csv` under the day of `at`; the retry record is written. Returns where the
 * file landed and the record.
 */
export async function submitRetry(
  store: ObjectStore,
  layout: LakeLayout,
  submission: RetrySubmission,
): Promise<{ source: ObjectRef; record: RetryRecord }> {
  const seen = new Set<string>();
  const rows: (RetryRow & { fields: RowFields })[] = [];
  for (const { row, fields, fixed } of submission.candidates) {
    if (seen.has(row.row_hash)) continue;
    seen.add(row.row_hash);
    // The row as the retry file holds it (a field the record did not have is written empty), so
    // `new_row_hash` is what enrichment computes when it reads the file.
    const written: RowFields = {
      id: fields.id ?? '',
      account: fields.account ?? '',
      amount: fields.amount ?? '',
      currency: fields.currency ?? '',
      timestamp: fields.timestamp ?? '',
    };
    const newHash = rowHashOf(written);
    rows.push({
      row_hash: row.row_hash,
      new_row_hash: newHash,
      attempt_count: row.attempt_count + 1,
      validation_error: row.validation_error,
      source_line: row.source_line,
      fixed,
      fields: written,
    });
  }
  const claimedAt = submission.at.toISOString();
  const voided = await claimRetryRows(
    store,
    layout,
    rows.map((row) => ({
      row_hash: row.row_hash,
      attempt_count: row.attempt_count,
      source_run_id: submission.sourceRunId,
      retry_run_id: submission.retryRunId,
      new_row_hash: row.new_row_hash,
      claimed_at: claimedAt,
      previous_runs: [],
    })),
    submission.watch,
  );
  for (const run of voided) await discardSupersededOutput(store, layout, run);
  const source = retryFileRef(layout, submission.retryRunId, claimedAt);
  await store.putIfAbsent(source, retryFileText(layout.dataset, rows.map((row) => ({ fields: row.fields, attempt: row.attempt_count, retryOf: row.row_hash }))), {
    contentType: 'text/csv',
  });
  const record: RetryRecord = {
    retry_run_id: submission.retryRunId,
    source_run_id: submission.sourceRunId,
    kind: submission.kind,
    requested_by: submission.requestedBy,
    requested_at: claimedAt,
    reason: submission.reason,
    error_filter: submission.errorFilter,
    fixes_file: submission.fixesFile,
    approval_id: submission.approvalId,
    source,
    rows: rows.map(({ fields: _fields, ...row }) => row),
  };
  await writeRetryRecord(store, layout, record);
  return { source, record };
}
