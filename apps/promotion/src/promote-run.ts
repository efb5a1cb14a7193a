import { type DatasetRegistry, type GateLimits, PromotionError, RunBlockedError, runBlockedEvent, type RunBlockedEvent } from '@ledgerlake/domain';
import { type GateVerdict, type GoldRefresh, type PromotedPartition, type PromotionResult } from '@ledgerlake/contract';
import {
  monthName,
  parseMonthName,
  type PartitionCatalog,
  type PublishedPartition,
  readPartitionVersions,
  readVersion,
  runLayout,
  type RunManifest,
  RunManifestSchema,
  type VersionRequest,
} from '@ledgerlake/lake';
import {
  deletePromotionIntent,
  type IntentMonth,
  listPromotionIntents,
  type LivenessProbe,
  markFileProcessed,
  type PromotionIntent,
  readCheckedVersions,
  readPromotionIntent,
  type RunHolder,
  writePromotionIntent,
  writeRunRecordIfAbsent,
} from '@ledgerlake/ledgers';
import { type Compressor } from '@ledgerlake/parquet';
import { parseJson } from '@ledgerlake/storage';
import { tidyWorkArea } from '@ledgerlake/work-area';
import type { LakeLayout, ObjectStore, YearMonth } from '@ledgerlake/storage';
import { commitPartition, type PartitionChange } from './commit-partition';
import { evaluateGate } from './gate';
import { refreshGold } from './gold';
import type { GoldEngine } from './gold-engine';
import { excludeLateRows, findLateKeys, removeStaleLateRows } from './late-rows';
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
  /** The gate's limits (the domain's quality policy). */
  readonly thresholds: GateLimits;
  readonly now?: () => Date;
  readonly logger?: CoreLogger;
  /** The late-row rewrite's Snappy compressor; default hyparquet-writer's own. */
  readonly compressor?: Compressor;
  /** What runs the Gold SQL (docs/gold.md): DuckDB in-process locally, Athena in the cloud. */
  readonly gold: GoldEngine;
  /** Who begins a promotion (recorded in its intent); default the run's execution alone. */
  readonly holder?: RunHolder;
  /** Tells recovery which holders are dead; default none known dead (only `force` recovers). */
  readonly liveness?: LivenessProbe;
  /** The datasets a run may name (`runLayout`): a run's Silver is its dataset's; default the shipped ones. */
  readonly datasets?: DatasetRegistry;
}

/** One Silver month a promotion committed (or found already committed). */

/** What `promoteRun` returns: the partitions and the earliest month Gold must be rebuilt from. */


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
export function gateRun(manifest: RunManifest, thresholds: GateLimits): GateVerdict {
  return evaluateGate({ mode: manifest.run.mode, counts: manifest.counts, critical_errors: manifest.critical_errors }, thresholds);
}

/** Which months of a run to promote, and who asked for it (a promotion by hand). */
export interface PromotionScope {
  /** Only these months (`YYYY-MM`); default every month the run wrote. */
  readonly only?: ReadonlySet<string>;
  /** Who asked and why: recorded in the intent and every version the promotion commits. */
  readonly requested?: VersionRequest;
}

/**
 * Publishes a run (docs/contract/publishing.md, "Promotion") as one transaction (docs/exactly-once.md): `beginPromotion`
 * records the intent, then `completePromotion` commits every month, its catalog entry, Gold, the
 * processed-file ledger and the run record.
 */
export async function promoteRun(runId: string, deps: PromotionDeps, scope: PromotionScope = {}): Promise<PromotionResult> {
  const intent = await beginPromotion(runId, deps, scope);
  return (await completePromotion(intent, deps)).promotion;
}

/**
 * Begins a run's promotion: the gate is checked again (a blocked run is never published, whoever
 * asks), every month to publish must have its `_SUCCESS`, and the whole intent — months, files,
 * the versions the duplicate check read, the Gold month — is written before anything is
 * committed. A promotion already begun returns its stored intent.
 */
export async function beginPromotion(runId: string, deps: PromotionDeps, scope: PromotionScope = {}): Promise<PromotionIntent> {
  const { only, requested } = scope;
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const begun = await readPromotionIntent(store, deps.layout, runId);
  if (begun !== undefined) return begun;
  const manifest = await readRunManifest(store, deps.layout, runId);
  const layout = runLayout(deps.layout, manifest.run, deps.datasets);
  if (manifest.run.dry_run === true) throw new PromotionError(`promotion: run ${runId} was a dry run: it is checked, never published`);
  const verdict = gateRun(manifest, deps.thresholds);
  if (verdict.decision === 'BLOCKED') throw new RunBlockedError(runId, verdict.reasons);
  const checked = await readCheckedVersions(store, layout, runId);
  const months: IntentMonth[] = [];
  const ordered = [...manifest.partitions].sort((a, b) => a.year - b.year || a.month - b.month);
  for (const written of ordered) {
    const month: YearMonth = { year: written.year, month: written.month };
    const name = monthName(month);
    if (only !== undefined && !only.has(name)) continue;
    if ((await store.head(layout.silver.runSuccess(month, runId))) === undefined) {
      throw new PromotionError(`promotion: run ${runId} has no _SUCCESS in ${name}: its output there is incomplete`);
    }
    const replace = manifest.run.mode === 'backfill' && manifest.run.backfill_month === name;
    months.push({
      partition: name,
      rows: written.rows,
      files: [...written.files],
      action: replace ? 'replace' : 'append',
      checked_version: checked[name] ?? 0,
    });
  }
  const first = months[0]?.partition;
  return writePromotionIntent(store, layout, {
    run_id: runId,
    execution_arn: manifest.execution_arn,
    dataset: manifest.run.dataset,
    mode: manifest.run.mode,
    content_sha256: manifest.content_sha256,
    ingest_date: manifest.started_at.slice(0, 10),
    begun_at: now().toISOString(),
    holder: deps.holder ?? { execution_arn: manifest.execution_arn },
    months,
    ...(first === undefined ? {} : { gold_from: first }),
    ...(requested === undefined ? {} : { requested }),
  });
}

/**
 * Commits every month of a begun promotion, in month order: the run's objects copied into
 * `current/` (`<run_id>-part-NNNNN.parquet`), a new version committed with compare-and-swap —
 * the run's rows added to the month, or for a backfill's own month replacing it — after the
 * run's keys were checked against every run published there since its duplicate check (late rows
 * are condemned, not published: `late-rows.ts`), then the catalog entry. Idempotent: a month
 * already holding the run is not committed again, and its catalog entry is still brought up to date.
 */
export async function commitPromotion(intent: PromotionIntent, deps: PromotionDeps): Promise<PromotedPartition[]> {
  const { store, logger } = deps;
  const layout = runLayout(deps.layout, intent, deps.datasets);
  const table = layout.dataset.silver.table;
  const now = deps.now ?? (() => new Date());
  const runId = intent.run_id;
  const partitions: PromotedPartition[] = [];
  for (const planned of intent.months) {
    const month = parseMonthName(planned.partition);
    // Copied once the month is read and found without the run: a month that already holds it (the
    // completion re-run, a retry) needs no copies again. Copying is idempotent across lost races.
    const copy = () => publishRunFiles(store, layout, month, runId, planned.files);
    const entryOf = (files: string[], rows: number): RunEntry => ({
      run_id: runId,
      execution_arn: intent.execution_arn,
      promoted_at: now().toISOString(),
      rows,
      files,
    });
    const outcome = await commitPartition(store, {
      table,
      layout: layout.silver,
      bucket: layout.buckets.silver,
      month,
      runId,
      executionArn: intent.execution_arn,
      ...(intent.requested === undefined ? {} : { requested: intent.requested }),
      now,
      change: async (current) => {
        // Committed already: a month replaced by a backfill keeps what other runs appended since.
        if (current?.runs.some((published) => published.run_id === runId)) return undefined;
        if (planned.action === 'replace') return { action: 'replace', runs: [entryOf(await copy(), planned.rows)] };
        const others = await runsPublishedSince(store, layout, month, planned.checked_version, current);
        const late = await findLateKeys(store, layout, planned.files, others);
        if (late.size === 0) return appendTo(current, entryOf(await copy(), planned.rows));
        const kept = await excludeLateRows(store, layout, {
          month,
          runId,
          ingestDate: intent.ingest_date,
          runFiles: planned.files,
          late,
          ...(deps.compressor === undefined ? {} : { compressor: deps.compressor }),
        });
        logger?.warn('rows published meanwhile by another run condemned', {
          partition: planned.partition,
          condemned_rows: kept.condemnedRows,
          published_by: [...new Set(late.values())],
        });
        return {
          ...appendTo(current, entryOf(kept.files, kept.rows)),
          ...(kept.condemnedRows > 0 ? { late_condemned_rows: kept.condemnedRows } : {}),
        };
      },
    });
    const mine = outcome.version.runs.find((published) => published.run_id === runId);
    await removeStaleLateRows(store, layout, month, runId, intent.ingest_date, mine?.files ?? []);
    await syncCatalog(store, deps.catalog, table, layout.silver, month, now);
    const rows = mine?.rows ?? planned.rows;
    const entry: PromotedPartition = {
      partition: planned.partition,
      version: outcome.version.version,
      rows,
      action: planned.action,
      committed: outcome.committed,
      conflicts: outcome.conflicts,
      late_condemned: planned.rows - rows,
    };
    logger?.info(outcome.committed ? 'partition promoted' : 'partition already promoted', { ...entry });
    partitions.push(entry);
  }
  return partitions;
}

/** The runs published in the month after the version the duplicate check read (their keys were not checked). */
async function runsPublishedSince(
  store: ObjectStore,
  layout: LakeLayout,
  month: YearMonth,
  checkedVersion: number,
  current: PublishedPartition | undefined,
): Promise<PublishedPartition['runs']> {
  if (current === undefined || current.version === checkedVersion) return [];
  const checked = checkedVersion === 0 ? undefined : await readVersion(store, layout.silver, month, checkedVersion);
  const seen = new Set(checked?.runs.map((run) => run.run_id) ?? []);
  return current.runs.filter((run) => !seen.has(run.run_id));
}

/** What completing a promotion did. */
export interface CompletedPromotion {
  readonly promotion: PromotionResult;
  readonly gold: GoldRefresh;
}

/**
 * Completes a begun promotion from its intent alone, whoever calls it and however often: every
 * month committed (`commitPromotion`, idempotent), Gold rebuilt from the intent's first month,
 * the content marked processed, the run record PUBLISHED (its counts moved by any rows condemned
 * late), and last the intent deleted.
 */
export async function completePromotion(intent: PromotionIntent, deps: PromotionDeps): Promise<CompletedPromotion> {
  const { store } = deps;
  const layout = runLayout(deps.layout, intent, deps.datasets);
  const now = deps.now ?? (() => new Date());
  const runId = intent.run_id;
  const partitions = await commitPromotion(intent, deps);
  // Gold is built from the one dataset whose spec says it feeds it (`DatasetSpec.gold`).
  const gold =
    intent.gold_from === undefined || !layout.dataset.gold
      ? { months: [], committed: 0, passes: 0 }
      : await refreshGold(intent.gold_from, {
          store,
          layout,
          catalog: deps.catalog,
          runId,
          executionArn: intent.execution_arn,
          now,
          gold: deps.gold,
        });
  const manifest = await readRunManifest(store, layout, runId);
  await markFileProcessed(store, layout, manifest.content_sha256, runId, now());
  const late = partitions.reduce((sum, partition) => sum + partition.late_condemned, 0);
  await writeRunRecordIfAbsent(store, layout, {
    status: 'PUBLISHED',
    ...recordBase(manifest),
    counts: {
      ...manifest.counts,
      valid_rows: manifest.counts.valid_rows - late,
      condemned_rows: manifest.counts.condemned_rows + late,
    },
    ...(late === 0 ? {} : { late_condemned_rows: late }),
    published_at: now().toISOString(),
    partitions: partitions.map(({ partition, version, rows }) => ({ partition, version, rows })),
  });
  await deletePromotionIntent(store, layout, runId);
  // Published: the run's scratch copies of its rows are no longer needed by anyone.
  await tidyWorkArea(store, layout, runId, deps.logger);
  return { promotion: promotionResult(runId, 'PUBLISHED', partitions), gold };
}

/** What a promotion Task returns for a run's months: Gold is rebuilt from the first of them. */
export function promotionResult<S extends PromotionResult['status']>(
  runId: string,
  status: S,
  partitions: PromotedPartition[],
): PromotionResult & { readonly status: S } {
  const first = partitions[0]?.partition;
  return { run_id: runId, status, partitions, ...(first === undefined ? {} : { gold_from: first }) };
}

/** What `recoverPromotions` found and did. */
export interface RecoveryResult {
  /** Promotions rolled forward to PUBLISHED. */
  readonly recovered: string[];
  /** Promotions left to their live holder. */
  readonly live: string[];
  /** Promotions that could not be completed now, with the one-sentence reason. */
  readonly failed: { readonly run_id: string; readonly error: string }[];
}

/**
 * Rolls forward every pending promotion of the lake whose holder is known dead (or every one,
 * with `force`), except `exceptRunId`'s; one that cannot be completed now (the fault is still
 * there) is reported and left for the next attempt.
 */
export async function recoverPromotions(
  deps: PromotionDeps,
  options: { readonly exceptRunId?: string; readonly force?: boolean } = {},
): Promise<RecoveryResult> {
  const result: RecoveryResult = { recovered: [], live: [], failed: [] };
  for (const intent of await listPromotionIntents(deps.store, deps.layout)) {
    if (intent.run_id === options.exceptRunId) continue;
    if (options.force !== true && !(await (deps.liveness ?? NO_LIVENESS).isDead(intent.holder))) {
      result.live.push(intent.run_id);
      continue;
    }
    try {
      await completePromotion(intent, deps);
      result.recovered.push(intent.run_id);
      deps.logger?.info('interrupted promotion rolled forward', { recovered_run_id: intent.run_id });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result.failed.push({ run_id: intent.run_id, error: message });
      deps.logger?.warn('interrupted promotion could not be rolled forward yet', { recovered_run_id: intent.run_id, error: message });
    }
  }
  return result;
}

/** Without a way to tell, no holder is known dead. */
const NO_LIVENESS: LivenessProbe = { isDead: async () => false };

type RunEntry = PublishedPartition['runs'][number];

function appendTo(current: PublishedPartition | undefined, run: RunEntry): PartitionChange {
  return { action: 'append', runs: [...(current?.runs ?? []), run] };
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
  /** The month's version now: the one committed, or, when nothing was, the current one. */
  readonly version: number;
  /** False when the month already showed that state: nothing was committed. */
  readonly committed: boolean;
  /** With `rollback`: the version restored. */
  readonly restored_version?: number;
  readonly rows: number;
}

/**
 * `ledgerlake promote --run RUN_ID --partition YYYY-MM`: makes the month's published state what it
 * was right after `runId` was promoted into it, as a new version (rolling back = promoting an
 * earlier run again, docs/contract/publishing.md, "Failed runs and rollback"). A run never promoted into the month is promoted there
 * now, through the gate. Either way the version records who asked and why. A month that already
 * shows that state is left as it is (no new version). The caller rebuilds Gold from the month.
 */
export async function restorePartition(
  runId: string,
  month: YearMonth,
  actor: { readonly runId: string; readonly executionArn: string; readonly requested: VersionRequest },
  deps: PromotionDeps,
): Promise<RestoreResult> {
  const { store, layout } = deps;
  const now = deps.now ?? (() => new Date());
  const name = monthName(month);
  const target = (await readPartitionVersions(store, layout.silver, month)).find(
    (version) => version.run_id === runId && (version.action === 'append' || version.action === 'replace'),
  );
  if (target === undefined) {
    const manifest = await readRunManifest(store, layout, runId);
    if (!manifest.partitions.some((p) => monthName({ year: p.year, month: p.month }) === name)) {
      throw new PromotionError(`promotion: run ${runId} wrote no rows for ${name}; there is nothing of it to promote there`);
    }
    const promoted = await promoteRun(runId, deps, { only: new Set([name]), requested: actor.requested });
    const partition = promoted.partitions[0] as PromotedPartition;
    return { partition: name, action: 'promote', version: partition.version, committed: partition.committed, rows: partition.rows };
  }
  const outcome = await commitPartition(store, {
    table: 'silver.transactions',
    layout: layout.silver,
    bucket: layout.buckets.silver,
    month,
    runId: actor.runId,
    executionArn: actor.executionArn,
    requested: actor.requested,
    now,
    change: (current) =>
      current !== undefined && sameState(current, target)
        ? undefined
        : { action: 'rollback', runs: target.runs, restored_version: target.version, restored_run_id: runId },
  });
  await syncCatalog(store, deps.catalog, 'silver.transactions', layout.silver, month, now);
  return {
    partition: name,
    action: 'rollback',
    version: outcome.version.version,
    committed: outcome.committed,
    restored_version: target.version,
    rows: outcome.version.counts.rows,
  };
}

/** Whether two versions publish the same objects of the same runs: restoring one over the other would change nothing. */
function sameState(a: PublishedPartition, b: PublishedPartition): boolean {
  const objects = (version: PublishedPartition) => JSON.stringify(version.runs.map((run) => [run.run_id, run.files]));
  return objects(a) === objects(b);
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
