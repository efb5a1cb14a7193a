import type { Compressor, ParquetBufferLimits } from '@ledgerlake/parquet';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';

/** What the partition writer is configured with. */
export interface PartitionWriterSettings {
  /** Silver buffering and file sizing; Quarantine and Condemned use a quarter of the buffers. */
  readonly parquet: ParquetBufferLimits;
}

/**
 * Defaults: row groups of up to 500k rows, at most 750k Silver rows buffered across months, 8
 * files open, 4M rows per file. A work part has at most 250k rows (enrichment's `ROWS_PER_PART`),
 * so a part is buffered whole at most once — one row group per (part, month) file — and a part
 * touching up to 8 months writes exactly one Silver file per month.
 */
export const DEFAULT_PARTITION_WRITER_SETTINGS: PartitionWriterSettings = {
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
