import { COLUMN_ROLES, type DatasetSpec, RunIdSchema } from '@ledgerlake/domain';
import {
  listLateCondemned,
  readRejectedRows,
  type RejectedRow,
  type RunManifest,
  RunManifestSchema,
} from '@ledgerlake/lake';
import {
  isSupersededRun,
  isVoidRetryRun,
  LOCAL_LIVENESS,
  type QuarantinedRowStatus,
  quarantinedRowStatus,
  readCondemnedRowDecision,
  readRetryClaim,
  readRunRecord,
  type RetryRunWatch,
  retryRunGone,
} from '@ledgerlake/ledgers';
import { listPrefixes } from '@ledgerlake/storage';
import { RunbookError, unknownRunError } from './errors';
import type { Lake } from './lake';

/** A quarantined row's state (libs/ledgers `runbook-ledger.ts`, docs/quarantine-lifecycle.md). */
export type QuarantineStatus = QuarantinedRowStatus;

/** A condemned row's state: CONDEMNED (no decision yet), APPROVED (re-submitted), REJECTED (kept forever). */
export type CondemnedStatus = 'CONDEMNED' | 'APPROVED' | 'REJECTED';

/** A rejected row as `quarantine list` and `condemned list` print it. */
export interface ListedRow<S extends string> {
  readonly run_id: string;
  readonly row_hash: string;
  readonly validation_error: string;
  readonly error_detail: string;
  readonly attempt_count: number;
  readonly source_file_id: string;
  readonly source_line: number;
  /** The five input fields by their CSV column names; null where the record had none. */
  readonly fields: Readonly<Record<string, string | null>>;
  readonly status: S;
  /** RETRYING, RESOLVED, REQUARANTINED, CONDEMNED, APPROVED: the retry run that re-submitted the row; OPEN: a retry run that did not publish. */
  readonly retry_run_id?: string;
  /** APPROVED, REJECTED: the recorded decision. */
  readonly decision?: { readonly decision_id: string; readonly by: string; readonly at: string };
}

/** A listed row with the stored row it came from. */
export interface Listed<S extends string> {
  readonly row: RejectedRow;
  readonly listed: ListedRow<S>;
}

/** Refuses a run id that is not one (`invalid-run-id`). */
export function checkRunId(runId: string): string {
  if (!RunIdSchema.safeParse(runId).success) {
    throw new RunbookError('invalid-run-id', `${JSON.stringify(runId)} is not a run id (see \`ledgerlake runs\`).`);
  }
  return runId;
}

/** Refuses a run id that is not one (`invalid-run-id`) or that the lake has no trace of (`unknown-run`: nothing under `runs/<run_id>/`). */
export async function requireKnownRun(lake: Lake, runId: string): Promise<string> {
  const { bucket, prefix } = lake.layout.artifacts.runPrefix(checkRunId(runId));
  const page = await lake.store.list(bucket, prefix, { limit: 1 });
  if (page.objects.length === 0 && page.prefixes.length === 0) throw unknownRunError(runId);
  return runId;
}

/** A run's manifest, or `undefined` when the run never finished writing its output. */
export async function readManifest(lake: Lake, runId: string): Promise<RunManifest | undefined> {
  const bytes = await lake.store.getBytes(lake.layout.artifacts.manifest(runId));
  return bytes === undefined ? undefined : RunManifestSchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
}

/**
 * The manifest of one run (a run without one is `no-output`), or of every run that wrote
 * output, less the runs whose rejected rows count for nothing: a run superseded by a re-run of its
 * content (the re-run decides the rows again) and a void retry run (its rows are OPEN again where
 * they came from).
 */
async function manifests(lake: Lake, runId: string | undefined): Promise<RunManifest[]> {
  let found: RunManifest[];
  if (runId !== undefined) {
    const manifest = await readManifest(lake, await requireKnownRun(lake, runId));
    if (manifest === undefined) throw new RunbookError('no-output', `Run ${runId} wrote no output (no runs/${runId}/manifest.json); see \`ledgerlake runs\`.`);
    found = [manifest];
  } else {
    const { bucket, prefix } = lake.layout.artifacts.runsPrefix();
    const runIds = (await listPrefixes(lake.store, bucket, prefix))
      .map((runPrefix) => runPrefix.slice(prefix.length, -1))
      .filter((id) => RunIdSchema.safeParse(id).success)
      .sort();
    found = (await Promise.all(runIds.map((id) => readManifest(lake, id)))).filter((manifest): manifest is RunManifest => manifest !== undefined);
  }
  const counted = await Promise.all(found.map((manifest) => rejectedRowsCount(lake, manifest)));
  return found.filter((_, index) => counted[index]);
}

async function rejectedRowsCount(lake: Lake, manifest: RunManifest): Promise<boolean> {
  if (await isSupersededRun(lake.store, lake.layout, manifest.run_id, manifest.content_sha256)) return false;
  return manifest.run.mode !== 'retry' || !isVoidRetryRun(await readRunRecord(lake.store, lake.layout, manifest.run_id));
}

function base(row: RejectedRow, dataset: DatasetSpec): Omit<ListedRow<never>, 'status'> {
  return {
    run_id: row.run_id,
    row_hash: row.row_hash,
    validation_error: row.validation_error,
    error_detail: row.error_detail,
    attempt_count: row.attempt_count,
    source_file_id: row.source_file_id,
    source_line: row.source_line,
    fields: Object.fromEntries(COLUMN_ROLES.map((role) => [dataset.columns[role].input, row.fields[role]])),
  };
}

/** Every quarantined row of one run (or all runs), oldest run first, with its retry status. */
export async function quarantinedRows(lake: Lake, runId?: string, watch: RetryRunWatch = { at: new Date(), liveness: LOCAL_LIVENESS }): Promise<Listed<QuarantineStatus>[]> {
  const rejectedOfRun = new Map<string, Promise<{ quarantined: Set<string>; condemned: Set<string> }>>();
  /** Row hashes a published retry run quarantined, and condemned (also at its commit), again. */
  const rejectedBy = (id: string): Promise<{ quarantined: Set<string>; condemned: Set<string> }> => {
    let hashes = rejectedOfRun.get(id);
    if (hashes === undefined) {
      hashes = (async () => {
        const manifest = await readManifest(lake, id);
        if (manifest === undefined) return { quarantined: new Set<string>(), condemned: new Set<string>() };
        const late = await listLateCondemned(lake.store, lake.layout, manifest.started_at.slice(0, 10), id);
        const hashesOf = async (refs: RunManifest['quarantine_files']) => new Set((await readRejectedRows(lake.store, refs, lake.layout.dataset)).map((row) => row.row_hash));
        return { quarantined: await hashesOf(manifest.quarantine_files), condemned: await hashesOf([...manifest.condemned_files, ...late]) };
      })();
      rejectedOfRun.set(id, hashes);
    }
    return hashes;
  };
  const out: Listed<QuarantineStatus>[] = [];
  for (const manifest of await manifests(lake, runId)) {
    for (const row of await readRejectedRows(lake.store, manifest.quarantine_files, lake.layout.dataset)) {
      const claim = row.attempt_count < 255 ? await readRetryClaim(lake.store, lake.layout, row.row_hash, row.attempt_count + 1) : undefined;
      const record = claim === undefined ? undefined : await readRunRecord(lake.store, lake.layout, claim.retry_run_id);
      let rejectedAs: 'quarantined' | 'condemned' | undefined;
      if (claim !== undefined && record?.status === 'PUBLISHED') {
        const again = await rejectedBy(claim.retry_run_id);
        if (again.quarantined.has(claim.new_row_hash)) rejectedAs = 'quarantined';
        else if (again.condemned.has(claim.new_row_hash)) rejectedAs = 'condemned';
      }
      const gone = claim !== undefined && record === undefined && (await retryRunGone(lake.store, lake.layout, claim, watch));
      const status = quarantinedRowStatus(claim, record, rejectedAs, gone);
      out.push({ row, listed: { ...base(row, lake.layout.dataset), status, ...(claim === undefined ? {} : { retry_run_id: claim.retry_run_id }) } });
    }
  }
  return out;
}

/** Every condemned row of one run (or all runs), oldest run first, with the decision taken on it. */
export async function condemnedRows(lake: Lake, runId?: string): Promise<Listed<CondemnedStatus>[]> {
  const out: Listed<CondemnedStatus>[] = [];
  for (const manifest of await manifests(lake, runId)) {
    const late = await listLateCondemned(lake.store, lake.layout, manifest.started_at.slice(0, 10), manifest.run_id);
    for (const row of await readRejectedRows(lake.store, [...manifest.condemned_files, ...late], lake.layout.dataset)) {
      const decision = await readCondemnedRowDecision(lake.store, lake.layout, row.run_id, row.row_hash);
      const status: CondemnedStatus = decision === undefined ? 'CONDEMNED' : decision.decision === 'approve' ? 'APPROVED' : 'REJECTED';
      out.push({
        row,
        listed: {
          ...base(row, lake.layout.dataset),
          status,
          ...(decision === undefined ? {} : { decision: { decision_id: decision.decision_id, by: decision.by, at: decision.at } }),
        },
      });
    }
  }
  return out;
}

/** Rows per error code. */
export function countByCode(rows: readonly { validation_error: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.validation_error] = (counts[row.validation_error] ?? 0) + 1;
  return counts;
}

/** Rows per status, every status present (zero when none). */
export function countByStatus<S extends string>(statuses: readonly S[], rows: readonly { status: S }[]): Record<S, number> {
  const counts = Object.fromEntries(statuses.map((status) => [status, 0])) as Record<S, number>;
  for (const row of rows) counts[row.status] += 1;
  return counts;
}
