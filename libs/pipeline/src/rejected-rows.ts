import { RAW_FIELD_NAMES, type RowHashFields } from '@ledgerlake/domain';
import type { ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { readParquetRowGroups } from './parquet-object-reader';

/** One Quarantine or Condemned row as the partition writer stored it (docs/contract/layout.md, "Quarantine and Condemned columns"). */
export interface RejectedRow {
  /** The five raw source fields, in `REQUIRED_COLUMNS` order; null where the record had none. */
  readonly fields: RowHashFields;
  readonly validation_error: string;
  readonly error_detail: string;
  readonly row_hash: string;
  readonly source_file_id: string;
  readonly source_line: number;
  readonly attempt_count: number;
  readonly run_id: string;
}

const LINEAGE_COLUMNS = ['validation_error', 'error_detail', 'row_hash', 'source_file_id', 'source_line', 'attempt_count', 'run_id'] as const;
const COLUMNS = [...RAW_FIELD_NAMES, ...LINEAGE_COLUMNS];

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Reads every row of the given Quarantine or Condemned Parquet objects, in file and row order. */
export async function readRejectedRows(store: ObjectStore, refs: readonly ObjectRef[]): Promise<RejectedRow[]> {
  const rows: RejectedRow[] = [];
  for await (const group of rejectedRowGroups(store, refs)) rows.push(...group);
  return rows;
}

/** The rows of the given Quarantine or Condemned Parquet objects, one Parquet row group at a time (a reader may stop early). */
export async function* rejectedRowGroups(store: ObjectStore, refs: readonly ObjectRef[]): AsyncGenerator<RejectedRow[]> {
  for (const ref of refs) {
    for await (const group of readParquetRowGroups(store, ref, COLUMNS)) {
      const column = (name: string): readonly unknown[] => group.columns.get(name) ?? [];
      const raw = RAW_FIELD_NAMES.map(column);
      const rows: RejectedRow[] = [];
      for (let i = 0; i < group.rows; i++) {
        rows.push({
          fields: raw.map((values) => text(values[i])) as unknown as RowHashFields,
          validation_error: text(column('validation_error')[i]) ?? '',
          error_detail: text(column('error_detail')[i]) ?? '',
          row_hash: text(column('row_hash')[i]) ?? '',
          source_file_id: text(column('source_file_id')[i]) ?? '',
          source_line: Number(column('source_line')[i]),
          attempt_count: Number(column('attempt_count')[i]),
          run_id: text(column('run_id')[i]) ?? '',
        });
      }
      yield rows;
    }
  }
}
