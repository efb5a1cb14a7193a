import { type QuarantineByReason, type RunCounts, RunIdSchema, runIdTime } from '@ledgerlake/domain';
import {
  describeVersions,
  listSilverMonths,
  monthName,
  readPartitionVersions,
  RunManifestSchema,
} from '@ledgerlake/lake';
import { type InterruptSignal, readPromotionIntent, readRunRecord, runRecordEndedAt } from '@ledgerlake/ledgers';
import { listPrefixes } from '@ledgerlake/storage';
import type { Lake } from './lake';

/**
 * A run as `ledgerlake runs` reports it, from its record (PUBLISHED, BLOCKED, FAILED, INTERRUPTED,
 * CHECKED: a dry run),
 * else its logs (SKIPPED). INCOMPLETE: none of those (still running, or the process was killed; a
 * run whose output was written but not promoted can be completed with `ledgerlake promote`).
 * RUNNING (a deployed stage only): its execution is running and it has left no record yet.
 * ROLLBACK: not a run but a month rolled back by `ledgerlake promote`, listed under the id its
 * version was committed with, from the month's version record.
 */
export interface RunSummary {
  readonly run_id: string;
  readonly status: 'PUBLISHED' | 'SKIPPED' | 'BLOCKED' | 'FAILED' | 'INTERRUPTED' | 'CHECKED' | 'PROMOTING' | 'INCOMPLETE' | 'RUNNING' | 'ROLLBACK' | 'UNREADABLE';
  /** When the run started (ms precision; from its first log line when nothing else records it). */
  readonly started_at: string | null;
  readonly source_files: readonly string[];
  /** Known counts: a run that failed early knows few or none; a skipped run has none. */
  readonly counts: Partial<RunCounts> | null;
  readonly quarantine_by_reason: QuarantineByReason;
  readonly duration_ms: number | null;
  readonly duplicate_of?: string;
  readonly error?: { readonly name: string; readonly message: string; readonly state: string | null };
  /** BLOCKED: why the promotion gate refused the run; CHECKED: why it would have. */
  readonly reasons?: readonly string[];
  /** INTERRUPTED: the signal that stopped the run and the state it was in. */
  readonly interrupted?: { readonly signal: InterruptSignal; readonly state: string };
  /** ROLLBACK: the month, the version committed, the run whose state it restored, who asked and why. */
  readonly rollback?: RollbackMark;
  /** On a deployed stage: the run's Step Functions execution (RUNNING: only its execution knows of it yet). */
  readonly execution?: { readonly status: string; readonly started_at: string | null; readonly stopped_at: string | null };
}

/** A month rolled back to the state right after an earlier run's promotion. */
export interface RollbackMark {
  readonly partition: string;
  /** The version the rollback committed. */
  readonly version: number;
  readonly restored_version: number | null;
  /** When it was committed. */
  readonly at: string;
  /** The run whose state it restored (`null`: a rollback recorded before it was, whose restored version is gone). */
  readonly to_run_id: string | null;
  /** `null` in rollbacks recorded before who asked was. */
  readonly by: string | null;
  readonly reason: string | null;
}

/** Every run of the lake, newest first (run ids sort by start time). */
export async function listRuns(lake: Lake): Promise<RunSummary[]> {
  const { bucket, prefix } = lake.layout.artifacts.runsPrefix();
  const runIds = (await listPrefixes(lake.store, bucket, prefix))
    .map((runPrefix) => runPrefix.slice(prefix.length, -1))
    .filter((runId) => RunIdSchema.safeParse(runId).success);
  // One record the lake cannot read is listed as UNREADABLE, naming itself, instead of failing the listing.
  const summaries = runIds.map((runId) => summarizeRun(lake, runId).catch((error: unknown) => unreadableRun(runId, error)));
  const runs = [...(await Promise.all(summaries)), ...(await listRollbacks(lake))];
  // Newest first by when each started (a run that recorded no start: its id's second); two runs of
  // the same second by their id.
  return runs.sort((a, b) => compareDesc(startOf(a), startOf(b)) || compareDesc(a.run_id, b.run_id));
}

/** The statuses a run listing can hold (`runs --status`). */
export const RUN_STATUSES: readonly RunSummary['status'][] = [
  'PUBLISHED',
  'SKIPPED',
  'BLOCKED',
  'FAILED',
  'INTERRUPTED',
  'CHECKED',
  'PROMOTING',
  'INCOMPLETE',
  'RUNNING',
  'ROLLBACK',
  'UNREADABLE',
];

/** `runs --status S,… --since T --limit N`: the runs of those statuses started at or after `since`, the newest `limit` (the listing is newest first). */
export function filterRuns(
  runs: readonly RunSummary[],
  filter: { readonly statuses?: readonly RunSummary['status'][]; readonly since?: Date; readonly limit?: number },
): RunSummary[] {
  const since = filter.since?.toISOString();
  const kept = runs.filter(
    (run) => (filter.statuses === undefined || filter.statuses.includes(run.status)) && (since === undefined || startOf(run) >= since),
  );
  return filter.limit === undefined ? kept : kept.slice(0, filter.limit);
}

/** When a run started, as an ISO time: its recorded start, else its id's second. */
function startOf(run: RunSummary): string {
  if (run.started_at !== null) return run.started_at;
  try {
    return runIdTime(run.run_id).toISOString();
  } catch {
    return '';
  }
}

/** A run whose files the lake cannot read (a corrupt record or manifest): listed with what is wrong. */
function unreadableRun(runId: string, error: unknown): RunSummary {
  const message = error instanceof Error ? error.message : String(error);
  return {
    run_id: runId,
    status: 'UNREADABLE',
    started_at: null,
    source_files: [],
    counts: null,
    quarantine_by_reason: {},
    duration_ms: null,
    error: { name: error instanceof Error ? error.name : 'Error', message, state: null },
  };
}

/** Every rollback of a Silver month, from the months' versions. */
export async function listRollbacks(lake: Lake): Promise<RunSummary[]> {
  const rollbacks: RunSummary[] = [];
  for (const month of await listSilverMonths(lake.store, lake.layout.silver)) {
    for (const entry of describeVersions(await readPartitionVersions(lake.store, lake.layout.silver, month))) {
      if (entry.kind !== 'rollback') continue;
      rollbacks.push({
        run_id: entry.committed_by,
        status: 'ROLLBACK',
        started_at: entry.at,
        source_files: [],
        counts: null,
        quarantine_by_reason: {},
        duration_ms: null,
        rollback: {
          partition: monthName(month),
          version: entry.version,
          restored_version: entry.restored_version ?? null,
          at: entry.at,
          to_run_id: entry.run_id,
          by: entry.by,
          reason: entry.reason,
        },
      });
    }
  }
  return rollbacks;
}

/** One run as `ledgerlake runs` reports it. */
export async function summarizeRun(lake: Lake, runId: string): Promise<RunSummary> {
  const record = await readRunRecord(lake.store, lake.layout, runId);
  const manifestBytes = await lake.store.getBytes(lake.layout.artifacts.manifest(runId));
  const manifest =
    manifestBytes === undefined ? undefined : RunManifestSchema.parse(JSON.parse(Buffer.from(manifestBytes).toString('utf8')));
  if (record !== undefined) {
    const base = {
      run_id: runId,
      status: record.status,
      started_at: record.started_at,
      source_files: manifest?.source_files ?? [`${record.source.bucket}/${record.source.key}`],
      counts: record.counts,
      duration_ms: Date.parse(runRecordEndedAt(record)) - Date.parse(record.started_at),
    };
    switch (record.status) {
      case 'FAILED':
        return {
          ...base,
          quarantine_by_reason: manifest?.quarantine_by_reason ?? {},
          error: { name: record.error, message: record.cause, state: record.failed_state ?? null },
        };
      case 'BLOCKED':
        return {
          ...base,
          quarantine_by_reason: record.quarantine_by_reason,
          reasons: record.reasons,
        };
      case 'PUBLISHED':
        return {
          ...base,
          quarantine_by_reason: record.quarantine_by_reason,
        };
      case 'INTERRUPTED':
        return {
          ...base,
          quarantine_by_reason: manifest?.quarantine_by_reason ?? {},
          interrupted: { signal: record.signal, state: record.state },
        };
      case 'CHECKED':
        return {
          ...base,
          quarantine_by_reason: record.quarantine_by_reason,
          reasons: record.gate.reasons,
        };
    }
  }
  if (manifest !== undefined) {
    // Written but neither promoted nor blocked (yet): running, or stopped between the two; with a
    // pending promotion intent, PROMOTING (its promotion is completed by the next run or `recover`).
    const promoting = (await readPromotionIntent(lake.store, lake.layout, runId)) !== undefined;
    return {
      run_id: runId,
      status: promoting ? 'PROMOTING' : 'INCOMPLETE',
      started_at: manifest.started_at,
      source_files: manifest.source_files,
      counts: manifest.counts,
      quarantine_by_reason: manifest.quarantine_by_reason,
      duration_ms: null,
    };
  }
  const records = await readLogRecords(lake, runId);
  const duration_ms = logSpanMs(records);
  const duplicate = records?.find((line) => line['message'] === 'duplicate file skipped');
  if (duplicate !== undefined) {
    // Its file, from the lineage its log lines carry (`s3://<bucket>/<key>#<version>`).
    const lineage = records?.find((line) => typeof line['source_file_id'] === 'string')?.['source_file_id'];
    return {
      run_id: runId,
      status: 'SKIPPED',
      started_at: firstLogTime(records),
      source_files: typeof lineage === 'string' ? [lineage.replace(/^s3:\/\//, '').replace(/#.*$/, '')] : [],
      counts: null,
      quarantine_by_reason: {},
      duration_ms,
      ...(typeof duplicate['duplicate_of'] === 'string' ? { duplicate_of: duplicate['duplicate_of'] } : {}),
    };
  }
  return { run_id: runId, status: 'INCOMPLETE', started_at: firstLogTime(records), source_files: [], counts: null, quarantine_by_reason: {}, duration_ms };
}

function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function logTimes(records: readonly Record<string, unknown>[] | undefined): number[] {
  return (records ?? [])
    .map((record) => (typeof record['timestamp'] === 'string' ? Date.parse(record['timestamp']) : Number.NaN))
    .filter((time) => !Number.isNaN(time));
}

function firstLogTime(records: readonly Record<string, unknown>[] | undefined): string | null {
  const times = logTimes(records);
  return times.length === 0 ? null : new Date(Math.min(...times)).toISOString();
}

/** First to last log line of a run: its duration when no manifest records one. */
function logSpanMs(records: readonly Record<string, unknown>[] | undefined): number | null {
  const times = logTimes(records);
  return times.length === 0 ? null : Math.max(...times) - Math.min(...times);
}

/** The run's log records (Powertools lines and EMF records, `runs/<run_id>/logs.jsonl`), or `undefined` when the run has no log. */
export async function readLogRecords(lake: Lake, runId: string): Promise<Record<string, unknown>[] | undefined> {
  const bytes = await lake.store.getBytes(lake.layout.artifacts.logs(runId));
  if (bytes === undefined) return undefined;
  return Buffer.from(bytes)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { message: line };
      }
    });
}
