import {
  DEFAULT_CURRENCIES,
  ObjectConflictError,
  parseTimestamp,
  SCHEMA_VERSION,
  SuccessMarkerSchema,
  type RowErrorCode,
  type SuccessMarker,
} from '@ledgerlake/domain';
import {
  parseDecimalSum,
  PartitionedParquetWriter,
  quarantineIndexMonth,
  readDecisions,
  readWorkRows,
  RunManifestSchema,
  validateWorkRow,
  workPartRef,
  workRowAmountMinor,
  writeQuarantineIndex,
  type Compressor,
  type EnrichmentResult,
  type LoopPreventionResult,
  type ParquetBufferLimits,
  type ParquetValue,
  type PartitionWriterResult,
  type RowDecision,
  type RunManifest,
  type RunState,
  type ValidationResult,
  type WorkRow,
  type WrittenPartition,
} from '@ledgerlake/pipeline';
import type { LakeLayout, ObjectRef, ObjectStore, YearMonth } from '@ledgerlake/storage';
import { reconcile } from './reconcile';
import { REJECTED_COLUMNS, SILVER_COLUMNS } from './tables';

/** What the partition writer is configured with. */
export interface PartitionWriterSettings {
  /** The `Currency` allowlist: the same as validation's, to re-derive the valid rows' values. */
  readonly currencies: readonly string[];
  /** Silver buffering and file sizing; Quarantine and Condemned use a quarter of the buffers. */
  readonly parquet: ParquetBufferLimits;
}

/**
 * Defaults: row groups of up to 1M rows (~70 MB of Snappy Parquet, the size Athena likes),
 * at most 1M Silver rows buffered across months, 8 files open, 4M rows per file.
 */
export const DEFAULT_PARTITION_WRITER_SETTINGS: PartitionWriterSettings = {
  currencies: DEFAULT_CURRENCIES,
  parquet: { rowGroupRows: 500_000, maxBufferedRows: 750_000, maxOpenFiles: 8, maxRowsPerFile: 4_000_000 },
};

/** What the partition writer works with. */
export interface PartitionWriterDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly settings: PartitionWriterSettings;
  /** Snappy compressor for Parquet pages; default hyparquet-writer's built-in. */
  readonly compressor?: Compressor;
  /** Clock of `finished_at`; default the system clock. */
  readonly now?: () => Date;
}

/** Per-row disagreements quoted in the critical error (the count is always complete). */
const MAX_QUOTED_DISAGREEMENTS = 5;
const PARQUET_METADATA = { 'ledgerlake.dataset': 'mortgages/transactions', 'ledgerlake.schema_version': SCHEMA_VERSION };

type Counts = Partial<Record<RowErrorCode, number>>;

/**
 * Writes a run's rows where they belong (PRODUCT.md §4, §5): every row of every enriched work
 * part goes to exactly one of Condemned (loop prevention's decision), Quarantine (validation's
 * decision) or Silver (the rest, in the year/month of its UTC transaction time). Then it
 * reconciles counts and exact amount sums, writes `_SUCCESS` last in each Silver run folder and
 * the run manifest, both create-if-absent. Problems that make the run unpublishable (rows that do
 * not reconcile, stages that disagree) are returned as `critical_errors`, not thrown: the run's
 * output is kept for investigation and the promotion gate refuses it.
 */
export async function writePartitions(state: RunState, deps: PartitionWriterDeps): Promise<PartitionWriterResult> {
  const { enrichment, loopPrevention, validation } = requireInput(state);
  const { store, layout, settings } = deps;
  const runId = state.run.run_id;
  const manifestRef = layout.artifacts.manifest(runId);
  if ((await store.head(manifestRef)) !== undefined) {
    // The run already completed: a run never overwrites what it published.
    throw new ObjectConflictError(manifestRef.bucket, manifestRef.key, 'exists');
  }

  const started = parseTimestamp(state.run.started_at);
  if (!started.ok) throw new Error(`partition-writer: run started_at ${state.run.started_at} ${started.problem}`);
  const ingestDate = started.utcDay;
  const constants: Record<string, ParquetValue> = {
    ingestion_timestamp: started.epochMicros,
    run_id: runId,
    execution_arn: state.run.execution_arn,
  };
  const months = new Map<string, YearMonth>();
  const limits = settings.parquet;
  const rejectedLimits: ParquetBufferLimits = {
    ...limits,
    rowGroupRows: Math.max(1, Math.ceil(limits.rowGroupRows / 4)),
    maxBufferedRows: Math.max(1, Math.ceil(limits.rowGroupRows / 4)),
  };
  const common = { constants, compressor: deps.compressor, metadata: PARQUET_METADATA };
  const silver = new PartitionedParquetWriter(store, {
    ...common,
    columns: SILVER_COLUMNS,
    limits,
    partRef: (key, part) => layout.silver.runPart(months.get(key) as YearMonth, runId, part),
    beforeFirstPart: async (key) => {
      const success = layout.silver.runSuccess(months.get(key) as YearMonth, runId);
      if ((await store.head(success)) !== undefined) throw new ObjectConflictError(success.bucket, success.key, 'exists');
    },
  });
  const quarantine = new PartitionedParquetWriter(store, {
    ...common,
    columns: REJECTED_COLUMNS,
    limits: rejectedLimits,
    partRef: (_key, part) => layout.quarantine.runPart(ingestDate, runId, part),
  });
  const condemned = new PartitionedParquetWriter(store, {
    ...common,
    columns: REJECTED_COLUMNS,
    limits: rejectedLimits,
    partRef: (_key, part) => layout.condemned.runPart(ingestDate, runId, part),
  });

  const tally = new Tally();
  const quarantinedHashes = new Map<string, string[]>();
  const currencies = new Set(settings.currencies);
  const interned = new Interner();

  const routeRejected = (target: PartitionedParquetWriter, row: WorkRow, code: RowErrorCode, detail: string) => {
    const f = row.fields;
    return target.append('rows', [
      f[0],
      f[1],
      f[2],
      f[3],
      f[4],
      code,
      detail,
      row.rowHash,
      interned.get(row.sourceFileId),
      BigInt(row.sourceLine),
      row.attemptCount,
    ]);
  };

  try {
    for (const { part, rows: reported } of enrichment.parts) {
      const condemnedRows = await readDecisions(store, workPartRef(enrichment.work, 'loop-prevention', part));
      const quarantinedRows = await readDecisions(store, workPartRef(enrichment.work, 'validation', part));
      let index = 0;
      for await (const batch of readWorkRows(store, workPartRef(enrichment.work, 'enriched', part))) {
        for (const row of batch) {
          const at = index++;
          const verdict = condemnedRows.get(at);
          if (verdict !== undefined) {
            if (quarantinedRows.has(at)) tally.disagree(part, at, row, 'both condemned and quarantined; kept as condemned');
            tally.condemned(verdict.code, workRowAmountMinor(row));
            const pending = routeRejected(condemned, row, verdict.code, verdict.detail);
            if (pending) await pending;
            continue;
          }
          const checked = validateWorkRow(row, currencies);
          const decision: RowDecision | undefined = quarantinedRows.get(at);
          if (decision !== undefined || !checked.ok) {
            const { code, detail } = decision ?? {
              code: (checked as { code: RowErrorCode }).code,
              detail: `${(checked as { detail: string }).detail} (found by the partition writer)`,
            };
            if (decision === undefined) {
              tally.disagree(part, at, row, `validation passed it, re-validation says ${code}: ${detail}`);
            } else if (checked.ok) {
              tally.disagree(part, at, row, `validation quarantined it (${code}), re-validation passes it`);
            } else if (checked.code !== code) {
              tally.disagree(part, at, row, `validation says ${code}, re-validation says ${checked.code}`);
            }
            tally.quarantined(code, workRowAmountMinor(row));
            addHash(quarantinedHashes, row);
            const pending = routeRejected(quarantine, row, code, detail);
            if (pending) await pending;
            continue;
          }
          const monthKey = yearMonthKey(checked.year, checked.month);
          if (!months.has(monthKey)) months.set(monthKey, { year: checked.year, month: checked.month });
          tally.valid(checked.amountMinor);
          const f = row.fields as readonly string[];
          const pending = silver.append(monthKey, [
            checked.id,
            f[1] as string,
            checked.amountMinor,
            interned.get(f[3] as string),
            checked.txMicros,
            row.rowHash,
            interned.get(row.sourceFileId),
            BigInt(row.sourceLine),
            row.attemptCount,
          ]);
          if (pending) await pending;
        }
      }
      if (index !== reported) tally.problem(`work part ${part} has ${index} rows; enrichment reported ${reported}`);
      for (const [what, decisions] of [
        ['loop-prevention', condemnedRows],
        ['validation', quarantinedRows],
      ] as const) {
        const beyond = [...decisions.keys()].filter((i) => i >= index);
        if (beyond.length > 0) {
          tally.problem(`${what} decisions of work part ${part} name ${beyond.length} row(s) past its ${index} rows`);
        }
      }
    }
  } catch (error) {
    await Promise.all([silver.abort(error), quarantine.abort(error), condemned.abort(error)]);
    throw error;
  }

  const silverParts = await silver.finish();
  const quarantineFiles = fileRefs(await quarantine.finish());
  const condemnedFiles = fileRefs(await condemned.finish());
  await writeQuarantineIndex(store, layout, runId, quarantinedHashes);

  const counts = {
    input_rows: enrichment.input_rows,
    valid_rows: tally.validRows,
    quarantined_rows: tally.quarantinedRows,
    condemned_rows: tally.condemnedRows,
  };
  const amounts = {
    input_minor: parseDecimalSum(enrichment.input_amount, 'enrichment input_amount').toString(),
    valid_minor: tally.validMinor.toString(),
    quarantined_minor: tally.quarantinedMinor.toString(),
    condemned_minor: tally.condemnedMinor.toString(),
  };
  const criticalErrors = [
    ...reconcile({
      counts,
      amounts,
      quarantineByReason: tally.quarantineByReason,
      condemnedByReason: tally.condemnedByReason,
      validation,
      loopPrevention,
    }),
    ...tally.problems(),
  ];

  const finishedAt = (deps.now ?? (() => new Date()))().toISOString();
  const marker = (files: string[]): SuccessMarker =>
    SuccessMarkerSchema.parse({
      run_id: runId,
      execution_arn: state.run.execution_arn,
      source_files: [enrichment.source_file_id],
      schema_version: SCHEMA_VERSION,
      counts,
      quarantine_by_reason: tally.quarantineByReason,
      amounts,
      critical_errors: criticalErrors,
      files,
      started_at: state.run.started_at,
      finished_at: finishedAt,
    });

  // `_SUCCESS` goes last in each folder, after every part of it is complete; create-if-absent, so
  // a second writer of the same run id loses instead of replacing the marker.
  const partitions: PartitionWriterResult['partitions'] = [];
  for (const written of silverParts) {
    const month = months.get(written.partition) as YearMonth;
    const files = written.files.map((file) => file.ref.key);
    const success = layout.silver.runSuccess(month, runId);
    const body = { ...marker(files), condemned_by_reason: tally.condemnedByReason };
    await store.putIfAbsent(success, `${JSON.stringify(body, null, 2)}\n`, { contentType: 'application/json' });
    partitions.push({ year: month.year, month: month.month, rows: written.rows, files, success });
  }

  const manifest: RunManifest = RunManifestSchema.parse({
    ...marker(partitions.flatMap((p) => p.files)),
    run: state.run,
    content_sha256: enrichment.content_sha256,
    condemned_by_reason: tally.condemnedByReason,
    partitions,
    quarantine_files: quarantineFiles,
    condemned_files: condemnedFiles,
  });
  await store.putIfAbsent(manifestRef, `${JSON.stringify(manifest, null, 2)}\n`, { contentType: 'application/json' });

  return {
    counts,
    quarantine_by_reason: tally.quarantineByReason,
    condemned_by_reason: tally.condemnedByReason,
    amounts,
    critical_errors: criticalErrors,
    partitions,
    quarantine_files: quarantineFiles,
    condemned_files: condemnedFiles,
    manifest: manifestRef,
  };
}

function requireInput(state: RunState): {
  enrichment: EnrichmentResult;
  loopPrevention: LoopPreventionResult;
  validation: ValidationResult;
} {
  const { enrichment, loop_prevention: loopPrevention, validation } = state;
  if (enrichment === undefined) throw new Error('partition-writer: the state has no enrichment result');
  if (loopPrevention === undefined) throw new Error('partition-writer: the state has no loop_prevention result');
  if (loopPrevention.status !== 'CONTINUE') {
    throw new Error(`partition-writer: loop prevention ended the run (${loopPrevention.status}); nothing to write`);
  }
  if (validation === undefined) throw new Error('partition-writer: the state has no validation result');
  return { enrichment, loopPrevention, validation };
}

function yearMonthKey(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/** Files the quarantined row's hash under its index month (`YYYY-MM` of the UTC transaction time, or `unknown`). */
function addHash(hashesByMonth: Map<string, string[]>, row: WorkRow): void {
  const key = quarantineIndexMonth(row.fields[4]);
  let hashes = hashesByMonth.get(key);
  if (hashes === undefined) {
    hashes = [];
    hashesByMonth.set(key, hashes);
  }
  hashes.push(detach(row.rowHash));
}

/**
 * A copy of `text` that does not share memory with the string it was cut from. A field split off
 * a line read from the work area keeps the whole chunk of text it came from alive (V8 sliced
 * strings); kept for the rest of the run, a few such fields per chunk would pin the entire input.
 */
function detach(text: string): string {
  return (' ' + text).slice(1);
}

function fileRefs(partitions: readonly WrittenPartition[]): ObjectRef[] {
  return partitions.flatMap((partition) => partition.files.map((file) => file.ref));
}

/** Repeated strings (the source file id, currency codes) kept once instead of once per buffered row. */
class Interner {
  private readonly strings = new Map<string, string>();
  private last = '';

  get(value: string): string {
    if (value === this.last) return this.last;
    let kept = this.strings.get(value);
    if (kept === undefined) {
      kept = detach(value);
      if (this.strings.size < 1000) this.strings.set(kept, kept);
    }
    this.last = kept;
    return kept;
  }
}

/** Where rows went, with exact amount sums, and what did not add up along the way. */
class Tally {
  validRows = 0;
  quarantinedRows = 0;
  condemnedRows = 0;
  validMinor = 0n;
  quarantinedMinor = 0n;
  condemnedMinor = 0n;
  readonly quarantineByReason: Counts = {};
  readonly condemnedByReason: Counts = {};
  private readonly found: string[] = [];
  private disagreements = 0;
  private readonly quoted: string[] = [];

  valid(amount: bigint): void {
    this.validRows++;
    this.validMinor += amount;
  }

  quarantined(code: RowErrorCode, amount: bigint | undefined): void {
    this.quarantinedRows++;
    if (amount !== undefined) this.quarantinedMinor += amount;
    this.quarantineByReason[code] = (this.quarantineByReason[code] ?? 0) + 1;
  }

  condemned(code: RowErrorCode, amount: bigint | undefined): void {
    this.condemnedRows++;
    if (amount !== undefined) this.condemnedMinor += amount;
    this.condemnedByReason[code] = (this.condemnedByReason[code] ?? 0) + 1;
  }

  disagree(part: number, index: number, row: WorkRow, what: string): void {
    this.disagreements++;
    if (this.quoted.length < MAX_QUOTED_DISAGREEMENTS) {
      this.quoted.push(`part ${part} row ${index} (${row.sourceFileId} line ${row.sourceLine}): ${what}`);
    }
  }

  problem(what: string): void {
    this.found.push(what);
  }

  problems(): string[] {
    const all = [...this.found];
    if (this.disagreements > 0) {
      all.unshift(
        `stages disagree on ${this.disagreements} row(s), e.g. ${this.quoted.join('; ')}` +
          (this.disagreements > this.quoted.length ? ` (and ${this.disagreements - this.quoted.length} more)` : ''),
      );
    }
    return all;
  }
}
