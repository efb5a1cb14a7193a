import { createHash } from 'node:crypto';
import { rowHashInput, rowFields } from '@ledgerlake/domain';
import { type EnrichmentResult, type RunState } from '@ledgerlake/contract';
import { type WorkArea, workPartRef, type WorkRow, writeEnrichedPart, writePartManifest } from '@ledgerlake/work-area';
import type { LakeLayout, ObjectStore, YearMonth } from '@ledgerlake/storage';
import { parquetWriteBuffer } from 'hyparquet-writer';

/** The five fields in role order (id, account, amount, currency, timestamp), as a test writes them. */
type RowHashFields = Parameters<typeof rowFields>[0];

/** A work row as enrichment writes it; `line` defaults to a made-up source line. */
export function workRow(fields: RowHashFields, over: Partial<WorkRow> = {}): WorkRow {
  return {
    sourceFileId: 's3://bronze/mortgages/transactions/ingest_date=2024-01-05/a.csv#etag',
    sourceLine: 2,
    attemptCount: 0,
    rowHash: createHash('sha256').update(rowHashInput(rowFields(fields))).digest('hex'),
    fields: rowFields(fields),
    schemaProblem: null,
    ...over,
  };
}

/** A plain valid row with id `id` at `timestamp`. */
export function tx(id: string, timestamp: string, over: Partial<WorkRow> = {}): WorkRow {
  return workRow([id, 'ACC001', '10.00', 'EUR', timestamp], over);
}

/** Numbers the rows' source lines 2, 3, … across parts, as enrichment would. */
export function numbered(parts: WorkRow[][]): WorkRow[][] {
  let line = 2;
  return parts.map((rows) => rows.map((row) => ({ ...row, sourceLine: line++ })));
}

/** Writes the enriched parts and returns the run state loop prevention receives. */
export async function prepareRun(
  store: ObjectStore,
  layout: LakeLayout,
  parts: WorkRow[][],
  over: { runId?: string; sha?: string } = {},
): Promise<RunState> {
  const runId = over.runId ?? '20240105T090000Z';
  const prefix = layout.artifacts.workPrefix(runId);
  const work: WorkArea = { bucket: prefix.bucket, prefix: prefix.prefix };
  for (const [part, rows] of parts.entries()) await writeEnrichedPart(store, workPartRef(work, 'enriched', part), rows);
  const enrichment: EnrichmentResult = {
    source_file_id: 's3://bronze/mortgages/transactions/ingest_date=2024-01-05/a.csv#etag',
    content_sha256: over.sha ?? 'ab'.repeat(32),
    bytes_read: 100,
    header: ['TransactionID', 'CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp'],
    extra_columns: [],
    input_rows: parts.reduce((n, rows) => n + rows.length, 0),
    input_amount: '0.00',
    work,
    ...(await writePartManifest(store, work, parts.map((rows, part) => ({ part, rows: rows.length })))),
  };
  return {
    run: {
      run_id: runId,
      execution_arn: `arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-ingest:${runId}`,
      execution_name: runId,
      started_at: '2024-01-05T09:00:00Z',
      dataset: 'mortgages/transactions',
      mode: 'ingest',
      source: { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2024-01-05/a.csv' },
    },
    enrichment,
  };
}

/** Microseconds since the epoch of an ISO instant. */
export function micros(iso: string): bigint {
  return BigInt(Date.parse(iso)) * 1000n;
}

/** A tiny published Silver Parquet object: `id` INT64 and `tx_date` TIMESTAMP(MICROS, UTC), Snappy. */
export function silverParquet(rows: readonly { id: bigint; txDate: bigint }[]): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: 'id', data: BigInt64Array.from(rows.map((r) => r.id)) },
      { name: 'tx_date', data: BigInt64Array.from(rows.map((r) => r.txDate)) },
    ],
    schema: [
      { name: 'root', num_children: 2 },
      { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
      {
        name: 'tx_date',
        type: 'INT64',
        repetition_type: 'REQUIRED',
        converted_type: 'TIMESTAMP_MICROS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
      },
    ],
  });
}

/** Publishes rows in a Silver partition: one Parquet object in the run's folder, listed by `_LATEST.json`. */
export async function publish(
  store: ObjectStore,
  layout: LakeLayout,
  month: YearMonth,
  runId: string,
  rows: readonly { id: bigint; txDate: bigint }[],
): Promise<string> {
  const ref = layout.silver.runPart(month, runId, 0);
  await store.put(ref, new Uint8Array(silverParquet(rows)));
  await store.put(layout.silver.latest(month), JSON.stringify({ run_id: runId, files: [ref.key], promoted_at: '2024-01-04T00:00:00Z' }));
  return ref.key;
}
