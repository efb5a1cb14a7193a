import { hash } from 'node:crypto';
import { ObjectConflictError, RunbookRefusedError, RunIdSchema } from '@ledgerlake/domain';
import type { LakeLayout, ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { z } from 'zod';
import { JSON_PUT_OPTIONS, jsonBody, readVersionedJson } from '@ledgerlake/storage';
import { claimLapse, DEFAULT_CLAIM_TIMEOUT_MINUTES, readLedgerEntry } from './processed-file-ledger';
import type { LivenessProbe } from './promotion-intent';
import { readRunRecord, type RunRecord } from './run-record';
import { ObjectRefSchema } from '@ledgerlake/contract';

/*
 * What people decided about rejected rows (docs/contract/interfaces.md, "Runbook operations"), recorded in the lake with
 * create-if-absent writes so that two operators (or two retries) never act on the same row twice:
 *
 * - a retry claim per quarantined row and attempt (`control/retries/claims/<row_hash>/attempt=<n>.json`):
 *   the row is re-submitted as attempt n by exactly one retry run; a claim whose run FAILED, was
 *   BLOCKED or INTERRUPTED may be taken over (nothing of that run was published: `isVoidRetryRun`);
 * - a retry record per retry run (`control/retries/runs/<run_id>.json`): which rows, from which
 *   run, corrected or not, asked by whom and when;
 * - a decision per approval or rejection of condemned rows (`control/condemned/decisions/<id>.json`:
 *   who, when, why, which rows) and a marker per decided row (`control/condemned/rows/...`), so a
 *   row is approved or rejected once, and a rejected row is never retried.
 */

const SHA256 = z.string().regex(/^[0-9a-f]{64}$/);


/**
 * The life of one quarantined row (docs/quarantine-lifecycle.md), as its retry claim for the next
 * attempt and that retry run's record tell it:
 *
 *   OPEN ──retry──▶ RETRYING(run) ──run PUBLISHED──▶ RESOLVED       the row is in Silver
 *                         │                     ├──▶ REQUARANTINED  failed again: OPEN as a row of
 *                         │                     │                   that run, one attempt higher
 *                         │                     └──▶ CONDEMNED      e.g. MAX_ATTEMPTS at the limit
 *                         └──run FAILED / BLOCKED / INTERRUPTED──▶ OPEN (again, same attempt)
 *
 * A retry run that did not publish decided nothing: its claims may be taken over and its own
 * quarantined and condemned copies of the rows are void (listed nowhere; the next retry of the
 * rows removes them). So each row is OPEN at most once, in one run.
 */
export const QUARANTINED_ROW_STATUSES = ['OPEN', 'RETRYING', 'RESOLVED', 'REQUARANTINED', 'CONDEMNED'] as const;
/** Where a quarantined row is in its life. */
export type QuarantinedRowStatus = (typeof QUARANTINED_ROW_STATUSES)[number];

/**
 * Whether a retry run ended without publishing (FAILED, BLOCKED, INTERRUPTED): it decided none of
 * its rows, so their claims may be taken over and its rejected copies of them count for nothing.
 */
export function isVoidRetryRun(record: Pick<RunRecord, 'status'> | undefined): boolean {
  return record?.status === 'FAILED' || record?.status === 'BLOCKED' || record?.status === 'INTERRUPTED';
}

/** What tells whether a retry run that left no record is gone (`retryRunGone`). */
export interface RetryRunWatch {
  readonly at: Date;
  /** The processed-file claim's lease (default `DEFAULT_CLAIM_TIMEOUT_MINUTES`). */
  readonly claimTimeoutMinutes?: number;
  readonly liveness?: LivenessProbe;
}

/** Where a retry run's file lands in Bronze: `retry-<retry run id>.csv` under the day it claimed its rows. */
export function retryFileRef(layout: LakeLayout, retryRunId: string, claimedAt: string): ObjectRef {
  return layout.bronze.retryFile(claimedAt.slice(0, 10), retryRunId);
}

/**
 * Whether a retry run that left no run record and began no promotion is gone — killed before it
 * could record anything (SIGKILL, an execution that died past its Catch): its processed-file claim
 * of its retry file ran out or names a dead holder, or, having never claimed it, it claimed its
 * rows longer ago than the claim's lease. Such a run decided nothing, like a void one: its rows
 * are OPEN again and their claims may be taken over. A run still going is never gone.
 */
export async function retryRunGone(
  store: ObjectStore,
  layout: LakeLayout,
  claim: Pick<RetryClaim, 'retry_run_id' | 'claimed_at'>,
  watch: RetryRunWatch,
): Promise<boolean> {
  if ((await readRunRecord(store, layout, claim.retry_run_id)) !== undefined) return false;
  if ((await store.head(layout.control.promotionIntent(claim.retry_run_id))) !== undefined) return false;
  const minutes = watch.claimTimeoutMinutes ?? DEFAULT_CLAIM_TIMEOUT_MINUTES;
  const file = await store.getBytes(retryFileRef(layout, claim.retry_run_id, claim.claimed_at));
  const entry = file === undefined ? undefined : await readLedgerEntry(store, layout, hash('sha256', file, 'hex'));
  if (entry?.run_id === claim.retry_run_id && entry.status === 'claimed') return (await claimLapse(entry, watch.at, minutes, watch.liveness)) !== undefined;
  return watch.at.getTime() - Date.parse(claim.claimed_at) > minutes * 60_000;
}

/**
 * A quarantined row's status from its retry claim for the next attempt (if any), that retry run's
 * record (none yet: it is running or promoting), whether that run is gone without one
 * (`retryRunGone`) and where that run put the row as re-submitted.
 */
export function quarantinedRowStatus(
  claim: Pick<RetryClaim, 'retry_run_id'> | undefined,
  retryRun: Pick<RunRecord, 'status'> | undefined,
  rejectedAs: 'quarantined' | 'condemned' | undefined,
  gone = false,
): QuarantinedRowStatus {
  if (claim === undefined || isVoidRetryRun(retryRun) || (retryRun === undefined && gone)) return 'OPEN';
  if (retryRun?.status !== 'PUBLISHED') return 'RETRYING';
  if (rejectedAs === 'quarantined') return 'REQUARANTINED';
  return rejectedAs === 'condemned' ? 'CONDEMNED' : 'RESOLVED';
}

/** `control/retries/claims/<row_hash>/attempt=<n>.json`. */
export const RetryClaimSchema = z.object({
  row_hash: SHA256,
  attempt_count: z.number().int().positive(),
  source_run_id: RunIdSchema,
  retry_run_id: RunIdSchema,
  /** The hash of the row as re-submitted (different when it was corrected). */
  new_row_hash: SHA256,
  claimed_at: z.iso.datetime(),
  /** Runs that held the claim before and failed. */
  previous_runs: z.array(RunIdSchema).default([]),
});
/** A retry claim. */
export type RetryClaim = z.infer<typeof RetryClaimSchema>;

/** One row of a retry run. */
export const RetryRowSchema = z.object({
  row_hash: SHA256,
  new_row_hash: SHA256,
  attempt_count: z.number().int().positive(),
  validation_error: z.string(),
  source_line: z.number().int().nonnegative(),
  fixed: z.boolean(),
});
/** One row of a retry run. */
export type RetryRow = z.infer<typeof RetryRowSchema>;

/** `control/retries/runs/<run_id>.json`: what a retry run re-submits, and on whose request. */
export const RetryRecordSchema = z.object({
  retry_run_id: RunIdSchema,
  source_run_id: RunIdSchema,
  /** `quarantine`: quarantined rows retried; `approval`: condemned rows a person approved. */
  kind: z.enum(['quarantine', 'approval']),
  requested_by: z.string().min(1),
  requested_at: z.iso.datetime(),
  reason: z.string().nullable(),
  error_filter: z.string().nullable(),
  fixes_file: z.string().nullable(),
  approval_id: z.string().nullable(),
  /** The Bronze object holding the re-submitted rows. */
  source: ObjectRefSchema,
  rows: z.array(RetryRowSchema),
});
/** A retry record. */
export type RetryRecord = z.infer<typeof RetryRecordSchema>;

/** One condemned row a decision covers. */
export const DecidedRowSchema = z.object({
  row_hash: SHA256,
  validation_error: z.string(),
  attempt_count: z.number().int().nonnegative(),
  source_line: z.number().int().nonnegative(),
});

/** `control/condemned/decisions/<id>.json`: a person's approval or rejection of condemned rows of one run. */
export const CondemnedDecisionSchema = z.object({
  decision_id: z.string().min(1),
  decision: z.enum(['approve', 'reject']),
  run_id: RunIdSchema,
  by: z.string().min(1),
  reason: z.string().min(1),
  at: z.iso.datetime(),
  rows: z.array(DecidedRowSchema).min(1),
  /** approve: the retry run that re-submits the rows. */
  retry_run_id: RunIdSchema.nullable(),
});
/** A decision on condemned rows. */
export type CondemnedDecision = z.infer<typeof CondemnedDecisionSchema>;

/** `control/condemned/rows/run_id=<run>/<row_hash>.json`: the decision a condemned row got. */
export const CondemnedRowDecisionSchema = CondemnedDecisionSchema.pick({ decision_id: true, decision: true, by: true, at: true });
/** The decision a condemned row got. */
export type CondemnedRowDecision = z.infer<typeof CondemnedRowDecisionSchema>;

/** The retry claim of a row for one attempt, if any. */
export async function readRetryClaim(
  store: ObjectStore,
  layout: LakeLayout,
  rowHash: string,
  attempt: number,
): Promise<RetryClaim | undefined> {
  return (await readVersionedJson(store, layout.control.retryClaim(rowHash, attempt), RetryClaimSchema, 'retry claim'))?.value;
}

/**
 * Claims every row for its attempt, all or nothing: a row already claimed by a retry run that is
 * running or published refuses the whole request (`RunbookRefusedError` naming the rows and runs)
 * and the claims made so far are withdrawn. A claim whose run is void (`isVoidRetryRun`) is taken
 * over; returns those void runs (with when they had claimed), whose rejected copies are superseded.
 */
export async function claimRetryRows(
  store: ObjectStore,
  layout: LakeLayout,
  claims: readonly RetryClaim[],
  watch?: RetryRunWatch,
): Promise<{ run_id: string; claimed_at: string }[]> {
  const superseded = new Map<string, string>();
  const taken: ObjectRef[] = [];
  const refused: string[] = [];
  for (const claim of claims) {
    const ref = layout.control.retryClaim(claim.row_hash, claim.attempt_count);
    try {
      await store.putIfAbsent(ref, jsonBody(claim), JSON_PUT_OPTIONS);
      taken.push(ref);
      continue;
    } catch (error) {
      if (!(error instanceof ObjectConflictError)) throw error;
    }
    const current = await readVersionedJson(store, ref, RetryClaimSchema, 'retry claim');
    const holder = current?.value.retry_run_id;
    const record = holder === undefined ? undefined : await readRunRecord(store, layout, holder);
    const stopped =
      current !== undefined &&
      (isVoidRetryRun(record) || (record === undefined && watch !== undefined && (await retryRunGone(store, layout, current.value, watch))));
    if (current === undefined || !stopped) {
      refused.push(`${claim.row_hash.slice(0, 12)} (attempt ${claim.attempt_count}, retry run ${holder ?? 'unknown'})`);
      continue;
    }
    const next = { ...claim, previous_runs: [...current.value.previous_runs, current.value.retry_run_id] };
    try {
      await store.putIfMatch(ref, jsonBody(next), current.etag, JSON_PUT_OPTIONS);
      superseded.set(current.value.retry_run_id, current.value.claimed_at);
    } catch (error) {
      if (!(error instanceof ObjectConflictError)) throw error;
      refused.push(`${claim.row_hash.slice(0, 12)} (attempt ${claim.attempt_count}, taken over concurrently)`);
    }
  }
  if (refused.length > 0) {
    // Only fresh claims are withdrawn; a takeover keeps its failed predecessor listed and stays harmless.
    await Promise.all(taken.map((ref) => store.delete(ref)));
    throw new RunbookRefusedError(
      `${refused.length} of the rows ${refused.length === 1 ? 'was' : 'were'} already retried for the same attempt: ${refused.join(', ')}`,
    );
  }
  return [...superseded].map(([run_id, claimed_at]) => ({ run_id, claimed_at }));
}

/** Writes a retry run's record (create-if-absent). */
export async function writeRetryRecord(store: ObjectStore, layout: LakeLayout, record: RetryRecord): Promise<void> {
  await store.putIfAbsent(layout.control.retryRecord(record.retry_run_id), jsonBody(RetryRecordSchema.parse(record)), JSON_PUT_OPTIONS);
}

/** A retry run's record, if the run is a retry. */
export async function readRetryRecord(store: ObjectStore, layout: LakeLayout, retryRunId: string): Promise<RetryRecord | undefined> {
  return (await readVersionedJson(store, layout.control.retryRecord(retryRunId), RetryRecordSchema, 'retry record'))?.value;
}

/**
 * Records a person's approval or rejection of condemned rows: `by` and `reason` must be given;
 * each row is marked decided with create-if-absent, all or nothing (a row decided before refuses
 * the whole request, naming who decided it and when); then the decision itself is written.
 */
export async function recordCondemnedDecision(
  store: ObjectStore,
  layout: LakeLayout,
  decision: CondemnedDecision,
): Promise<CondemnedDecision> {
  if (decision.by.trim() === '' || decision.reason.trim() === '') {
    throw new RunbookRefusedError('a decision on condemned rows needs who takes it (by) and why (reason)');
  }
  const parsed = CondemnedDecisionSchema.parse({ ...decision, by: decision.by.trim(), reason: decision.reason.trim() });
  const marker: CondemnedRowDecision = { decision_id: parsed.decision_id, decision: parsed.decision, by: parsed.by, at: parsed.at };
  const taken: ObjectRef[] = [];
  const refused: string[] = [];
  for (const hash of new Set(parsed.rows.map((row) => row.row_hash))) {
    const ref = layout.control.condemnedRowDecision(parsed.run_id, hash);
    try {
      await store.putIfAbsent(ref, jsonBody(marker), JSON_PUT_OPTIONS);
      taken.push(ref);
    } catch (error) {
      if (!(error instanceof ObjectConflictError)) throw error;
      const earlier = await readCondemnedRowDecision(store, layout, parsed.run_id, hash);
      refused.push(`${hash.slice(0, 12)} (${earlier === undefined ? 'decided' : `${earlier.decision}d by ${earlier.by} at ${earlier.at}`})`);
    }
  }
  if (refused.length > 0) {
    await Promise.all(taken.map((ref) => store.delete(ref)));
    throw new RunbookRefusedError(`${refused.length} of the rows ${refused.length === 1 ? 'was' : 'were'} already decided: ${refused.join(', ')}`);
  }
  await store.putIfAbsent(layout.control.condemnedDecision(parsed.decision_id), jsonBody(parsed), JSON_PUT_OPTIONS);
  return parsed;
}

/** A recorded decision on condemned rows, if it exists. */
export async function readCondemnedDecision(
  store: ObjectStore,
  layout: LakeLayout,
  decisionId: string,
): Promise<CondemnedDecision | undefined> {
  return (await readVersionedJson(store, layout.control.condemnedDecision(decisionId), CondemnedDecisionSchema, 'condemned decision'))
    ?.value;
}

/** The decision one condemned row of a run got, if any. */
export async function readCondemnedRowDecision(
  store: ObjectStore,
  layout: LakeLayout,
  runId: string,
  rowHash: string,
): Promise<CondemnedRowDecision | undefined> {
  const ref = layout.control.condemnedRowDecision(runId, rowHash);
  return (await readVersionedJson(store, ref, CondemnedRowDecisionSchema, 'condemned row decision'))?.value;
}
