import { type QuarantineByReason, type RunMode } from '@ledgerlake/domain';
import { describeVersions, monthName, placeRun, readPartitionVersions, type RunPlacement } from '@ledgerlake/lake';
import { readRetryRecord, readRunRecord, type RetryRecord, runRecordEndedAt } from '@ledgerlake/ledgers';
import { RunbookError, unknownRunError } from './errors';
import type { Lake } from './lake';
import { checkRunId, readManifest } from './rejected-rows';
import { listRollbacks, type RunSummary, summarizeRun } from './runs';

/** What `runs show RUN_ID` prints: the run's summary and everything the lake records about it. */
export interface RunDetail extends RunSummary {
  readonly mode: RunMode | null;
  readonly backfill_month?: string;
  readonly approval_id?: string;
  /** Condemned rows per code (quarantine_by_reason holds the quarantined ones). */
  readonly condemned_by_reason: QuarantineByReason;
  /**
   * Silver months the run wrote: the version that published its rows (null when never published),
   * whether the month's current version still holds them, and if not, the version that removed them.
   */
  readonly partitions: readonly RunPartition[];
  readonly timings: {
    readonly started_at: string | null;
    readonly output_written_at: string | null;
    readonly ended_at: string | null;
    readonly duration_ms: number | null;
  };
  /** A retry run: which run's rows it re-submitted, on whose request. */
  readonly retry?: Pick<RetryRecord, 'source_run_id' | 'kind' | 'requested_by' | 'reason' | 'approval_id'> & { readonly rows: number };
}

/** One Silver month of a run, as `runs show` reports it. */
export interface RunPartition extends RunPlacement {
  readonly partition: string;
  readonly rows: number;
  readonly version: number | null;
}

/** `runs show RUN_ID`; a run the lake knows nothing of is `unknown-run`. */
export async function showRun(lake: Lake, runId: string): Promise<RunDetail> {
  checkRunId(runId);
  const [summary, record, manifest, retry] = await Promise.all([
    summarizeRun(lake, runId),
    readRunRecord(lake.store, lake.layout, runId),
    readManifest(lake, runId),
    readRetryRecord(lake.store, lake.layout, runId),
  ]);
  if (record === undefined && manifest === undefined && summary.started_at === null) {
    const rollback = (await listRollbacks(lake)).find((entry) => entry.run_id === runId)?.rollback;
    if (rollback !== undefined) {
      throw new RunbookError(
        'unknown-run',
        `${runId} is not a run but the rollback of ${rollback.partition} to version ${rollback.version} ` +
          `(see \`ledgerlake partitions history ${rollback.partition}\`).`,
      );
    }
    throw unknownRunError(runId);
  }
  const published = new Map((record?.status === 'PUBLISHED' ? record.partitions : []).map((p) => [p.partition, p.version]));
  const partitions: RunPartition[] = [];
  for (const { year, month, rows } of manifest?.partitions ?? []) {
    const partition = monthName({ year, month });
    const history = describeVersions(await readPartitionVersions(lake.store, lake.layout.silver, { year, month }));
    // A run promoted by hand (`ledgerlake promote`) after its record was written: the version its promotion committed.
    const own = history.findLast((entry) => entry.committed_by === runId && (entry.kind === 'promotion' || entry.kind === 'backfill'));
    partitions.push({ partition, rows, version: published.get(partition) ?? own?.version ?? null, ...placeRun(history, runId) });
  }
  const endedAt = record === undefined ? null : runRecordEndedAt(record);
  const run = manifest?.run;
  return {
    ...summary,
    mode: run?.mode ?? record?.mode ?? null,
    ...(run?.backfill_month === undefined ? {} : { backfill_month: run.backfill_month }),
    ...(run?.approval_id === undefined ? {} : { approval_id: run.approval_id }),
    condemned_by_reason: manifest?.condemned_by_reason ?? {},
    partitions,
    timings: { started_at: summary.started_at, output_written_at: manifest?.finished_at ?? null, ended_at: endedAt, duration_ms: summary.duration_ms },
    ...(retry === undefined
      ? {}
      : {
          retry: {
            source_run_id: retry.source_run_id,
            kind: retry.kind,
            requested_by: retry.requested_by,
            reason: retry.reason,
            approval_id: retry.approval_id,
            rows: retry.rows.length,
          },
        }),
  };
}
