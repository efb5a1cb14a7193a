import { randomBytes } from 'node:crypto';
import { backfillRunId, formatRunId } from '@ledgerlake/domain';
import type { RetryRunWatch } from '@ledgerlake/ledgers';
import type { LakeLayout, ObjectRef, ObjectStore } from '@ledgerlake/storage';
import type { RunMode } from '@ledgerlake/domain';

/**
 * A lake the runbook works on: its object store and key layout. A lake folder (the filesystem
 * adapter) and a deployed stage (the S3 adapter over its buckets) are the same to every function
 * here (docs/deploy.md, "Operating a stage from the command line").
 */
export interface Lake {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
}

/** What starts a run besides its source object (what the cloud starter puts in the execution input). */
export interface RunRequest {
  readonly runId?: string;
  readonly mode?: RunMode;
  readonly backfill_month?: string;
  readonly approval_id?: string;
  /** A re-run a person asked for of the Bronze object of this BLOCKED or FAILED run. */
  readonly rerun_of?: string;
  /** A dry run: every Task up to the gate, then recorded CHECKED; nothing is published. */
  readonly dry_run?: true;
}

/**
 * Starts a run of a Bronze object and resolves to how it ended (`O`: the caller's outcome): on a
 * lake folder the in-process runner, on a stage Step Functions through the starter state machine.
 * `file` is what the outcome names (the user's path, or the Bronze key).
 */
export type StartRun<O> = (source: ObjectRef, file: string, request: RunRequest) => Promise<O>;

/** What the runbook's writing operations need: the lake, how runs start, the clock, and how retry runs that died are told. */
export interface Operator<O> {
  readonly lake: Lake;
  readonly startRun: StartRun<O>;
  readonly now: () => Date;
  /** How a retry run that died without a record is told (libs/ledgers `retryRunGone`). */
  readonly watch: () => RetryRunWatch;
}

/** A short random run id suffix (`[a-z0-9]{6}`): two runs of the same second get different ids. */
export function randomSuffix(): string {
  return BigInt(`0x${randomBytes(5).toString('hex')}`).toString(36).padStart(8, '0').slice(-6);
}

/** A fresh run id for a run starting at `at` (`YYYYMMDDTHHMMSSZ-xxxxxx`). */
export function newRunId(at: Date): string {
  return formatRunId(at, randomSuffix());
}

/** A fresh backfill run id (`backfill-…`). */
export function newBackfillRunId(at: Date): string {
  return backfillRunId(at, randomSuffix());
}
