import { RunbookRefusedError, VALIDATION_ERROR_CODES } from '@ledgerlake/domain';
import {
  type BreakerState,
  type CondemnedDecision,
  QUARANTINED_ROW_STATUSES,
  readBreakerState,
  recordCondemnedDecision,
  resetBreaker,
  type RetryRunWatch,
} from '@ledgerlake/ledgers';
import { resolveRowHashes, RunbookError } from './errors';
import { type Lake, newRunId, type Operator } from './lake';
import {
  checkRunId,
  condemnedRows,
  type CondemnedStatus,
  countByCode,
  countByStatus,
  type ListedRow,
  quarantinedRows,
  type QuarantineStatus,
} from './rejected-rows';
import { applyFixes, type Fixes, type RetryOutcome, runRetry } from './retry';

const CONDEMNED_STATUSES: readonly CondemnedStatus[] = ['CONDEMNED', 'APPROVED', 'REJECTED'];

/** What `quarantine list` prints. */
export interface QuarantineListing {
  readonly rows: ListedRow<QuarantineStatus>[];
  /** Listed rows per error code. */
  readonly by_code: Record<string, number>;
  /** Every matching row (listed or not) per status. */
  readonly by_status: Record<QuarantineStatus, number>;
}

function checkErrorCode(code: string | undefined): string | undefined {
  if (code !== undefined && !(VALIDATION_ERROR_CODES as readonly string[]).includes(code)) {
    throw new RunbookError('invalid-error-code', `${JSON.stringify(code)} is not a quarantine error code (${VALIDATION_ERROR_CODES.join(', ')}).`);
  }
  return code;
}

/**
 * `quarantine list`: quarantined rows with their error; OPEN rows only unless `all` (then every
 * status of the row's life, with the retry run that took it).
 */
export async function listQuarantine(
  lake: Lake,
  options: { readonly run?: string; readonly error?: string; readonly all?: boolean },
  watch?: RetryRunWatch,
): Promise<QuarantineListing> {
  const code = checkErrorCode(options.error);
  const matching = (await quarantinedRows(lake, options.run, watch))
    .map(({ listed }) => listed)
    .filter((row) => code === undefined || row.validation_error === code);
  const rows = options.all === true ? matching : matching.filter((row) => row.status === 'OPEN');
  return { rows, by_code: countByCode(rows), by_status: countByStatus(QUARANTINED_ROW_STATUSES, matching) };
}

/** `quarantine retry`: the run's OPEN quarantined rows (of one code), corrected by the fixes, as a new retry run. */
export async function retryQuarantine<O>(
  operator: Operator<O>,
  options: { readonly run: string; readonly error?: string; readonly fixes?: Fixes; readonly fixesFile?: string; readonly by: string },
): Promise<RetryOutcome<O>> {
  const code = checkErrorCode(options.error);
  const open = (await quarantinedRows(operator.lake, checkRunId(options.run), operator.watch()))
    .filter(({ listed }) => listed.status === 'OPEN' && (code === undefined || listed.validation_error === code))
    .map(({ row }) => row);
  if (open.length === 0) {
    throw new RunbookError('no-rows', `Run ${options.run} has no open quarantined rows${code === undefined ? '' : ` with ${code}`} to retry (see \`ledgerlake quarantine list --all\`).`);
  }
  const what = `an open quarantined row of run ${options.run}${code === undefined ? '' : ` with ${code}`}`;
  return runRetry(operator, {
      sourceRunId: options.run,
      kind: 'quarantine',
      candidates: applyFixes(open, options.fixes, what),
      requestedBy: options.by,
      reason: null,
      errorFilter: code ?? null,
      fixesFile: options.fixesFile ?? null,
  });
}

/** What `condemned list` prints. */
export interface CondemnedListing {
  readonly rows: ListedRow<CondemnedStatus>[];
  readonly by_code: Record<string, number>;
  readonly by_status: Record<CondemnedStatus, number>;
}

/** `condemned list`: every condemned row with its status (CONDEMNED, APPROVED, REJECTED) and decision. */
export async function listCondemned(lake: Lake, options: { readonly run?: string }): Promise<CondemnedListing> {
  const rows = (await condemnedRows(lake, options.run)).map(({ listed }) => listed);
  return { rows, by_code: countByCode(rows), by_status: countByStatus(CONDEMNED_STATUSES, rows) };
}

async function undecidedRows(lake: Lake, runId: string, hashes: readonly string[] | undefined) {
  const rows = (await condemnedRows(lake, checkRunId(runId))).filter(({ listed }) => listed.status === 'CONDEMNED').map(({ row }) => row);
  const resolved = resolveRowHashes(hashes ?? [], rows.map((row) => row.row_hash), `undecided condemned rows of run ${runId}`);
  const unknown = (hashes ?? []).filter((_, index) => resolved[index] === undefined);
  if (unknown.length > 0) {
    throw new RunbookError('unknown-rows', `Row ${unknown.join(', ')} is not an undecided condemned row of run ${runId} (see \`ledgerlake condemned list --run ${runId}\`); nothing was recorded.`);
  }
  const chosen = hashes === undefined ? rows : rows.filter((row) => resolved.includes(row.row_hash));
  if (chosen.length === 0) throw new RunbookError('no-rows', `Run ${runId} has no undecided condemned rows; nothing was recorded.`);
  return chosen;
}

async function record(lake: Lake, decision: CondemnedDecision): Promise<CondemnedDecision> {
  try {
    return await recordCondemnedDecision(lake.store, lake.layout, decision);
  } catch (error) {
    if (error instanceof RunbookRefusedError) throw new RunbookError('refused', `Refused: ${error.message}; nothing was recorded.`);
    throw error;
  }
}

/**
 * `condemned approve`: records the approval (who, when, why, which rows; create-if-absent per
 * row), then re-submits those rows (corrected by the fixes) as a retry run that the approval lets
 * past the attempt limit once.
 */
export async function approveCondemned<O>(
  operator: Operator<O>,
  options: { readonly run: string; readonly by: string; readonly reason: string; readonly rowHashes?: readonly string[]; readonly fixes?: Fixes; readonly fixesFile?: string },
): Promise<RetryOutcome<O> & { readonly decision: CondemnedDecision }> {
  const { lake } = operator;
  const rows = await undecidedRows(lake, options.run, options.rowHashes);
  const candidates = applyFixes(rows, options.fixes, `an undecided condemned row being approved`);
  const retryRunId = newRunId(operator.now());
  const decision = await record(lake, {
    decision_id: `approve-${retryRunId}`,
    decision: 'approve',
    run_id: options.run,
    by: options.by,
    reason: options.reason,
    at: operator.now().toISOString(),
    rows: rows.map((row) => ({ row_hash: row.row_hash, validation_error: row.validation_error, attempt_count: row.attempt_count, source_line: row.source_line })),
    retry_run_id: retryRunId,
  });
  const outcome = await runRetry(operator, {
      sourceRunId: options.run,
      kind: 'approval',
      candidates,
      requestedBy: decision.by,
      reason: decision.reason,
      errorFilter: null,
      fixesFile: options.fixesFile ?? null,
      approval: { id: decision.decision_id, retryRunId },
  });
  return { ...outcome, decision };
}

/** `condemned reject`: records the rejection (who, when, why, which rows); the rows are kept and never retried. */
export async function rejectCondemned(
  lake: Lake,
  options: { readonly run: string; readonly by: string; readonly reason: string; readonly rowHashes?: readonly string[] },
  now: () => Date,
): Promise<CondemnedDecision> {
  const rows = await undecidedRows(lake, options.run, options.rowHashes);
  return record(lake, {
    decision_id: `reject-${newRunId(now())}`,
    decision: 'reject',
    run_id: options.run,
    by: options.by,
    reason: options.reason,
    at: now().toISOString(),
    rows: rows.map((row) => ({ row_hash: row.row_hash, validation_error: row.validation_error, attempt_count: row.attempt_count, source_line: row.source_line })),
    retry_run_id: null,
  });
}

/** `breaker status`. */
export function breakerStatus(lake: Lake): Promise<BreakerState> {
  return readBreakerState(lake.store, lake.layout);
}

/** `breaker reset`: closes the breaker, recording who, when and why. */
export function breakerReset(lake: Lake, request: { by: string; reason: string; at: Date }): Promise<BreakerState> {
  return resetBreaker(lake.store, lake.layout, request);
}
