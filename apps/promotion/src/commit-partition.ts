import { LakeStateError, ObjectConflictError, TransientStorageError } from '@ledgerlake/domain';
import { type PublishAction } from '@ledgerlake/contract';
import {
  monthName,
  parseMonthName,
  type PublishedPartition,
  PublishedPartitionSchema,
  type PublishedRun,
  readLatest,
  symlinkManifest,
  type VersionRequest,
} from '@ledgerlake/lake';
import { JSON_PUT_OPTIONS, jsonBody } from '@ledgerlake/storage';
import type { ObjectStore, PublishedTableLayout, PublishedTableName, YearMonth } from '@ledgerlake/storage';

/** What a commit makes of the partition's current version. */
export interface PartitionChange {
  readonly action: PublishAction;
  readonly runs: readonly PublishedRun[];
  readonly restored_version?: number;
  readonly restored_run_id?: string;
  /** Rows of the committing run left out because another run published their keys first. */
  readonly late_condemned_rows?: number;
  readonly built_from?: Readonly<Record<string, number>>;
}

/** One commit of a partition. */
export interface CommitRequest {
  readonly table: PublishedTableName;
  readonly layout: PublishedTableLayout;
  /** The bucket the table's objects are in (manifest lines name it). */
  readonly bucket: string;
  readonly month: YearMonth;
  readonly runId: string;
  readonly executionArn: string;
  /** Who asked for the commit and why, when a person did (recorded in the version). */
  readonly requested?: VersionRequest;
  readonly now: () => Date;
  /**
   * The change to commit on top of `current` (`undefined` when nothing was published yet), or
   * `undefined` when `current` already holds it: a retried or re-run promotion commits nothing twice.
   */
  readonly change: (current: PublishedPartition | undefined) => PartitionChange | undefined | Promise<PartitionChange | undefined>;
  /** Called after each lost race, before re-reading (tests use it to interleave promotions). */
  readonly onConflict?: (attempt: number) => void;
}

/** What a commit did. */
export interface CommitOutcome {
  /** The partition's version after the commit (this one's, or the one that already held the change). */
  readonly version: PublishedPartition;
  /** False when the change was already published. */
  readonly committed: boolean;
  /** Races lost before winning (each re-read `_LATEST.json` and re-applied the change). */
  readonly conflicts: number;
}

const MAX_ATTEMPTS = 25;

/**
 * Commits a new version of a partition (docs/contract/publishing.md, "Promotion"). Every object the new version lists must
 * already exist (the caller copied them into `current/`). Then: the version's symlink manifest;
 * then `_LATEST.json`, the commit point, with compare-and-swap on the ETag read (create-if-absent
 * for the first version) — of two concurrent commits exactly one wins, and the loser re-reads the
 * winner's version and applies its change on top, so neither loses the other's rows. Last, the
 * immutable copy `_versions/v=N.json` (of the version read, too: its committer may have died first).
 */
export async function commitPartition(store: ObjectStore, request: CommitRequest): Promise<CommitOutcome> {
  const { layout, month } = request;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const latest = await readLatest(store, layout, month);
    // The version read is kept before anything else: its committer may have died right after its commit.
    if (latest !== undefined) await keepVersion(store, layout, latest.value);
    const change = await request.change(latest?.value);
    if (change === undefined) {
      if (latest === undefined) throw new LakeStateError(`promotion: nothing to commit for ${request.table} ${monthName(month)}`);
      return { version: latest.value, committed: false, conflicts: attempt };
    }
    const version = nextVersion(request, latest?.value, change);
    await store.put(version.manifest, symlinkManifest(request.bucket, version.files), { contentType: 'text/plain' });
    try {
      const body = jsonBody(version);
      if (latest === undefined) await store.putIfAbsent(layout.latest(month), body, JSON_PUT_OPTIONS);
      else await store.putIfMatch(layout.latest(month), body, latest.etag, JSON_PUT_OPTIONS);
    } catch (error) {
      if (!(error instanceof ObjectConflictError)) throw error;
      request.onConflict?.(attempt + 1);
      continue;
    }
    await keepVersion(store, layout, version);
    return { version, committed: true, conflicts: attempt };
  }
  throw new TransientStorageError(
    `promotion: ${request.table} ${monthName(month)} changed under every one of ${MAX_ATTEMPTS} commit attempts`,
  );
}

function nextVersion(request: CommitRequest, current: PublishedPartition | undefined, change: PartitionChange): PublishedPartition {
  const version = (current?.version ?? 0) + 1;
  const runs = change.runs.map((run) => ({ ...run, files: [...run.files] }));
  const files = runs.flatMap((run) => run.files);
  return PublishedPartitionSchema.parse({
    table: request.table,
    partition: monthName(request.month),
    version,
    action: change.action,
    run_id: request.runId,
    execution_arn: request.executionArn,
    promoted_at: request.now().toISOString(),
    ...(request.requested === undefined ? {} : { requested: { ...request.requested } }),
    ...(change.restored_version === undefined ? {} : { restored_version: change.restored_version }),
    ...(change.restored_run_id === undefined ? {} : { restored_run_id: change.restored_run_id }),
    ...(change.late_condemned_rows === undefined ? {} : { late_condemned_rows: change.late_condemned_rows }),
    runs,
    files,
    counts: { rows: runs.reduce((sum, run) => sum + run.rows, 0), files: files.length },
    manifest: request.layout.manifest(request.month, version, request.runId),
    ...(change.built_from === undefined ? {} : { built_from: { ...change.built_from } }),
  });
}

/** Writes `_versions/v=N.json` once; a copy already there (a re-run) is the same version and stays. */
async function keepVersion(store: ObjectStore, layout: PublishedTableLayout, version: PublishedPartition): Promise<void> {
  try {
    await store.putIfAbsent(layout.version(parseMonthName(version.partition), version.version), jsonBody(version), JSON_PUT_OPTIONS);
  } catch (error) {
    if (!(error instanceof ObjectConflictError)) throw error;
  }
}
