import { type RowFields as RowHashFields, RunbookRefusedError } from '@ledgerlake/domain';
import { type RejectedRow } from '@ledgerlake/lake';
import { type RetryCandidate, type RetryRecord, submitRetry } from '@ledgerlake/ledgers';
import { resolveRowHashes, RunbookError } from './errors';
import { newRunId, type Operator } from './lake';

/** What `quarantine retry` and `condemned approve` print: the retry run's outcome and what it re-submitted. */
export type RetryOutcome<O> = O & {
  readonly retry_of: string;
  readonly rows: RetryRecord['rows'];
  readonly approval_id?: string;
};

/** Corrections read from a fixes CSV: the five input fields by the `row_hash` of the row they correct. */
export type Fixes = ReadonlyMap<string, RowHashFields>;

/** The rows to re-submit, corrected where the fixes name them; a fix for a row not selected is refused. */
export function applyFixes(rows: readonly RejectedRow[], fixes: Fixes | undefined, what: string): RetryCandidate[] {
  // A fix names its row by the whole hash or a unique prefix of it.
  const typed = [...(fixes?.keys() ?? [])];
  const resolved = resolveRowHashes(typed, rows.map((row) => row.row_hash), 'rows being re-submitted');
  const byHash = new Map<string, RowHashFields>();
  typed.forEach((hash, index) => {
    const whole = resolved[index];
    if (whole === undefined) throw new RunbookError('unmatched-fix', `The fixes file names row ${hash}, which is not ${what}; nothing was retried.`);
    if (byHash.has(whole)) throw new RunbookError('unmatched-fix', `The fixes file corrects row ${whole} twice; nothing was retried.`);
    byHash.set(whole, fixes?.get(hash) as RowHashFields);
  });
  return rows.map((row) => {
    const fix = byHash.get(row.row_hash);
    return { row, fields: fix ?? row.fields, fixed: fix !== undefined };
  });
}

/** Submits the rows as a new retry run (claims, Bronze file, retry record) and runs it through the state machine. */
export async function runRetry<O>(
  operator: Operator<O>,
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
): Promise<RetryOutcome<O>> {
  const { lake } = operator;
  const retryRunId = request.approval?.retryRunId ?? newRunId(operator.now());
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
      at: operator.now(),
      candidates: request.candidates,
      watch: operator.watch(),
    });
  } catch (error) {
    if (error instanceof RunbookRefusedError) throw new RunbookError('refused', `Refused: ${error.message}; nothing was retried.`);
    throw error;
  }
  const outcome = await operator.startRun(submitted.source, submitted.source.key, {
    runId: retryRunId,
    mode: 'retry',
    ...(request.approval === undefined ? {} : { approval_id: request.approval.id }),
  });
  return {
    ...outcome,
    retry_of: request.sourceRunId,
    rows: submitted.record.rows,
    ...(request.approval === undefined ? {} : { approval_id: request.approval.id }),
  };
}
