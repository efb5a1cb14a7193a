import { envPositiveInt, LakeBucketsEnvSchema } from '@ledgerlake/config';
import type { z } from 'zod';
import { DEFAULT_PARTITION_WRITER_SETTINGS, type PartitionWriterSettings } from './settings';

const defaults = DEFAULT_PARTITION_WRITER_SETTINGS.parquet;

/** The partition writer's environment: the buckets and Parquet sizing (it applies validation's decisions: no row rules). */
export const PartitionWriterConfigSchema = LakeBucketsEnvSchema.extend({
  /** Rows per Parquet row group. */
  PARQUET_ROW_GROUP_ROWS: envPositiveInt().default(defaults.rowGroupRows),
  /** Silver rows buffered across months before the largest buffer is written early; at least the row group. */
  PARQUET_MAX_BUFFERED_ROWS: envPositiveInt().default(defaults.maxBufferedRows),
  /** Parquet files open at once. */
  PARQUET_MAX_OPEN_FILES: envPositiveInt().default(defaults.maxOpenFiles),
  /** Rows per Parquet file before a new part is started. */
  PARQUET_MAX_ROWS_PER_FILE: envPositiveInt().default(defaults.maxRowsPerFile),
}).refine((config) => config.PARQUET_MAX_BUFFERED_ROWS >= config.PARQUET_ROW_GROUP_ROWS, {
  path: ['PARQUET_MAX_BUFFERED_ROWS'],
  error: 'expected at least PARQUET_ROW_GROUP_ROWS',
});

/** The parsed environment. */
export type PartitionWriterConfig = z.infer<typeof PartitionWriterConfigSchema>;

/** The settings of the core, from the environment. */
export function settingsFromConfig(config: PartitionWriterConfig): PartitionWriterSettings {
  return {
    parquet: {
      rowGroupRows: config.PARQUET_ROW_GROUP_ROWS,
      maxBufferedRows: config.PARQUET_MAX_BUFFERED_ROWS,
      maxOpenFiles: config.PARQUET_MAX_OPEN_FILES,
      maxRowsPerFile: config.PARQUET_MAX_ROWS_PER_FILE,
    },
  };
}
