import { LakeStateError, ObjectConflictError, type RowErrorCode, type SuccessMarker, SuccessMarkerSchema } from '@ledgerlake/domain';
import {
  type PartitionWriterResult,
  type PartWritten,
  requireContinue,
  STATE_CRITICAL_ERRORS,
  type TaskEvent,
  WorkPartSchema,
} from '@ledgerlake/contract';
import { monthName, type RunManifest, RunManifestSchema } from '@ledgerlake/lake';
import { renewFileClaim, writeQuarantineIndex } from '@ledgerlake/ledgers';
import { parseJson } from '@ledgerlake/storage';
import { parseDecimalSum, readMapItems, readMapResults } from '@ledgerlake/work-area';
import type { ObjectRef } from '@ledgerlake/storage';
import { type PartResult, partResultRef, PartResultSchema } from './part-result';
import { reconcile } from './reconcile';
import type { PartitionWriterDeps } from './settings';

type Counts = Partial<Record<RowErrorCode, number>>;

/**
 * `FinishRun`: once every work part is written, reads each part's result, reconciles counts and
 * exact amount sums over all parts against enrichment's input (docs/contract/rules.md, "Reconciliation"), writes the
 * quarantine index, `_SUCCESS` last in each Silver run folder the run wrote (listing that month's
 * objects of every part) and the run manifest, both create-if-absent. Problems that make the run
 * unpublishable (rows that do not reconcile, counts the stages reported that differ from where
 * the rows went) are returned as `critical_errors`, not thrown: the run's output is kept for investigation and the promotion gate
 * refuses it.
 *
 * It refuses to finish (throws) when a part of the run has no result. A retry after the manifest
 * was written returns the manifest's result; a retry after some `_SUCCESS` markers were written
 * keeps them (they are this run's); a marker or manifest of another execution is an
 * `ObjectConflictError`.
 */
export async function finishRun(event: TaskEvent<'FinishRun'>, deps: PartitionWriterDeps): Promise<PartitionWriterResult> {
  requireContinue(event.loop_prevention, 'FinishRun');
  const { run, enrichment, validation } = event;
  const { store, layout } = deps;
  const runId = run.run_id;
  const manifestRef = layout.artifacts.manifest(runId);
  const finished = await readManifest(deps, manifestRef);
  if (finished !== undefined) return ownResult(finished, event, manifestRef);

  await renewFileClaim(store, layout, enrichment.content_sha256, runId, (deps.now ?? (() => new Date()))());
  const parts = await readPartResults(event, deps);
  const total = sumParts(parts.map(({ result }) => result));
  const summaryProblems = parts.flatMap(({ summary, result }) => summaryDifference(summary, result));

  await writeQuarantineIndex(store, layout, runId, total.hashesByMonth);

  const counts = {
    input_rows: enrichment.input_rows,
    valid_rows: total.validRows,
    quarantined_rows: total.quarantinedRows,
    condemned_rows: total.condemnedRows,
  };
  const amounts = {
    input_minor: parseDecimalSum(enrichment.input_amount, 'enrichment input_amount').toString(),
    valid_minor: total.validMinor.toString(),
    quarantined_minor: total.quarantinedMinor.toString(),
    condemned_minor: total.condemnedMinor.toString(),
  };
  const criticalErrors = [
    ...reconcile({
      counts,
      amounts,
      quarantineByReason: total.quarantineByReason,
      condemnedByReason: total.condemnedByReason,
      validation,
      loopPrevention: event.loop_prevention,
    }),
    ...total.problems,
    ...summaryProblems,
  ];

  const finishedAt = (deps.now ?? (() => new Date()))().toISOString();
  const marker = (files: string[]): SuccessMarker =>
    SuccessMarkerSchema.parse({
      run_id: runId,
      execution_arn: run.execution_arn,
      source_files: [enrichment.source_file_id],
      schema_version: layout.dataset.schemaVersion,
      counts,
      quarantine_by_reason: total.quarantineByReason,
      amounts,
      critical_errors: criticalErrors,
      files,
      started_at: run.started_at,
      finished_at: finishedAt,
    });

  // `_SUCCESS` goes last in each folder, after every part of it is complete; create-if-absent, so
  // a second writer of the same run id loses instead of replacing the marker.
  const partitions: RunManifest['partitions'] = [];
  for (const month of total.months) {
    const success = layout.silver.runSuccess(month, runId);
    const body = { ...marker(month.files), condemned_by_reason: total.condemnedByReason };
    await putOnce(deps, success, body, (existing) => sameRun(existing, run.execution_arn, runId) && sameJson(existing['files'], month.files));
    partitions.push({ year: month.year, month: month.month, rows: month.rows, files: month.files, success });
  }

  const manifest: RunManifest = RunManifestSchema.parse({
    ...marker(partitions.flatMap((p) => p.files)),
    run,
    content_sha256: enrichment.content_sha256,
    condemned_by_reason: total.condemnedByReason,
    partitions,
    quarantine_files: total.quarantineFiles,
    condemned_files: total.condemnedFiles,
  });
  const kept = await putOnce(deps, manifestRef, manifest, (existing) => sameRun(existing, run.execution_arn, runId));
  return ownResult(kept === undefined ? manifest : RunManifestSchema.parse(kept), event, manifestRef);
}

async function readManifest(deps: PartitionWriterDeps, ref: ObjectRef): Promise<RunManifest | undefined> {
  const bytes = await deps.store.getBytes(ref);
  return bytes === undefined ? undefined : parseJson(bytes, ref, RunManifestSchema, 'run manifest');
}

/**
 * What `FinishRun` returns, from the run manifest: the totals and counts of the lists it holds
 * (the state stays small whatever the number of files). A manifest of another execution is a conflict.
 */
function ownResult(manifest: RunManifest, event: TaskEvent<'FinishRun'>, ref: ObjectRef): PartitionWriterResult {
  if (manifest.execution_arn !== event.run.execution_arn || manifest.content_sha256 !== event.enrichment.content_sha256) {
    throw new ObjectConflictError(ref.bucket, ref.key, 'exists');
  }
  return {
    counts: manifest.counts,
    quarantine_by_reason: manifest.quarantine_by_reason,
    condemned_by_reason: manifest.condemned_by_reason,
    amounts: manifest.amounts,
    critical_errors: manifest.critical_errors.slice(0, STATE_CRITICAL_ERRORS),
    critical_error_count: manifest.critical_errors.length,
    partitions: manifest.partitions.map(({ year, month, rows, files }) => ({ year, month, rows, file_count: files.length })),
    quarantine_file_count: manifest.quarantine_files.length,
    condemned_file_count: manifest.condemned_files.length,
    manifest: ref,
  };
}

/**
 * Creates `ref` with `body`; when it exists already and `isOwn` accepts it (an earlier attempt of
 * this run wrote it), keeps it and returns what it holds. Anything else is the `ObjectConflictError`.
 */
async function putOnce(
  deps: PartitionWriterDeps,
  ref: ObjectRef,
  body: unknown,
  isOwn: (existing: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown> | undefined> {
  try {
    await deps.store.putIfAbsent(ref, `${JSON.stringify(body, null, 2)}\n`, { contentType: 'application/json' });
    return undefined;
  } catch (error) {
    if (!(error instanceof ObjectConflictError)) throw error;
    const bytes = await deps.store.getBytes(ref);
    const existing: unknown = bytes === undefined ? undefined : JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (typeof existing === 'object' && existing !== null && isOwn(existing as Record<string, unknown>)) {
      return existing as Record<string, unknown>;
    }
    throw error;
  }
}

function sameRun(existing: Record<string, unknown>, executionArn: string, runId: string): boolean {
  return existing['run_id'] === runId && existing['execution_arn'] === executionArn;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Each part's summary (as the Map's result files hold it) with its stored result, in work part order. Throws
 * when a part of the run is missing from the summaries or has no stored result: a run is finished
 * only with all of its rows.
 */
async function readPartResults(
  event: TaskEvent<'FinishRun'>,
  deps: PartitionWriterDeps,
): Promise<{ summary: PartWritten; result: PartResult }[]> {
  const runId = event.run.run_id;
  const byPart = new Map<number, PartWritten>();
  for (const summary of await readMapResults(deps.store, event.parts, 'ProcessParts')) {
    if (byPart.has(summary.part)) throw new LakeStateError(`partition-writer: work part ${summary.part} appears twice in run ${runId}'s parts`);
    byPart.set(summary.part, summary);
  }
  const enrichedParts = await readMapItems(deps.store, event.enrichment.part_manifest, WorkPartSchema, 'enriched part');
  const enriched = new Set(enrichedParts.map((p) => p.part));
  const unknown = [...byPart.keys()].filter((part) => !enriched.has(part));
  if (unknown.length > 0) {
    throw new LakeStateError(`partition-writer: run ${runId} has no enriched work part(s) ${unknown.join(', ')}, yet they were written`);
  }
  const missing: number[] = [];
  const found: { summary: PartWritten; result: PartResult }[] = [];
  for (const { part } of [...enrichedParts].sort((a, b) => a.part - b.part)) {
    const summary = byPart.get(part);
    const ref = partResultRef(deps.layout, runId, part);
    if (summary !== undefined && (summary.result.bucket !== ref.bucket || summary.result.key !== ref.key)) {
      throw new LakeStateError(`partition-writer: work part ${part}'s result is at ${ref.bucket}/${ref.key}, not ${summary.result.bucket}/${summary.result.key}`);
    }
    const bytes = summary === undefined ? undefined : await deps.store.getBytes(ref);
    if (summary === undefined || bytes === undefined) {
      missing.push(part);
      continue;
    }
    const result = parseJson(bytes, ref, PartResultSchema, `result of work part ${part}`);
    if (result.run_id !== runId || result.part !== part) {
      throw new LakeStateError(`partition-writer: ${ref.bucket}/${ref.key} holds work part ${result.part} of run ${result.run_id}`);
    }
    found.push({ summary, result });
  }
  if (missing.length > 0) {
    throw new LakeStateError(
      `partition-writer: cannot finish run ${runId}: work part(s) ${missing.join(', ')} of ${enriched.size} have no written result`,
    );
  }
  return found;
}

/** Where the Map's summary of a part and its stored result differ (they come from the same attempt, normally). */
function summaryDifference(summary: PartWritten, result: PartResult): string[] {
  const same =
    sameJson(summary.counts, result.counts) &&
    sameCounts(summary.quarantine_by_reason, result.quarantine_by_reason) &&
    sameCounts(summary.condemned_by_reason, result.condemned_by_reason);
  return same
    ? []
    : [
        `work part ${summary.part}: the summary the state carried (${JSON.stringify(summary.counts)}) ` +
          `differs from its stored result (${JSON.stringify(result.counts)})`,
      ];
}

function sameCounts(a: Counts, b: Counts): boolean {
  const codes = new Set([...Object.keys(a), ...Object.keys(b)] as RowErrorCode[]);
  return [...codes].every((code) => (a[code] ?? 0) === (b[code] ?? 0));
}

/** One Silver month of the run, over all parts. */
interface MonthTotal {
  readonly year: number;
  readonly month: number;
  rows: number;
  readonly files: string[];
}

/** The parts' results added up, in work part order (so the run's lists and quoted rows follow the input). */
function sumParts(results: readonly PartResult[]) {
  const total = {
    validRows: 0,
    quarantinedRows: 0,
    condemnedRows: 0,
    validMinor: 0n,
    quarantinedMinor: 0n,
    condemnedMinor: 0n,
    quarantineByReason: {} as Counts,
    condemnedByReason: {} as Counts,
    quarantineFiles: [] as ObjectRef[],
    condemnedFiles: [] as ObjectRef[],
    hashesByMonth: new Map<string, string[]>(),
    problems: [] as string[],
  };
  const months = new Map<string, MonthTotal>();
  const found: string[] = [];
  for (const result of results) {
    total.validRows += result.counts.valid_rows;
    total.quarantinedRows += result.counts.quarantined_rows;
    total.condemnedRows += result.counts.condemned_rows;
    total.validMinor += BigInt(result.amounts.valid_minor);
    total.quarantinedMinor += BigInt(result.amounts.quarantined_minor);
    total.condemnedMinor += BigInt(result.amounts.condemned_minor);
    addCounts(total.quarantineByReason, result.quarantine_by_reason);
    addCounts(total.condemnedByReason, result.condemned_by_reason);
    total.quarantineFiles.push(...result.quarantine_files);
    total.condemnedFiles.push(...result.condemned_files);
    for (const [month, hashes] of Object.entries(result.quarantine_hashes)) {
      const kept = total.hashesByMonth.get(month);
      if (kept === undefined) total.hashesByMonth.set(month, [...hashes]);
      else for (const hash of hashes) kept.push(hash);
    }
    for (const written of result.silver) {
      const key = monthName(written);
      const month = months.get(key) ?? { year: written.year, month: written.month, rows: 0, files: [] };
      months.set(key, month);
      month.rows += written.rows;
      month.files.push(...written.files);
    }
    found.push(...result.problems);
  }
  total.problems.push(...found);
  const sortedMonths = [...months].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, month]) => month);
  return { ...total, months: sortedMonths };
}

function addCounts(into: Counts, counts: Counts): void {
  for (const [code, n] of Object.entries(counts) as [RowErrorCode, number][]) into[code] = (into[code] ?? 0) + n;
}
