import { COLUMN_ROLES, count, type DatasetSpec, formatMinor, type QuarantineByReason, type RunCounts } from '@ledgerlake/domain';
import { type GateCheck } from '@ledgerlake/contract';
import {
  describeVersions,
  placeRun,
  readPartitionVersions,
  rejectedRowGroups,
  type RunManifest,
  RunManifestSchema,
} from '@ledgerlake/lake';
import {
  readBreakerState,
  readCondemnedDecision,
  readCondemnedRowDecision,
  readRetryRecord,
  readRunRecord,
  runRecordEndedAt,
} from '@ledgerlake/ledgers';
import { type LakeLayout, listAll, type ObjectRef, type ObjectStore } from '@ledgerlake/storage';
import type { Span } from './charts';

/*
 * What a run's report shows, gathered from what the run left in the lake (its record, manifest,
 * Quarantine and Condemned files, the months' versions, the runbook's records, the breaker) plus
 * what only the caller knows (the timeline of states, the links of its environment). Small
 * whatever the run's size: counts, sums and at most `EXAMPLES_PER_REASON` rows per reason.
 */

/** Example rows shown per reason: never more than the Quarantine already holds, and few. */
export const EXAMPLES_PER_REASON = 3;
/** Retry records read to find the retries of a run's rows (the newest after the run). */
const RETRIES_READ = 200;
/** A field value on the report is cut after this many characters. */
const VALUE_CHARS = 120;

/** A run's status as the report names it (a run without a record: SKIPPED when the caller says so, else INCOMPLETE). */
export type ReportStatus = 'PUBLISHED' | 'BLOCKED' | 'FAILED' | 'INTERRUPTED' | 'CHECKED' | 'SKIPPED' | 'INCOMPLETE';

/** One example row of a reason. */
export interface ExampleRow {
  readonly line: number;
  readonly field: string;
  readonly value: string;
  readonly detail: string;
  readonly attempt: number;
}

/** A link of the run's trail: the execution, its logs, its traces. */
export interface TrailLink {
  readonly label: string;
  readonly href: string;
}

/** What the caller adds: how long each state took, and where the run's execution and logs are. */
export interface ReportContext {
  readonly timeline?: readonly Span[];
  readonly links?: readonly TrailLink[];
  /** The command that shows the run's log lines (locally `ledgerlake logs RUN_ID`). */
  readonly logs_command?: string;
  /** Where the run was (`local`, or the stage's name). */
  readonly where: string;
  /** The gate's conditions with their measured values (the state's `$.gate.checks`), when the run reached the gate. */
  readonly gate_checks?: readonly GateCheck[];
  /** A run without a record that the caller knows was skipped (a duplicate file), with the run it duplicates. */
  readonly skipped?: { readonly duplicate_of?: string; readonly reason: string };
}


/** The facts of one run's report. */
export interface RunReport {
  readonly run_id: string;
  readonly status: ReportStatus;
  readonly where: string;
  readonly mode: string | null;
  readonly backfill_month?: string;
  readonly dry_run: boolean;
  readonly started_at: string | null;
  readonly ended_at: string | null;
  readonly duration_ms: number | null;
  readonly why: readonly string[];
  readonly error?: { readonly name: string; readonly message: string; readonly state: string | null };
  readonly gate?: { readonly decision: string; readonly reasons: readonly string[]; readonly checks: readonly GateCheck[] };
  readonly breaker: { readonly state: string; readonly code?: string; readonly detail?: string };
  readonly counts: RunCounts | null;
  /** Exact sums (decimal strings, two places) per destination. */
  readonly amounts: { readonly input: string; readonly valid: string; readonly quarantined: string; readonly condemned: string } | null;
  /** input = valid + quarantined + condemned, for rows and for amounts. */
  readonly reconciles: boolean | null;
  readonly source: { readonly bucket: string; readonly key: string; readonly size: number | null; readonly sha256: string | null; readonly ingest_date: string | null; readonly landed_at: string | null };
  readonly partitions: readonly { readonly partition: string; readonly rows: number; readonly version: number | null; readonly previous_version: number | null; readonly now: string }[];
  readonly quarantine_by_reason: QuarantineByReason;
  readonly condemned_by_reason: QuarantineByReason;
  readonly examples: { readonly quarantine: Readonly<Record<string, readonly ExampleRow[]>>; readonly condemned: Readonly<Record<string, readonly ExampleRow[]>> };
  readonly timeline: readonly Span[];
  readonly rows_per_second: number | null;
  readonly decisions: readonly { readonly what: string; readonly by: string | null; readonly at: string; readonly why: string | null }[];
  readonly links: readonly TrailLink[];
  readonly logs_command: string | null;
}

/** Gathers a run's report from the lake. */
export async function gatherRunReport(store: ObjectStore, layout: LakeLayout, runId: string, context: ReportContext): Promise<RunReport> {
  const [record, manifest, retry, breaker] = await Promise.all([
    readRunRecord(store, layout, runId),
    readManifest(store, layout, runId),
    readRetryRecord(store, layout, runId),
    readBreakerState(store, layout),
  ]);
  const source: ObjectRef | undefined = record?.source ?? manifest?.run.source;
  const head = source === undefined ? undefined : await store.head(source).catch(() => undefined);
  const status: ReportStatus = record?.status ?? (context.skipped !== undefined ? 'SKIPPED' : 'INCOMPLETE');
  const started_at = record?.started_at ?? manifest?.started_at ?? null;
  const ended_at = record === undefined ? null : runRecordEndedAt(record);
  const counts = manifest?.counts ?? (record?.counts !== undefined && 'input_rows' in record.counts ? (record.counts as RunCounts) : null);
  const amounts = manifest?.amounts;
  const decimal = (minor: string) => formatMinor(BigInt(minor));
  const reconciles =
    counts === null || amounts === undefined
      ? null
      : counts.input_rows === counts.valid_rows + counts.quarantined_rows + counts.condemned_rows &&
        BigInt(amounts.input_minor) === BigInt(amounts.valid_minor) + BigInt(amounts.quarantined_minor) + BigInt(amounts.condemned_minor);

  const partitions = [];
  const decisions: RunReport['decisions'][number][] = [];
  if (retry !== undefined) {
    decisions.push({
      what: `${retry.kind === 'approval' ? 'approval' : 'retry'} of ${count(retry.rows.length, 'row')} of run ${retry.source_run_id}${retry.fixes_file === null ? '' : ` with fixes ${retry.fixes_file}`}`,
      by: retry.requested_by,
      at: retry.requested_at,
      why: retry.reason,
    });
  }
  for (const { year, month, rows } of manifest?.partitions ?? []) {
    const partition = `${year}-${String(month).padStart(2, '0')}`;
    const history = describeVersions(await readPartitionVersions(store, layout.silver, { year, month }));
    const own = history.findLast((entry) => entry.committed_by === runId && (entry.kind === 'promotion' || entry.kind === 'backfill'));
    const placement = placeRun(history, runId);
    const previous = own === undefined ? undefined : history.find((entry) => entry.version < own.version);
    const now = placement.in_current_version
      ? `in the current version ${placement.current_version ?? '?'}`
      : placement.removed_by !== undefined
        ? `removed by version ${placement.removed_by.version} (${placement.removed_by.kind})`
        : 'not published';
    partitions.push({ partition, rows, version: own?.version ?? null, previous_version: previous?.version ?? null, now });
    for (const entry of history) {
      if (entry.kind === 'rollback' && (entry.run_id === runId || (own !== undefined && entry.version > own.version && !placement.in_current_version && placement.removed_by?.version === entry.version))) {
        decisions.push({ what: `${partition} rolled back to version ${entry.restored_version ?? '?'} (run ${entry.run_id ?? '?'}) as version ${entry.version}`, by: entry.by, at: entry.at, why: entry.reason });
      }
    }
  }

  decisions.push(...(await decisionsAbout(store, layout, runId)));
  decisions.sort((a, b) => a.at.localeCompare(b.at));

  const why: string[] = [];
  let error: RunReport['error'];
  let gate: RunReport['gate'];
  switch (record?.status) {
    case 'PUBLISHED':
      why.push(`published ${count(record.partitions.length, 'month')}: the promotion gate passed every threshold`);
      gate = { decision: 'PROMOTE', reasons: [], checks: context.gate_checks ?? [] };
      break;
    case 'BLOCKED':
      why.push(...record.reasons);
      gate = { decision: 'BLOCKED', reasons: record.reasons, checks: context.gate_checks ?? [] };
      break;
    case 'CHECKED':
      why.push(`a dry run: the gate would have decided ${record.gate.decision}`, ...record.gate.reasons);
      gate = { ...record.gate, checks: context.gate_checks ?? [] };
      break;
    case 'FAILED':
      error = { name: record.error, message: record.cause, state: record.failed_state ?? null };
      why.push(`${record.error} in ${record.failed_state ?? 'an unknown state'}: ${record.cause}`);
      break;
    case 'INTERRUPTED':
      why.push(`stopped by ${record.signal} in ${record.state}`);
      break;
    case undefined:
      why.push(context.skipped?.reason ?? 'the run left no record: still running, or it ended past every Catch');
  }

  const examples = {
    quarantine: await examplesOf(store, manifest?.quarantine_files ?? [], manifest?.quarantine_by_reason ?? {}, layout.dataset),
    condemned: await examplesOf(store, manifest?.condemned_files ?? [], manifest?.condemned_by_reason ?? {}, layout.dataset),
  };
  const duration_ms = started_at === null || ended_at === null ? null : Date.parse(ended_at) - Date.parse(started_at);
  return {
    run_id: runId,
    status,
    where: context.where,
    mode: manifest?.run.mode ?? record?.mode ?? null,
    ...(manifest?.run.backfill_month === undefined ? {} : { backfill_month: manifest.run.backfill_month }),
    dry_run: record?.status === 'CHECKED',
    started_at,
    ended_at,
    duration_ms,
    why,
    ...(error === undefined ? {} : { error }),
    ...(gate === undefined ? {} : { gate }),
    breaker: {
      state: breaker.state,
      ...(breaker.code === null ? {} : { code: breaker.code }),
      ...(breaker.state === 'open'
        ? { detail: `opened by run ${breaker.opened_by_run ?? '?'} at ${breaker.opened_at ?? '?'}: ${breaker.failed ?? '?'} of ${breaker.processed ?? '?'} rows failed with ${breaker.code ?? '?'} in ${breaker.window_minutes ?? '?'} minutes` }
        : breaker.reset.length > 0
          ? { detail: `last reset by ${breaker.reset.at(-1)?.by ?? '?'} at ${breaker.reset.at(-1)?.at ?? '?'}` }
          : {}),
    },
    counts,
    amounts: amounts === undefined ? null : { input: decimal(amounts.input_minor), valid: decimal(amounts.valid_minor), quarantined: decimal(amounts.quarantined_minor), condemned: decimal(amounts.condemned_minor) },
    reconciles,
    source: {
      bucket: source?.bucket ?? '',
      key: source?.key ?? '',
      size: head?.size ?? null,
      sha256: manifest?.content_sha256 ?? null,
      ingest_date: /ingest_date=(\d{4}-\d{2}-\d{2})/.exec(source?.key ?? '')?.[1] ?? null,
      landed_at: head?.lastModified.toISOString() ?? null,
    },
    partitions,
    quarantine_by_reason: manifest?.quarantine_by_reason ?? (record !== undefined && 'quarantine_by_reason' in record ? record.quarantine_by_reason : {}),
    condemned_by_reason: manifest?.condemned_by_reason ?? {},
    examples,
    timeline: context.timeline ?? [],
    rows_per_second: counts === null || duration_ms === null || duration_ms <= 0 ? null : Math.round((counts.input_rows / duration_ms) * 1000),
    decisions,
    links: context.links ?? [],
    logs_command: context.logs_command ?? null,
  };
}

/** Retries of this run's rows and decisions on its condemned rows, newest retry records only (`RETRIES_READ`). */
export async function decisionsAbout(store: ObjectStore, layout: LakeLayout, runId: string): Promise<RunReport['decisions'][number][]> {
  const decisions: RunReport['decisions'][number][] = [];
  const decided = new Set<string>();
  for await (const object of listAll(store, layout.buckets.artifacts, layout.control.condemnedRowDecisionsPrefix(runId).prefix)) {
    const hash = /\/([0-9a-f]{64})\.json$/.exec(object.key)?.[1];
    const row = hash === undefined ? undefined : await readCondemnedRowDecision(store, layout, runId, hash);
    if (row === undefined || decided.has(row.decision_id)) continue;
    decided.add(row.decision_id);
    const decision = await readCondemnedDecision(store, layout, row.decision_id);
    if (decision === undefined) continue;
    decisions.push({
      what: `${decision.decision === 'approve' ? 'approval' : 'rejection'} of ${count(decision.rows.length, 'condemned row')}${decision.retry_run_id === null ? '' : `, re-submitted by run ${decision.retry_run_id}`}`,
      by: decision.by,
      at: decision.at,
      why: decision.reason,
    });
  }
  // Retry records are named by their retry run: only those started in this run's second or later can
  // retry its rows (the second, not the whole id: ids of one second order by their random suffix).
  const { bucket, prefix } = layout.control.retryRecordsPrefix();
  const secondOf = (id: string): string => id.replace(/^backfill-/, '').slice(0, 'YYYYMMDDTHHMMSSZ'.length);
  const later: string[] = [];
  for await (const object of listAll(store, bucket, prefix)) {
    const retryRunId = object.key.slice(prefix.length).replace(/\.json$/, '');
    if (retryRunId !== runId && secondOf(retryRunId) >= secondOf(runId)) later.push(retryRunId);
  }
  for (const retryRunId of later.sort().reverse().slice(0, RETRIES_READ)) {
    const retry = await readRetryRecord(store, layout, retryRunId).catch(() => undefined);
    if (retry === undefined || retry.source_run_id !== runId || retry.kind === 'approval') continue;
    decisions.push({ what: `retry of ${count(retry.rows.length, 'quarantined row')} by run ${retry.retry_run_id}${retry.fixes_file === null ? '' : ` with fixes ${retry.fixes_file}`}`, by: retry.requested_by, at: retry.requested_at, why: retry.reason });
  }
  return decisions;
}

async function readManifest(store: ObjectStore, layout: LakeLayout, runId: string): Promise<RunManifest | undefined> {
  const bytes = await store.getBytes(layout.artifacts.manifest(runId));
  if (bytes === undefined) return undefined;
  const parsed = RunManifestSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  return parsed.success ? parsed.data : undefined;
}

/** At most `EXAMPLES_PER_REASON` rows per code, reading row groups only until every code of `byReason` has its examples. */
async function examplesOf(
  store: ObjectStore,
  files: readonly ObjectRef[],
  byReason: QuarantineByReason,
  dataset: DatasetSpec,
): Promise<Record<string, ExampleRow[]>> {
  const examples: Record<string, ExampleRow[]> = {};
  const wanted = Object.entries(byReason).map(([code, count]) => [code, Math.min(EXAMPLES_PER_REASON, count ?? 0)] as const);
  const done = () => wanted.every(([code, count]) => (examples[code]?.length ?? 0) >= count);
  for await (const group of rejectedRowGroups(store, files, dataset)) {
    for (const row of group) {
      const rows = (examples[row.validation_error] ??= []);
      if (rows.length >= EXAMPLES_PER_REASON) continue;
      const { fields } = row;
      // The field the detail names (validation's details begin with it), else the whole record.
      const role = COLUMN_ROLES.find((each) => row.error_detail.includes(dataset.columns[each].input));
      const field = role === undefined ? '' : dataset.columns[role].input;
      const value = role === undefined ? COLUMN_ROLES.map((each) => fields[each] ?? '∅').join(', ') : (fields[role] ?? '∅');
      rows.push({ line: row.source_line, field, value: value.length > VALUE_CHARS ? `${value.slice(0, VALUE_CHARS)}…` : value, detail: row.error_detail, attempt: row.attempt_count });
    }
    if (done()) break;
  }
  return examples;
}
