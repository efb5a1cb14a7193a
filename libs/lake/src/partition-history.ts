import type { ObjectStore, PublishedTableLayout, YearMonth } from '@ledgerlake/storage';
import { type PublishedPartition, readLatest, readVersion } from './published-partition';
import type { PublishAction } from '@ledgerlake/contract';

/*
 * A partition's history is its committed versions (`_LATEST.json` and the immutable
 * `_versions/v=N.json` below it), read as an audit trail: what each version did, for which run,
 * who asked for it, when and why. Read only; versions written before a field existed read as well.
 */

/** What a version did to its partition: a run's rows added, the month replaced by a backfill, an earlier state restored, Gold rebuilt. */
export type VersionKind = 'promotion' | 'backfill' | 'rollback' | 'rebuild';

const KIND_OF_ACTION: Readonly<Record<PublishAction, VersionKind>> = {
  append: 'promotion',
  replace: 'backfill',
  rollback: 'rollback',
  rebuild: 'rebuild',
};

/** One version of a partition as its history reports it. */
export interface VersionEntry {
  readonly version: number;
  readonly kind: VersionKind;
  /** The run it published (promotion, backfill), or whose state it restored (rollback); `null` for Gold or a rollback whose restored version is gone. */
  readonly run_id: string | null;
  /** The id the version was committed under: the run itself, or a rollback's own operation id. */
  readonly committed_by: string;
  readonly execution_arn: string;
  /** When it was committed. */
  readonly at: string;
  /** Who asked for it and why; `null` for what the pipeline committed on its own. */
  readonly by: string | null;
  readonly reason: string | null;
  /** With `rollback`: the version restored. */
  readonly restored_version?: number;
  /** Rows of the committing run condemned at the commit (another run published their keys first). */
  readonly late_condemned_rows?: number;
  /** Rows the partition publishes at this version. */
  readonly rows: number;
  /** The runs whose rows the partition publishes at this version, oldest first. */
  readonly runs: readonly string[];
}

/** Every committed version of a partition, newest first; empty when it was never published. */
export async function readPartitionVersions(store: ObjectStore, table: PublishedTableLayout, month: YearMonth): Promise<PublishedPartition[]> {
  const latest = (await readLatest(store, table, month))?.value;
  if (latest === undefined) return [];
  const versions: PublishedPartition[] = [latest];
  for (let version = latest.version - 1; version >= 1; version--) {
    const kept = await readVersion(store, table, month, version);
    if (kept !== undefined) versions.push(kept);
  }
  return versions;
}

/** The history entries of a partition's versions (newest first, as `readPartitionVersions` returns them). */
export function describeVersions(versions: readonly PublishedPartition[]): VersionEntry[] {
  const byNumber = new Map(versions.map((version) => [version.version, version]));
  return versions.map((version) => describeVersion(version, byNumber));
}

function describeVersion(version: PublishedPartition, byNumber: ReadonlyMap<number, PublishedPartition>): VersionEntry {
  const kind = KIND_OF_ACTION[version.action];
  const restored = version.restored_version === undefined ? undefined : byNumber.get(version.restored_version);
  const runId =
    kind === 'rollback' ? (version.restored_run_id ?? restored?.run_id ?? null) : kind === 'rebuild' ? null : version.run_id;
  return {
    version: version.version,
    kind,
    run_id: runId,
    committed_by: version.run_id,
    execution_arn: version.execution_arn,
    at: version.promoted_at,
    by: version.requested?.by ?? null,
    reason: version.requested?.reason ?? null,
    ...(version.restored_version === undefined ? {} : { restored_version: version.restored_version }),
    ...(version.late_condemned_rows === undefined ? {} : { late_condemned_rows: version.late_condemned_rows }),
    rows: version.counts.rows,
    runs: version.runs.map((run) => run.run_id),
  };
}

/** Where a run's rows stand in a partition. */
export interface RunPlacement {
  /** The current version (`null`: never published). */
  readonly current_version: number | null;
  /** Whether the current version publishes the run's rows. */
  readonly in_current_version: boolean;
  /** When they were published and are no longer: the version that removed them (the first after the last that held them). */
  readonly removed_by?: VersionEntry;
}

/** Whether a partition's current version publishes a run's rows, and if they were removed, by which version. */
export function placeRun(history: readonly VersionEntry[], runId: string): RunPlacement {
  const current = history[0];
  if (current === undefined) return { current_version: null, in_current_version: false };
  const lastHolding = history.findIndex((entry) => entry.runs.includes(runId));
  if (lastHolding === 0) return { current_version: current.version, in_current_version: true };
  const removedBy = lastHolding > 0 ? history[lastHolding - 1] : undefined;
  return { current_version: current.version, in_current_version: false, ...(removedBy === undefined ? {} : { removed_by: removedBy }) };
}
