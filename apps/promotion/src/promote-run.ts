import { LedgerLakeError, runBlockedEvent, type RunBlockedEvent } from '@ledgerlake/domain';
import {
  markFileProcessed,
  monthName,
  parseJson,
  type PartitionCatalog,
  type PublishedPartition,
  readLatest,
  readVersion,
  type RunManifest,
  RunManifestSchema,
  writeRunRecordIfAbsent,
} from '@ledgerlake/pipeline';
import type { LakeLayout, ObjectStore, YearMonth } from '@ledgerlake/storage';
import { commitPartition, type PartitionChange } from './commit-partition';
import { evaluateGate, type GateThresholds, type GateVerdict } from './gate';
import { syncCatalog } from './sync-catalog';

/** The logger the promotion core reports through (Powertools' Logger fits). */
export interface CoreLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

/** What promotion works with. */
export interface PromotionDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly catalog: PartitionCatalog;
  readonly thresholds: GateThresholds;
  readonly now?: () => Date;
  readonly logger?: CoreLogger;
}

/** One Silver month a promotion committed (or found already committed). */
export interface PromotedPartition {
  /** `YYYY-MM`. */
  readonly partition: string;
  readonly version: number;
  /** Rows of this run in the month. */
  readonly rows: number;
  readonly action: PartitionChange['action'];
  /** False when the month already held the run (a retry or re-run). */
  readonly committed: boolean;
  /** Races with other promotions lost (and re-applied) before committing. */
  readonly conflicts: number;
}

/** What `promoteRun` returns: the partitions and the earliest month Gold must be rebuilt from. */
export interface PromotionResult {
  readonly run_id: string;
  readonly status: 'PUBLISHED';
  readonly partitions: PromotedPartition[];
  /** The earliest month touched (`YYYY-MM`), absent when the run had no valid rows. */
  readonly gold_from?: string;
}

/** A run cannot be promoted as asked (no manifest, no `_SUCCESS`, nothing for that month): retrying will not help. */
export class PromotionError extends LedgerLakeError {
  override readonly name = 'PromotionError' as const;
  readonly retryable = false;
}

/** The gate refused the run: nothing of it may be published. */
export class RunBlockedError extends LedgerLakeError {
  override readonly name = 'RunBlockedError' as const;
  readonly retryable = false;
  constructor(
    readonly runId: string,
    readonly reasons: readonly string[],
  ) {
    super(`promotion: run ${runId} is blocked by the promotion gate: ${reasons.join('; ')}`);
  }
}

/** What a run record says of a run that got as far as its manifest (the fields every status shares). */
export function recordBase(manifest: RunManifest) {
  return {
    run_id: manifest.run_id,
    execution_arn: manifest.execution_arn,
    dataset: manifest.run.dataset,
    mode: manifest.run.mode,
    started_at: manifest.started_at,
    source: manifest.run.source,
    ...(manifest.source_files[0] === undefined ? {} : { source_file_id: manifest.source_files[0] }),
    counts: manifest.counts,
    quarantine_by_reason: manifest.quarantine_by_reason,
  };
}

/** Reads a run's manifest; a run without one did not finish writing and cannot be promoted. */
export async function readRunManifest(store: ObjectStore, layout: LakeLayout, runId: string): Promise<RunManifest> {
  const ref = layout.artifacts.manifest(runId);
  const bytes = await store.getBytes(ref);
  if (bytes === undefined) {
    throw new PromotionError(`promotion: run ${runId} has no manifest (${ref.key}): it never finished writing its output`);
  }
  return parseJson(bytes, ref, RunManifestSchema, 'run manifest');
}

/** The gate's verdict on a run, from its manifest. */
export function gateRun(manifest: RunManifest, thresholds: GateThresholds): GateVerdict {
  return evaluateGate({ counts: manifest.counts, critical_errors: manifest.critical_errors }, thresholds);
}

/**
 * Publishes a run (PRODUCT.md §5.4), from its manifest: the gate is checked again (a blocked run
 * is never published, whoever asks), then per Silver month the run wrote — in month order — its
 * `_SUCCESS` must be there, its Parquet objects are copied into `current/` as
 * `<run_id>-part-NNNNN.parquet`, and a new version is committed: the run's rows added to the
 * month, or, for a backfill run's own month, replacing it. Then the catalog, the processed-file
 * ledger and the run record. Every step is idempotent: a retry or a re-run after a crash
 * completes what is missing and commits nothing twice. `only` restricts it to some months.
 */
export async function promoteRun(
  runId: string,
  deps: PromotionDeps,
  only?: ReadonlySet<string>,
): Promise<PromotionResult> {
  const { store, layout, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const manifest = await readRunManifest(store, layout, runId);
  const verdict = gateRun(manifest, deps.thresholds);
  if (verdict.decision === 'BLOCKED') throw new RunBlockedError(runId, verdict.reasons);

  const partitions: PromotedPartition[] = [];
  const ordered = [...manifest.partitions].sort((a, b) => a.year - b.year || a.month - b.month);
  for (const written of ordered) {
    const month: YearMonth = { year: written.year, month: written.month };
    const name = monthName(month);
    if (only !== undefined && !only.has(name)) continue;
    if ((await store.head(layout.silver.runSuccess(month, runId))) === undefined) {
      throw new PromotionError(`promotion: run ${runId} has no _SUCCESS in ${name}: its output there is incomplete`);
    }
    const files = await publishRunFiles(store, layout, month, runId, written.files);
    const replace = manifest.run.mode === 'backfill' && manifest.run.backfill_month === name;
    const promotedAt = now().toISOString();
    const run = { run_id: runId, execution_arn: manifest.execution_arn, promoted_at: promotedAt, rows: written.rows, files };
    const outcome = await commitPartition(store, {
      table: 'silver.transactions',
      layout: layout.silver,
      bucket: layout.buckets.silver,
      month,
      runId,
      executionArn: manifest.execution_arn,
      now,
      change: (current) => (replace ? replaceWith(current, run) : appendTo(current, run)),
    });
    await syncCatalog(store, deps.catalog, 'silver.transactions', layout.silver, month, now);
    const entry = {
      partition: name,
      version: outcome.version.version,
      rows: written.rows,
      action: replace ? ('replace' as const) : ('append' as const),
      committed: outcome.committed,
      conflicts: outcome.conflicts,
    };
    logger?.info(outcome.committed ? 'partition promoted' : 'partition already promoted', entry);
    partitions.push(entry);
  }

  await markFileProcessed(store, layout, manifest.content_sha256, runId, now());
  await writeRunRecordIfAbsent(store, layout, {
    status: 'PUBLISHED',
    ...recordBase(manifest),
    published_at: now().toISOString(),
    partitions: partitions.map(({ partition, version, rows }) => ({ partition, version, rows })),
  });
  const first = partitions[0]?.partition;
  return { run_id: runId, status: 'PUBLISHED', partitions, ...(first === undefined ? {} : { gold_from: first }) };
}

type RunEntry = PublishedPartition['runs'][number];

function appendTo(current: PublishedPartition | undefined, run: RunEntry): PartitionChange | undefined {
  if (current?.runs.some((published) => published.run_id === run.run_id)) return undefined;
  return { action: 'append', runs: [...(current?.runs ?? []), run] };
}

function replaceWith(current: PublishedPartition | undefined, run: RunEntry): PartitionChange | undefined {
  if (current?.runs.length === 1 && current.runs[0]?.run_id === run.run_id) return undefined;
  return { action: 'replace', runs: [run] };
}

/**
 * Copies the run's Parquet objects of a month into `current/` (`<run_id>-part-NNNNN.parquet`) and
 * returns their keys there. An object already copied (a retry) is not copied again.
 */
async function publishRunFiles(
  store: ObjectStore,
  layout: LakeLayout,
  month: YearMonth,
  runId: string,
  runKeys: readonly string[],
): Promise<string[]> {
  const published: string[] = [];
  for (const key of runKeys) {
    const part = key.slice(key.lastIndexOf('/') + 1);
    const target = layout.silver.currentObject(month, `${runId}-${part}`);
    const source = { bucket: layout.buckets.silver, key };
    const [from, to] = await Promise.all([store.head(source), store.head(target)]);
    if (from === undefined) throw new PromotionError(`promotion: run ${runId} lists ${key}, which does not exist`);
    if (to === undefined || to.size !== from.size) await store.copy(source, target);
    published.push(target.key);
  }
  return published;
}

/** What `restorePartition` did. */
export interface RestoreResult {
  readonly partition: string;
  /** `rollback`: an earlier version restored; `promote`: the run had never been promoted there, so it was. */
  readonly action: 'rollback' | 'promote';
  readonly version: number;
  /** With `rollback`: the version restored. */
  readonly restored_version?: number;
  readonly rows: number;
}

/**
 * `ledgerlake promote --run RUN_ID --partition YYYY-MM`: makes the month's published state what it
 * was right after `runId` was promoted into it, as a new version (rolling back = promoting an
 * earlier run again, PRODUCT.md §5.5). A run never promoted into the month is promoted there
 * now, through the gate. The caller rebuilds Gold from the month.
 */
export async function restorePartition(
  runId: string,
  month: YearMonth,
  actor: { readonly runId: string; readonly executionArn: string },
  deps: PromotionDeps,
): Promise<RestoreResult> {
  const { store, layout } = deps;
  const now = deps.now ?? (() => new Date());
  const name = monthName(month);
  const target = await findPromotedVersion(store, layout, month, runId);
  if (target === undefined) {
    const manifest = await readRunManifest(store, layout, runId);
    if (!manifest.partitions.some((p) => monthName({ year: p.year, month: p.month }) === name)) {
      throw new PromotionError(`promotion: run ${runId} wrote no rows for ${name}; there is nothing of it to promote there`);
    }
    const promoted = await promoteRun(runId, deps, new Set([name]));
    const partition = promoted.partitions[0] as PromotedPartition;
    return { partition: name, action: 'promote', version: partition.version, rows: partition.rows };
  }
  const outcome = await commitPartition(store, {
    table: 'silver.transactions',
    layout: layout.silver,
    bucket: layout.buckets.silver,
    month,
    runId: actor.runId,
    executionArn: actor.executionArn,
    now,
    change: () => ({ action: 'rollback', runs: target.runs, restored_version: target.version }),
  });
  await syncCatalog(store, deps.catalog, 'silver.transactions', layout.silver, month, now);
  return {
    partition: name,
    action: 'rollback',
    version: outcome.version.version,
    restored_version: target.version,
    rows: outcome.version.counts.rows,
  };
}

/** The latest version `runId`'s own promotion committed in the month (append or replace), if any. */
async function findPromotedVersion(
  store: ObjectStore,
  layout: LakeLayout,
  month: YearMonth,
  runId: string,
): Promise<PublishedPartition | undefined> {
  const current = await readLatest(store, layout.silver, month);
  for (let version = current?.value.version ?? 0; version >= 1; version--) {
    const candidate = version === current?.value.version ? current.value : await readVersion(store, layout.silver, month, version);
    if (candidate === undefined) continue;
    if (candidate.run_id === runId && (candidate.action === 'append' || candidate.action === 'replace')) return candidate;
  }
  return undefined;
}

/** The blocked-run event for a run the gate refused (see `recordBlocked`). */
export function blockedEvent(manifest: RunManifest, reasons: readonly string[], at: Date): RunBlockedEvent {
  return runBlockedEvent({
    run_id: manifest.run_id,
    execution_arn: manifest.execution_arn,
    execution_name: manifest.run.execution_name,
    dataset: manifest.run.dataset,
    mode: manifest.run.mode,
    source: manifest.run.source,
    ...(manifest.source_files[0] === undefined ? {} : { source_file_id: manifest.source_files[0] }),
    counts: manifest.counts,
    quarantine_by_reason: manifest.quarantine_by_reason,
    condemned_by_reason: manifest.condemned_by_reason,
    reasons: [...reasons],
    blocked_at: at.toISOString(),
  });
}
