import { createGunzip } from 'node:zlib';
import { backfillRunId, formatRunId, ObjectConflictError, VALIDATION_ERROR_CODES } from '@ledgerlake/domain';
import {
  type BreakerState,
  type CondemnedDecision,
  QUARANTINED_ROW_STATUSES,
  readBreakerState,
  recordCondemnedDecision,
  resetBreaker,
  type RetryRunWatch,
  RunbookRefusedError,
} from '@ledgerlake/pipeline';
import { CliError, EXIT } from './cli-error';
import { type IngestOptions, type IngestOutcome, type InputFile, openInputFile, randomSuffix, startRun } from './ingest';
import type { LocalLake } from './local-lake';
import {
  checkRunId,
  condemnedRows,
  type CondemnedStatus,
  countByCode,
  countByStatus,
  type ListedRow,
  quarantinedRows,
  type QuarantineStatus,
} from './rejected-listing';
import { applyFixes, type Fixes, type RetryOutcome, retryWatch, runRetry } from './retry';

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
    throw new CliError(`${JSON.stringify(code)} is not a quarantine error code (${VALIDATION_ERROR_CODES.join(', ')}).`, EXIT.usage);
  }
  return code;
}

/**
 * `quarantine list`: quarantined rows with their error; OPEN rows only unless `all` (then every
 * status of the row's life, with the retry run that took it).
 */
export async function listQuarantine(
  lake: LocalLake,
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
export async function retryQuarantine(
  lake: LocalLake,
  options: { readonly run: string; readonly error?: string; readonly fixes?: Fixes; readonly fixesFile?: string; readonly by: string },
  ingest: IngestOptions,
): Promise<RetryOutcome> {
  const code = checkErrorCode(options.error);
  const open = (await quarantinedRows(lake, checkRunId(options.run), retryWatch(ingest)))
    .filter(({ listed }) => listed.status === 'OPEN' && (code === undefined || listed.validation_error === code))
    .map(({ row }) => row);
  if (open.length === 0) {
    throw new CliError(`Run ${options.run} has no open quarantined rows${code === undefined ? '' : ` with ${code}`} to retry (see \`ledgerlake quarantine list --all\`).`);
  }
  const what = `an open quarantined row of run ${options.run}${code === undefined ? '' : ` with ${code}`}`;
  return runRetry(
    lake,
    {
      sourceRunId: options.run,
      kind: 'quarantine',
      candidates: applyFixes(open, options.fixes, what),
      requestedBy: options.by,
      reason: null,
      errorFilter: code ?? null,
      fixesFile: options.fixesFile ?? null,
    },
    ingest,
  );
}

/** What `condemned list` prints. */
export interface CondemnedListing {
  readonly rows: ListedRow<CondemnedStatus>[];
  readonly by_code: Record<string, number>;
  readonly by_status: Record<CondemnedStatus, number>;
}

/** `condemned list`: every condemned row with its status (CONDEMNED, APPROVED, REJECTED) and decision. */
export async function listCondemned(lake: LocalLake, options: { readonly run?: string }): Promise<CondemnedListing> {
  const rows = (await condemnedRows(lake, options.run)).map(({ listed }) => listed);
  return { rows, by_code: countByCode(rows), by_status: countByStatus(CONDEMNED_STATUSES, rows) };
}

async function undecidedRows(lake: LocalLake, runId: string, hashes: readonly string[] | undefined) {
  const rows = (await condemnedRows(lake, checkRunId(runId))).filter(({ listed }) => listed.status === 'CONDEMNED').map(({ row }) => row);
  const undecided = new Set(rows.map((row) => row.row_hash));
  const unknown = (hashes ?? []).filter((hash) => !undecided.has(hash));
  if (unknown.length > 0) {
    throw new CliError(`Row ${unknown.join(', ')} is not an undecided condemned row of run ${runId} (see \`ledgerlake condemned list --run ${runId}\`); nothing was recorded.`);
  }
  const chosen = hashes === undefined ? rows : rows.filter((row) => hashes.includes(row.row_hash));
  if (chosen.length === 0) throw new CliError(`Run ${runId} has no undecided condemned rows; nothing was recorded.`);
  return chosen;
}

async function record(lake: LocalLake, decision: CondemnedDecision): Promise<CondemnedDecision> {
  try {
    return await recordCondemnedDecision(lake.store, lake.layout, decision);
  } catch (error) {
    if (error instanceof RunbookRefusedError) throw new CliError(`Refused: ${error.message}; nothing was recorded.`);
    throw error;
  }
}

/**
 * `condemned approve`: records the approval (who, when, why, which rows; create-if-absent per
 * row), then re-submits those rows (corrected by the fixes) as a retry run that the approval lets
 * past the attempt limit once.
 */
export async function approveCondemned(
  lake: LocalLake,
  options: { readonly run: string; readonly by: string; readonly reason: string; readonly rowHashes?: readonly string[]; readonly fixes?: Fixes; readonly fixesFile?: string },
  ingest: IngestOptions,
): Promise<RetryOutcome & { readonly decision: CondemnedDecision }> {
  const rows = await undecidedRows(lake, options.run, options.rowHashes);
  const candidates = applyFixes(rows, options.fixes, `an undecided condemned row being approved`);
  const retryRunId = formatRunId(ingest.now(), randomSuffix());
  const decision = await record(lake, {
    decision_id: `approve-${retryRunId}`,
    decision: 'approve',
    run_id: options.run,
    by: options.by,
    reason: options.reason,
    at: ingest.now().toISOString(),
    rows: rows.map((row) => ({ row_hash: row.row_hash, validation_error: row.validation_error, attempt_count: row.attempt_count, source_line: row.source_line })),
    retry_run_id: retryRunId,
  });
  const outcome = await runRetry(
    lake,
    {
      sourceRunId: options.run,
      kind: 'approval',
      candidates,
      requestedBy: decision.by,
      reason: decision.reason,
      errorFilter: null,
      fixesFile: options.fixesFile ?? null,
      approval: { id: decision.decision_id, retryRunId },
    },
    ingest,
  );
  return { ...outcome, decision };
}

/** `condemned reject`: records the rejection (who, when, why, which rows); the rows are kept and never retried. */
export async function rejectCondemned(
  lake: LocalLake,
  options: { readonly run: string; readonly by: string; readonly reason: string; readonly rowHashes?: readonly string[] },
  now: () => Date,
): Promise<CondemnedDecision> {
  const rows = await undecidedRows(lake, options.run, options.rowHashes);
  return record(lake, {
    decision_id: `reject-${formatRunId(now(), randomSuffix())}`,
    decision: 'reject',
    run_id: options.run,
    by: options.by,
    reason: options.reason,
    at: now().toISOString(),
    rows: rows.map((row) => ({ row_hash: row.row_hash, validation_error: row.validation_error, attempt_count: row.attempt_count, source_line: row.source_line })),
    retry_run_id: null,
  });
}

/** The readable summary of a decision. */
export function formatDecision(decision: CondemnedDecision): string {
  const verb = decision.decision === 'approve' ? 'APPROVED' : 'REJECTED';
  const then = decision.decision === 'approve' ? `; re-submitted as retry run ${decision.retry_run_id}` : '; kept, never retried';
  return `${verb} ${decision.rows.length} condemned row(s) of run ${decision.run_id} by ${decision.by} at ${decision.at} (${decision.reason})${then}\n`;
}

/** `breaker status`. */
export function breakerStatus(lake: LocalLake): Promise<BreakerState> {
  return readBreakerState(lake.store, lake.layout);
}

/** `breaker reset`: closes the breaker, recording who, when and why. */
export function breakerReset(lake: LocalLake, request: { by: string; reason: string; at: Date }): Promise<BreakerState> {
  return resetBreaker(lake.store, lake.layout, request);
}

/** The readable breaker state. */
export function formatBreaker(state: BreakerState): string {
  const last = state.reset.at(-1);
  const lastReset = last === undefined ? 'never reset' : `last reset by ${last.by} at ${last.at} (${last.reason})`;
  if (state.state === 'closed') return `Circuit breaker CLOSED: runs start; ${lastReset}.\n`;
  return (
    `Circuit breaker OPEN since ${state.opened_at} (run ${state.opened_by_run}): ${state.code} failed ${state.failed} of ` +
    `${state.processed} rows in ${state.window_minutes} min; runs are refused until \`ledgerlake breaker reset --by NAME --reason TEXT\`; ${lastReset}.\n`
  );
}

/** What `backfill --json` prints. */
export interface BackfillOutcome extends IngestOutcome {
  readonly backfill_month: string;
  readonly files: readonly string[];
}

/**
 * The backfill's one input, streamed (any size): a single file as it is; several files (each with
 * a header, gzip or not) as one CSV, the first file's header then every file's rows. Headers are
 * read and compared before anything lands: headers that differ are refused, since the columns of
 * one run must mean one thing.
 */
export async function combineBackfillInputs(files: readonly InputFile[]): Promise<AsyncIterable<Uint8Array>> {
  if (files.length === 1) return openInputFile(files[0] as InputFile);
  const headers: { header: string; end: number }[] = [];
  for (const file of files) headers.push(await headerLineOf(file));
  const header = (headers[0] as { header: string }).header;
  headers.forEach((found, index) => {
    if (found.header !== header) {
      throw new CliError(`${files[index]?.path} has another header than ${files[0]?.path}; a backfill's files must share one header. Nothing was backfilled.`);
    }
  });
  return concatenated(files, headers.map((found, index) => (index === 0 ? 0 : found.end)));
}

/** The plain bytes of a file (gunzipped when it ends in `.gz`). */
function plainBytes(file: InputFile): AsyncIterable<Buffer> {
  const raw = openInputFile(file);
  return file.path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
}

/** How much of a file may precede its header line's end. */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** A file's first non-blank line (trimmed, without a byte order mark) and the plain-byte offset after it. */
async function headerLineOf(file: InputFile): Promise<{ header: string; end: number }> {
  let held = Buffer.alloc(0);
  let start = 0;
  for await (const chunk of plainBytes(file)) {
    held = Buffer.concat([held, chunk]);
    for (let lf = held.indexOf(LF, start); lf !== -1; lf = held.indexOf(LF, start)) {
      const line = held.subarray(start, lf).toString('utf8').replace(/^\uFEFF/, '').trim();
      start = lf + 1;
      if (line !== '') return { header: line, end: start };
    }
    if (held.length > MAX_HEADER_BYTES) throw new CliError(`${file.path} has no header line in its first ${MAX_HEADER_BYTES} bytes; nothing was backfilled.`);
  }
  return { header: held.subarray(start).toString('utf8').replace(/^\uFEFF/, '').trim(), end: held.length };
}

/** The files' plain bytes one after the other, each from `skip[i]` (past its header), each ending in a line feed. */
async function* concatenated(files: readonly InputFile[], skip: readonly number[]): AsyncGenerator<Uint8Array> {
  for (const [index, file] of files.entries()) {
    let rest = skip[index] ?? 0;
    let first = true;
    let last = LF;
    for await (const piece of plainBytes(file)) {
      let chunk = piece;
      if (first && index === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      first = false;
      if (rest >= chunk.length) {
        rest -= chunk.length;
        continue;
      }
      chunk = chunk.subarray(rest);
      rest = 0;
      last = chunk[chunk.length - 1] as number;
      yield chunk;
    }
    if (last !== LF) yield Buffer.of(LF);
  }
}

const LF = 0x0a;

/**
 * `backfill --month YYYY-MM FILE...`: lands the files (as one) in Bronze and runs them as a backfill
 * run (`backfill-<timestamp>`, mode backfill, backfill_month): through the same gate, the month's
 * published state is replaced by the run's rows, other months get theirs appended, and Gold is
 * rebuilt from the earliest month touched on.
 */
export async function backfillMonth(
  lake: LocalLake,
  month: string,
  files: readonly InputFile[],
  options: IngestOptions,
): Promise<BackfillOutcome> {
  const runId = backfillRunId(options.now(), randomSuffix());
  const gzip = files.length === 1 && files[0]?.path.endsWith('.gz') === true;
  const source = lake.layout.bronze.backfillFile(options.now().toISOString().slice(0, 10), month, runId, gzip);
  try {
    await lake.store.putIfAbsent(source, await combineBackfillInputs(files));
  } catch (error) {
    if (error instanceof ObjectConflictError) throw new CliError(`Bronze already holds ${source.key}; nothing was backfilled.`);
    throw error;
  }
  const outcome = await startRun(lake, source, files.map((file) => file.path).join(', '), {
    ...options,
    run: { runId, mode: 'backfill', backfill_month: month },
  });
  return { ...outcome, backfill_month: month, files: files.map((file) => file.path) };
}
