import { envList, envPositiveInt, envString } from '@ledgerlake/config';
import { CurrencyCodeSchema, DEFAULT_CURRENCIES } from '@ledgerlake/domain';
import type { LakeBuckets } from '@ledgerlake/storage';
import { z } from 'zod';
import { DEFAULT_PARTITION_WRITER_SETTINGS, type PartitionWriterSettings } from './write-partitions';

/** An S3 bucket name (the lake layout also checks that the five differ). */
function envBucket(): z.ZodType<string, string> {
  const expected = 'expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)';
  return envString().pipe(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: expected }));
}

const defaults = DEFAULT_PARTITION_WRITER_SETTINGS.parquet;

/** The partition writer's environment. */
export const PartitionWriterConfigSchema = z.object({
  BRONZE_BUCKET: envBucket(),
  SILVER_BUCKET: envBucket(),
  GOLD_BUCKET: envBucket(),
  QUARANTINE_BUCKET: envBucket(),
  ARTIFACTS_BUCKET: envBucket(),
  /** Must equal validation's: the valid rows' values are re-derived with it. */
  CURRENCY_ALLOWLIST: envList()
    .pipe(z.array(CurrencyCodeSchema))
    .default([...DEFAULT_CURRENCIES]),
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

/** The lake buckets named by the environment. */
export function bucketsFromConfig(config: PartitionWriterConfig): LakeBuckets {
  return {
    bronze: config.BRONZE_BUCKET,
    silver: config.SILVER_BUCKET,
    gold: config.GOLD_BUCKET,
    quarantine: config.QUARANTINE_BUCKET,
    artifacts: config.ARTIFACTS_BUCKET,
  };
}

/** The settings of the core, from the environment. */
export function settingsFromConfig(config: PartitionWriterConfig): PartitionWriterSettings {
  return {
    currencies: config.CURRENCY_ALLOWLIST,
    parquet: {
      rowGroupRows: config.PARQUET_ROW_GROUP_ROWS,
      maxBufferedRows: config.PARQUET_MAX_BUFFERED_ROWS,
      maxOpenFiles: config.PARQUET_MAX_OPEN_FILES,
      maxRowsPerFile: config.PARQUET_MAX_ROWS_PER_FILE,
    },
  };
}
