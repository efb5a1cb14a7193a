import { type DatasetSpec, InvalidEventError, ObjectConflictError, parseTimestamp, type RowErrorCode, type RunContext } from '@ledgerlake/domain';
import { type EnrichmentResult, type PartWritten, requireContinue, type TaskEvent } from '@ledgerlake/contract';
import { monthName, rejectedColumns, SILVER_COLUMNS } from '@ledgerlake/lake';
import { renewFileClaim, UNKNOWN_MONTH } from '@ledgerlake/ledgers';
import {
  type ParquetBufferLimits,
  type ParquetValue,
  PartitionedParquetWriter,
  type WrittenPartition,
} from '@ledgerlake/parquet';
import {
  type EnrichedPart,
  readDecisions,
  readEnrichedPart,
  readValidatedPart,
  ROW_FATE,
  validatedMonth,
  workPartRef,
} from '@ledgerlake/work-area';
import type { ObjectRef, YearMonth } from '@ledgerlake/storage';
import { type PartResult, partResultRef } from './part-result';
import type { PartitionWriterDeps } from './settings';

/** The key/value metadata of every Parquet file written for `dataset` (docs/contract/layout.md). */
export function parquetMetadata(dataset: DatasetSpec): Record<string, string> {
  return { 'ledgerlake.dataset': dataset.path, 'ledgerlake.schema_version': dataset.schemaVersion };
}

type Counts = Partial<Record<RowErrorCode, number>>;

/** One work part to write, with the run it belongs to. */
export interface PartToWrite {
  readonly run: RunContext;
  readonly enrichment: EnrichmentResult;
  readonly part: { readonly part: number; readonly rows: number };
}

/**
 * `WritePart`: writes one work part's rows where they belong (docs/contract/layout.md), as validation's
 * validated part says — each row's fate and the typed values of the valid ones, never parsed or
 * checked again here: every row goes to exactly one of Condemned (loop prevention's decision),
 * Quarantine (validation's decision) or Silver (the rest, in the year/month of its UTC
 * transaction time). The part's full result goes
 * to the work area (`work/written/part-NNNNN.json`) and a small summary is returned for the
 * state machine's Map. Nothing is sealed or published here: `FinishRun` does that for all parts.
 */
export async function writePart(event: TaskEvent<'WritePart'>, deps: PartitionWriterDeps): Promise<PartWritten> {
  requireContinue(event.loop_prevention, 'WritePart');
  if (event.validation.part !== event.part.part) {
    throw new InvalidEventError('WritePart', [`validation.part: the validation of work part ${event.validation.part} given for work part ${event.part.part}`]);
  }
  return writePartRows({ run: event.run, enrichment: event.enrichment, part: event.part }, deps);
}

/**
 * Writes one work part and its result; the core of `writePart`.
 *
 * Objects are numbered so that parts written in parallel never collide and a part's objects are
 * the same whichever attempt writes them: object `n` (0, 1, …) of work part `p` in a Silver month
 * (or in the run's Quarantine or Condemned folder) is `part-(p + n × P)`, where `P` is the highest
 * work part number of the run plus one. The first object of a part is thus numbered like the part
 * itself; a second one only exists when a part's month outgrows `maxRowsPerFile` or more months
 * than `maxOpenFiles` interleave in it.
 *
 * Idempotent: a retry rewrites the same objects with the same rows (the run's own, unsealed
 * folders). It refuses a run already finished (manifest written) and a Silver folder already
 * sealed with `_SUCCESS`.
 */
export async function writePartRows(input: PartToWrite, deps: PartitionWriterDeps): Promise<PartWritten> {
  const { run, enrichment } = input;
  const { part, rows: reported } = input.part;
  const { store, layout, settings } = deps;
  if (part >= enrichment.part_span) {
    throw new InvalidEventError('WritePart', [
      `part: work part ${part} (${reported} rows) is not one of run ${run.run_id}'s enriched parts (numbered below ${enrichment.part_span})`,
    ]);
  }
  const runId = run.run_id;
  // The run is alive: its claim's lease is renewed as its parts are written (docs/exactly-once.md).
  await renewFileClaim(store, layout, enrichment.content_sha256, runId, (deps.now ?? (() => new Date()))());
  const manifestRef = layout.artifacts.manifest(runId);
  if ((await store.head(manifestRef)) !== undefined) {
    // The run already completed: a run never overwrites what it published.
    throw new ObjectConflictError(manifestRef.bucket, manifestRef.key, 'exists');
  }

  const started = parseTimestamp(run.started_at);
  if (!started.ok) throw new InvalidEventError('WritePart', [`run.started_at: ${run.started_at} ${started.problem}`]);
  const ingestDate = started.utcDay;
  const objectNumber = (n: number) => part + n * enrichment.part_span;
  const constants: Record<string, ParquetValue> = {
    ingestion_timestamp: started.epochMicros,
    run_id: runId,
    execution_arn: run.execution_arn,
  };
  const months = new Map<string, YearMonth>();
  const limits = settings.parquet;
  const rejectedLimits: ParquetBufferLimits = {
    ...limits,
    rowGroupRows: Math.max(1, Math.ceil(limits.rowGroupRows / 4)),
    maxBufferedRows: Math.max(1, Math.ceil(limits.rowGroupRows / 4)),
  };
  const common = { constants, compressor: deps.compressor, metadata: parquetMetadata(layout.dataset) };
  const REJECTED_COLUMNS = rejectedColumns(layout.dataset);
  const silver = new PartitionedParquetWriter(store, {
    ...common,
    columns: SILVER_COLUMNS,
    limits,
    partRef: (key, n) => layout.silver.runPart(months.get(key) as YearMonth, runId, objectNumber(n)),
    beforeFirstPart: async (key) => {
      const success = layout.silver.runSuccess(months.get(key) as YearMonth, runId);
      if ((await store.head(success)) !== undefined) throw new ObjectConflictError(success.bucket, success.key, 'exists');
    },
  });
  const quarantine = new PartitionedParquetWriter(store, {
    ...common,
    columns: REJECTED_COLUMNS,
    limits: rejectedLimits,
    partRef: (_key, n) => layout.quarantine.runPart(ingestDate, runId, objectNumber(n)),
  });
  const condemned = new PartitionedParquetWriter(store, {
    ...common,
    columns: REJECTED_COLUMNS,
    limits: rejectedLimits,
    partRef: (_key, n) => layout.condemned.runPart(ingestDate, runId, objectNumber(n)),
  });

  const tally = new PartTally();
  const quarantinedHashes = new Map<string, string[]>();
  const interned = new Interner();
  const { work } = enrichment;

  const routeRejected = (target: PartitionedParquetWriter, rows: EnrichedPart, at: number, code: RowErrorCode, detail: string) =>
    target.append('rows', [
      rows.field(at, 'id'),
      rows.field(at, 'account'),
      rows.field(at, 'amount'),
      rows.field(at, 'currency'),
      rows.field(at, 'timestamp'),
      code,
      detail,
      rows.rowHash(at),
      rows.sourceFileId(at),
      BigInt(rows.sourceLine[at] as number),
      rows.attemptCount[at] as number,
    ]);

  const condemnedRows = await readDecisions(store, workPartRef(work, 'loop-prevention', part));
  const quarantinedRows = await readDecisions(store, workPartRef(work, 'validation', part));
  const validated = await readValidatedPart(store, workPartRef(work, 'validated', part));
  if (validated.rows !== reported) tally.problem(`validated work part ${part} has ${validated.rows} rows; enrichment reported ${reported}`);
  // Silver's month partitions by `year × 12 + month − 1`, named once each.
  const monthKeys = new Map<number, string>();
  const monthKeyOf = (index: number): string => {
    let key = monthKeys.get(index);
    if (key === undefined) {
      const month = validatedMonth(index);
      key = monthName(month);
      monthKeys.set(index, key);
      months.set(key, month);
    }
    return key;
  };
  const undecided: number[] = [];
  const rows = await readEnrichedPart(store, workPartRef(work, 'enriched', part));
  const index = rows.rows;
  try {
    for (let at = 0; at < rows.rows; at++) {
      const fate = at < validated.rows ? validated.fate[at] : undefined;
      if (fate === ROW_FATE.valid) {
        const amount = validated.amountMinor[at] as bigint;
        tally.valid(amount);
        const pending = silver.append(monthKeyOf(validated.month[at] as number), [
          validated.id[at] as bigint,
          rows.field(at, 'account'),
          amount,
          interned.get(rows.field(at, 'currency') as string),
          validated.txMicros[at] as bigint,
          rows.rowHash(at),
          rows.sourceFileId(at),
          BigInt(rows.sourceLine[at] as number),
          rows.attemptCount[at] as number,
        ]);
        if (pending) await pending;
        continue;
      }
      const verdict = fate === ROW_FATE.condemned ? condemnedRows.get(at) : fate === ROW_FATE.quarantined ? quarantinedRows.get(at) : undefined;
      if (verdict === undefined) {
        // The work area is not what validation and loop prevention wrote: nothing of the run is published.
        undecided.push(rows.sourceLine[at] as number);
        continue;
      }
      const isCondemned = fate === ROW_FATE.condemned;
      if (isCondemned) tally.condemned(verdict.code, rows.amountOf(at));
      else {
        tally.quarantined(verdict.code, rows.amountOf(at));
        addHash(quarantinedHashes, rows.timestampParses(at) ? monthName(validatedMonth(rows.month[at] as number)) : UNKNOWN_MONTH, rows.rowHash(at));
      }
      const pending = routeRejected(isCondemned ? condemned : quarantine, rows, at, verdict.code, verdict.detail);
      if (pending) await pending;
    }
  } catch (error) {
    await Promise.all([silver.abort(error), quarantine.abort(error), condemned.abort(error)]);
    throw error;
  }
  const silverWritten = await silver.finish();
  const quarantineFiles = fileRefs(await quarantine.finish());
  const condemnedFiles = fileRefs(await condemned.finish());

  if (index !== reported) tally.problem(`work part ${part} has ${index} rows; enrichment reported ${reported}`);
  if (undecided.length > 0) {
    tally.problem(`work part ${part}: ${undecided.length} row(s) with no decision in the work area (lines ${undecided.slice(0, 5).join(', ')}${undecided.length > 5 ? ', …' : ''})`);
  }
  for (const [what, decisions] of [
    ['loop-prevention', condemnedRows],
    ['validation', quarantinedRows],
  ] as const) {
    const beyond = [...decisions.keys()].filter((i) => i >= index);
    if (beyond.length > 0) {
      tally.problem(`${what} decisions of work part ${part} name ${beyond.length} row(s) past its ${index} rows`);
    }
  }

  const counts = {
    input_rows: index,
    valid_rows: tally.validRows,
    quarantined_rows: tally.quarantinedRows,
    condemned_rows: tally.condemnedRows,
  };
  const result: PartResult = {
    run_id: runId,
    part,
    counts,
    amounts: {
      valid_minor: tally.validMinor.toString(),
      quarantined_minor: tally.quarantinedMinor.toString(),
      condemned_minor: tally.condemnedMinor.toString(),
    },
    quarantine_by_reason: tally.quarantineByReason,
    condemned_by_reason: tally.condemnedByReason,
    silver: silverWritten.map((written) => {
      const month = months.get(written.partition) as YearMonth;
      return { year: month.year, month: month.month, rows: written.rows, files: written.files.map((file) => file.ref.key) };
    }),
    quarantine_files: quarantineFiles,
    condemned_files: condemnedFiles,
    quarantine_hashes: Object.fromEntries(quarantinedHashes),
    problems: tally.found,
  };
  const resultRef = partResultRef(layout, runId, part);
  // Written last: its presence means every object of the part is complete.
  await store.put(resultRef, JSON.stringify(result), { contentType: 'application/json' });
  return {
    part,
    counts,
    quarantine_by_reason: tally.quarantineByReason,
    condemned_by_reason: tally.condemnedByReason,
    result: resultRef,
  };
}

/** Files a quarantined row's hash under its index month (`YYYY-MM` of the UTC transaction time, or `unknown`). */
function addHash(hashesByMonth: Map<string, string[]>, month: string, hash: string): void {
  let hashes = hashesByMonth.get(month);
  if (hashes === undefined) {
    hashes = [];
    hashesByMonth.set(month, hashes);
  }
  hashes.push(hash);
}

/**
 * A copy of `text` that does not share memory with the string it was cut from. A value sliced
 * out of a work part's text column keeps the whole column's text alive (V8 sliced strings); kept
 * past the part, it would pin the part's memory.
 */
function detach(text: string): string {
  return (' ' + text).slice(1);
}

function fileRefs(partitions: readonly WrittenPartition[]): ObjectRef[] {
  return partitions.flatMap((partition) => partition.files.map((file) => file.ref));
}

/** Repeated strings (currency codes) kept once instead of once per buffered row. */
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

/** Where one part's rows went, with exact amount sums, and what did not add up along the way. */
class PartTally {
  validRows = 0;
  quarantinedRows = 0;
  condemnedRows = 0;
  validMinor = 0n;
  quarantinedMinor = 0n;
  condemnedMinor = 0n;
  readonly quarantineByReason: Counts = {};
  readonly condemnedByReason: Counts = {};
  readonly found: string[] = [];

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

  problem(what: string): void {
    this.found.push(what);
  }
}
