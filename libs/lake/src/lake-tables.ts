import { type DatasetSpec, DECIMAL_PRECISION, DECIMAL_SCALE, rawColumns } from '@ledgerlake/domain';
import type { ParquetColumnSpec } from '@ledgerlake/parquet';

/**
 * The Parquet columns of the tables the partition writer writes (and promotion rewrites) (docs/contract/layout.md). Partition columns
 * (`year`, `month`, `schema_v`; `ingest_date`) live in the key, hive style, not in the files.
 *
 * Encodings are chosen by measurement on realistic rows: delta for ids, line numbers, times and
 * amounts (near-sorted or small integers), dictionaries for the few distinct strings, plain for
 * the hash (unique, incompressible hex). Statistics everywhere but on the hash and the error
 * detail: min/max of unique or free text let no reader skip a row group.
 */

/** Lineage columns every row carries (docs/contract/rules.md, "Row enrichment"); the last three are the same on every row of a run. */
const LINEAGE: readonly ParquetColumnSpec[] = [
  { name: 'row_hash', kind: 'string', encoding: 'plain', statistics: false },
  { name: 'source_file_id', kind: 'string', encoding: 'dictionary' },
  { name: 'source_line', kind: 'int64', encoding: 'delta' },
  { name: 'attempt_count', kind: 'int32', encoding: 'dictionary' },
  { name: 'ingestion_timestamp', kind: 'timestamp-micros-utc', encoding: 'dictionary' },
  { name: 'run_id', kind: 'string', encoding: 'dictionary' },
  { name: 'execution_arn', kind: 'string', encoding: 'dictionary' },
];

/** Silver of every dataset, schema v1: one column per role (dataset-spec.ts), named the same whatever the input calls it. */
export const SILVER_COLUMNS: readonly ParquetColumnSpec[] = [
  { name: 'id', kind: 'int64', encoding: 'delta' },
  { name: 'account_id', kind: 'string', encoding: 'dictionary' },
  { name: 'amount', kind: 'decimal', precision: DECIMAL_PRECISION, scale: DECIMAL_SCALE, encoding: 'delta' },
  { name: 'currency', kind: 'string', encoding: 'dictionary' },
  { name: 'tx_date', kind: 'timestamp-micros-utc', encoding: 'delta' },
  ...LINEAGE,
];

const REJECTED_OWN: readonly ParquetColumnSpec[] = [
  { name: 'validation_error', kind: 'string', encoding: 'dictionary' },
  { name: 'error_detail', kind: 'string', statistics: false },
  ...LINEAGE,
];

const rejectedByDataset = new WeakMap<DatasetSpec, readonly ParquetColumnSpec[]>();

/**
 * A dataset's Quarantine and Condemned rows: its raw fields by their Quarantine names, in role
 * order (`DatasetColumn.raw`; null where the record had none), why, and lineage.
 */
export function rejectedColumns(dataset: DatasetSpec): readonly ParquetColumnSpec[] {
  let columns = rejectedByDataset.get(dataset);
  if (columns === undefined) {
    columns = [...rawColumns(dataset).map((name): ParquetColumnSpec => ({ name, kind: 'string', nullable: true })), ...REJECTED_OWN];
    rejectedByDataset.set(dataset, columns);
  }
  return columns;
}

/** Names of the columns whose value is the run's, the same on every row (filled in, not buffered). */
export const RUN_CONSTANT_COLUMNS = ['ingestion_timestamp', 'run_id', 'execution_arn'] as const;
