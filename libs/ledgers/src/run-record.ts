import {
  LakeStateError,
  ObjectConflictError,
  QuarantineByReasonSchema,
  RunCountsSchema,
  RunIdSchema,
  RunModeSchema,
  YearMonthSchema,
} from '@ledgerlake/domain';
import type { LakeLayout, ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { z } from 'zod';
import { JSON_PUT_OPTIONS, jsonBody, parseJson } from '@ledgerlake/storage';
import { ObjectRefSchema } from '@ledgerlake/contract';

/*
 * The run record, `runs/<run_id>/run.json` in artifacts: one object per run saying how it ended
 * and what is known of it (what `ledgerlake runs` lists). Written once, with create-if-absent.
 *
 * FAILED comes from the run-recorder function (the state machine's failure path), BLOCKED and
 * PUBLISHED from the promotion function (the gate refused the run; the run's partitions were
 * committed), INTERRUPTED from the local command stopped by SIGINT or SIGTERM before the run's
 * promotion began (`ledgerlake ingest`: it also releases the file's claim and removes the run's
 * work area). Each is one member of the `status`-discriminated union below, sharing
 * `RunRecordBaseSchema`, so readers of older records keep parsing them.
 */

/** How a run ended, as its record says. */
export const RunRecordStatusSchema = z.enum(['FAILED', 'BLOCKED', 'PUBLISHED', 'INTERRUPTED', 'CHECKED']);
/** How a run ended. */
export type RunRecordStatus = z.infer<typeof RunRecordStatusSchema>;

/** What every run record carries, whatever the status. */
export const RunRecordBaseSchema = z.object({
  run_id: RunIdSchema,
  execution_arn: z.string().min(1),
  dataset: z.string().min(1),
  mode: RunModeSchema,
  started_at: z.iso.datetime(),
  /** The Bronze object the run processed. */
  source: ObjectRefSchema,
  /** Known once enrichment ran. */
  source_file_id: z.string().min(1).optional(),
  /** The counts known when the record was written: a run failing early knows few or none. */
  counts: RunCountsSchema.partial(),
});

/** The largest `cause` a record keeps, in UTF-8 bytes (Step Functions allows 32 KB; a record stays small). */
export const RUN_RECORD_MAX_CAUSE_BYTES = 4096;

/** The record of a run that failed: the Step Functions error it failed with. */
export const FailedRunRecordSchema = RunRecordBaseSchema.extend({
  status: z.literal('FAILED'),
  failed_at: z.iso.datetime(),
  /** The error name (`$.error.Error`), e.g. `CircuitBreakerOpenError` or `States.Timeout`. */
  error: z.string().min(1),
  /** The error message (from Lambda's `{"errorType","errorMessage"}` Cause), else the raw Cause; at most 4 KB. */
  cause: z.string().refine((cause) => Buffer.byteLength(cause, 'utf8') <= RUN_RECORD_MAX_CAUSE_BYTES, {
    message: `cause is longer than ${RUN_RECORD_MAX_CAUSE_BYTES} bytes`,
  }),
  /** The state that failed, when it can be told. */
  failed_state: z.string().min(1).optional(),
});
/** The record of a run that failed. */
export type FailedRunRecord = z.infer<typeof FailedRunRecordSchema>;

/** The record of a run the promotion gate refused: nothing of it is published. */
export const BlockedRunRecordSchema = RunRecordBaseSchema.extend({
  status: z.literal('BLOCKED'),
  blocked_at: z.iso.datetime(),
  counts: RunCountsSchema,
  quarantine_by_reason: QuarantineByReasonSchema,
  /** Why, one sentence per failed gate condition. */
  reasons: z.array(z.string().min(1)).min(1),
});
/** The record of a blocked run. */
export type BlockedRunRecord = z.infer<typeof BlockedRunRecordSchema>;

/** The record of a published run: the partition versions that made its rows visible. */
export const PublishedRunRecordSchema = RunRecordBaseSchema.extend({
  status: z.literal('PUBLISHED'),
  published_at: z.iso.datetime(),
  counts: RunCountsSchema,
  quarantine_by_reason: QuarantineByReasonSchema,
  /** One entry per Silver month the run wrote: the version that published it and its rows. */
  partitions: z.array(
    z.object({ partition: YearMonthSchema, version: z.number().int().positive(), rows: z.number().int().nonnegative() }),
  ),
  /**
   * Rows condemned `DUPLICATE_FAILURE` at the commit because another run published their keys
   * first (already counted in `counts.condemned_rows`, no longer in `valid_rows`).
   */
  late_condemned_rows: z.number().int().positive().optional(),
});
/** The record of a published run. */
export type PublishedRunRecord = z.infer<typeof PublishedRunRecordSchema>;

/** The record of a dry run (`dry_run`): checked end to end up to the gate, never published. */
export const CheckedRunRecordSchema = RunRecordBaseSchema.extend({
  status: z.literal('CHECKED'),
  checked_at: z.iso.datetime(),
  counts: RunCountsSchema,
  quarantine_by_reason: QuarantineByReasonSchema,
  /** What the gate would have decided, and why (empty when it would have promoted). */
  gate: z.object({ decision: z.enum(['PROMOTE', 'BLOCKED']), reasons: z.array(z.string().min(1)) }),
});
/** The record of a dry run. */
export type CheckedRunRecord = z.infer<typeof CheckedRunRecordSchema>;

/** The signals that interrupt a run. */
export const InterruptSignalSchema = z.enum(['SIGINT', 'SIGTERM']);
/** A signal that interrupts a run. */
export type InterruptSignal = z.infer<typeof InterruptSignalSchema>;

/** The record of a run stopped by a signal before its promotion began: nothing of it is published. */
export const InterruptedRunRecordSchema = RunRecordBaseSchema.extend({
  status: z.literal('INTERRUPTED'),
  interrupted_at: z.iso.datetime(),
  signal: InterruptSignalSchema,
  /** The state machine state the run was in when the signal came. */
  state: z.string().min(1),
});
/** The record of an interrupted run. */
export type InterruptedRunRecord = z.infer<typeof InterruptedRunRecordSchema>;

/** A run record, discriminated by `status`. */
export const RunRecordSchema = z.discriminatedUnion('status', [
  FailedRunRecordSchema,
  BlockedRunRecordSchema,
  PublishedRunRecordSchema,
  InterruptedRunRecordSchema,
  CheckedRunRecordSchema,
]);
/** A run record. */
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** When the run the record describes ended: its `published_at`, `blocked_at`, `failed_at`, `interrupted_at` or `checked_at`. */
export function runRecordEndedAt(record: RunRecord): string {
  switch (record.status) {
    case 'PUBLISHED':
      return record.published_at;
    case 'BLOCKED':
      return record.blocked_at;
    case 'FAILED':
      return record.failed_at;
    case 'INTERRUPTED':
      return record.interrupted_at;
    case 'CHECKED':
      return record.checked_at;
  }
}

/** What `writeRunRecordIfAbsent` did: the record stored under `ref` is `record`, written now or before. */
export interface StoredRunRecord {
  readonly ref: ObjectRef;
  readonly record: RunRecord;
  /** False when a record was already there (a retried writer): `record` is that one, unchanged. */
  readonly created: boolean;
}

/**
 * Writes a run's record with create-if-absent. A record already there wins and is returned as
 * stored, so a retried writer succeeds without rewriting history.
 */
export async function writeRunRecordIfAbsent(
  store: ObjectStore,
  layout: LakeLayout,
  record: RunRecord,
): Promise<StoredRunRecord> {
  const valid = RunRecordSchema.parse(record);
  const ref = layout.artifacts.runRecord(valid.run_id);
  try {
    await store.putIfAbsent(ref, jsonBody(valid), JSON_PUT_OPTIONS);
    return { ref, record: valid, created: true };
  } catch (error) {
    if (!(error instanceof ObjectConflictError) || error.reason !== 'exists') throw error;
  }
  const existing = await readRunRecord(store, layout, valid.run_id);
  if (existing === undefined) throw new LakeStateError(`pipeline: run record ${ref.bucket}/${ref.key} exists but cannot be read`);
  return { ref, record: existing, created: false };
}

/** Reads a run's record; `undefined` when it has none. Throws naming the object when it is malformed. */
export async function readRunRecord(store: ObjectStore, layout: LakeLayout, runId: string): Promise<RunRecord | undefined> {
  const ref = layout.artifacts.runRecord(runId);
  const bytes = await store.getBytes(ref);
  return bytes === undefined ? undefined : parseJson(bytes, ref, RunRecordSchema, 'run record');
}
