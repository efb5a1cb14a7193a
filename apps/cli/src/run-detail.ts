import { type QuarantineByReason, type RunMode } from '@ledgerlake/domain';
import {
  describeVersions,
  monthName,
  placeRun,
  readPartitionVersions,
  readRetryRecord,
  readRunRecord,
  type RetryRecord,
  type RunPlacement,
  runRecordEndedAt,
} from '@ledgerlake/pipeline';
import { CliError } from './cli-error';
import type { LocalLake } from './local-lake';
import { checkRunId, readManifest } from './rejected-listing';
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

/** `runs show RUN_ID`; a run the lake knows nothing of is one sentence, exit 1. */
export async function showRun(lake: LocalLake, runId: string): Promise<RunDetail> {
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
      throw new CliError(
        `${runId} is not a run but the rollback of ${rollback.partition} to version ${rollback.version} ` +
          `(see \`ledgerlake partitions history ${rollback.partition}\`).`,
      );
    }
    throw new CliError(`The lake has no run ${runId} (see \`ledgerlake runs\`).`);
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

function formatPlacement(p: RunPartition): string {
  if (p.version === null && !p.in_current_version) return 'not published';
  const published = p.version === null ? 'published' : `published as version ${p.version}`;
  if (p.in_current_version) return p.current_version === p.version ? published : `${published}, still in the current version ${p.current_version}`;
  const removed = p.removed_by;
  if (removed === undefined) return `${published}, no longer published (current version ${p.current_version ?? 'none'})`;
  const what = removed.kind === 'rollback' ? `rollback to run ${removed.run_id ?? '?'}'s state` : `${removed.kind} of run ${removed.run_id ?? removed.committed_by}`;
  const who = removed.by === null ? `by the pipeline at ${removed.at}` : `by ${removed.by} at ${removed.at}: ${removed.reason ?? ''}`;
  return `${published}, no longer published: removed by version ${removed.version} (${what}, ${who})`;
}

/** The readable form of `runs show`. */
export function formatRunDetail(run: RunDetail): string {
  const lines = [`Run ${run.run_id}: ${run.status}${run.mode === null ? '' : ` (mode ${run.mode}${run.backfill_month === undefined ? '' : `, month ${run.backfill_month}`})`}`];
  lines.push(`  source: ${run.source_files.join(', ') || 'unknown'}`);
  if (run.counts !== null) {
    const c = run.counts;
    lines.push(`  rows: ${c.input_rows ?? '?'} in, ${c.valid_rows ?? '?'} valid, ${c.quarantined_rows ?? '?'} quarantined, ${c.condemned_rows ?? '?'} condemned`);
  }
  const reasons = (counts: QuarantineByReason) => Object.entries(counts).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  lines.push(`  quarantined by reason: ${reasons(run.quarantine_by_reason)}`);
  lines.push(`  condemned by reason: ${reasons(run.condemned_by_reason)}`);
  for (const p of run.partitions) lines.push(`  partition ${p.partition}: ${p.rows} rows, ${formatPlacement(p)}`);
  lines.push(`  started ${run.timings.started_at ?? '?'}, ended ${run.timings.ended_at ?? '?'}, ${run.timings.duration_ms === null ? '?' : `${run.timings.duration_ms} ms`}`);
  if (run.retry !== undefined) lines.push(`  retry of run ${run.retry.source_run_id} (${run.retry.kind}, ${run.retry.rows} rows, requested by ${run.retry.requested_by})`);
  if (run.duplicate_of !== undefined) lines.push(`  duplicate of run ${run.duplicate_of}`);
  if (run.error !== undefined) lines.push(`  error: ${run.error.name} in ${run.error.state ?? '?'}: ${run.error.message}`);
  for (const reason of run.reasons ?? []) lines.push(`  blocked: ${reason}`);
  if (run.interrupted !== undefined) lines.push(`  interrupted by ${run.interrupted.signal} in ${run.interrupted.state}: nothing published`);
  return `${lines.join('\n')}\n`;
}
