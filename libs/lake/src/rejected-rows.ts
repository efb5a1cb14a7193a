import { type DatasetSpec, rawColumns, type RowFields } from '@ledgerlake/domain';
import type { ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { readParquetRowGroups } from '@ledgerlake/parquet';

/** One Quarantine or Condemned row as the partition writer stored it (docs/contract/layout.md, "Quarantine and Condemned columns"). */
export interface RejectedRow {
  /** The five raw source fields by role; null where the record had none. */
  readonly fields: RowFields;
  readonly validation_error: string;
  readonly error_detail: string;
  readonly row_hash: string;
  readonly source_file_id: string;
  readonly source_line: number;
  readonly attempt_count: number;
  readonly run_id: string;
}

const LINEAGE_COLUMNS = ['validation_error', 'error_detail', 'row_hash', 'source_file_id', 'source_line', 'attempt_count', 'run_id'] as const;

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Reads every row of the given Quarantine or Condemned Parquet objects of `dataset`, in file and row order. */
export async function readRejectedRows(store: ObjectStore, refs: readonly ObjectRef[], dataset: DatasetSpec): Promise<RejectedRow[]> {
  const rows: RejectedRow[] = [];
  for await (const group of rejectedRowGroups(store, refs, dataset)) rows.push(...group);
  return rows;
}

/** The rows of the given Quarantine or Condemned Parquet objects of `dataset`, one Parquet row group at a time (a reader may stop early). */
export async function* rejectedRowGroups(store: ObjectStore, refs: readonly ObjectRef[], dataset: DatasetSpec): AsyncGenerator<RejectedRow[]> {
  const { id, account, amount, currency, timestamp } = dataset.columns;
  const columns = [...rawColumns(dataset), ...LINEAGE_COLUMNS];
  for (const ref of refs) {
    for await (const group of readParquetRowGroups(store, ref, columns)) {
      const column = (name: string): readonly unknown[] => group.columns.get(name) ?? [];
      const raw = { id: column(id.raw), account: column(account.raw), amount: column(amount.raw), currency: column(currency.raw), timestamp: column(timestamp.raw) };
      const rows: RejectedRow[] = [];
      for (let i = 0; i < group.rows; i++) {
        rows.push({
          fields: {
            id: text(raw.id[i]),
            account: text(raw.account[i]),
            amount: text(raw.amount[i]),
            currency: text(raw.currency[i]),
            timestamp: text(raw.timestamp[i]),
          },
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
