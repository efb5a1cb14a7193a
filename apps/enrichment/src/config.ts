import { envPositiveInt, envString } from '@ledgerlake/config';
import type { LakeBuckets } from '@ledgerlake/storage';
import { z } from 'zod';
import { DEFAULT_ENRICHMENT_OPTIONS, type EnrichmentOptions } from './enrich-file';

/** The enrichment function's environment. */
export const EnrichmentConfigSchema = z.object({
  BRONZE_BUCKET: envString(),
  SILVER_BUCKET: envString(),
  GOLD_BUCKET: envString(),
  QUARANTINE_BUCKET: envString(),
  /** Where the run's work area lives (`runs/<run_id>/work/`). */
  ARTIFACTS_BUCKET: envString(),
  /** Rows per work part; default 250000. */
  ROWS_PER_PART: envPositiveInt().default(DEFAULT_ENRICHMENT_OPTIONS.rowsPerPart),
  /** A record whose fields exceed this many bytes is unparseable (an unclosed quote); default 1 MiB. */
  MAX_RECORD_BYTES: envPositiveInt().default(DEFAULT_ENRICHMENT_OPTIONS.maxRecordBytes),
});

/** The parsed environment. */
export type EnrichmentConfig = z.infer<typeof EnrichmentConfigSchema>;

/** The lake buckets named by the environment. */
export function bucketsFromConfig(config: EnrichmentConfig): LakeBuckets {
  return {
    bronze: config.BRONZE_BUCKET,
    silver: config.SILVER_BUCKET,
    gold: config.GOLD_BUCKET,
    quarantine: config.QUARANTINE_BUCKET,
    artifacts: config.ARTIFACTS_BUCKET,
  };
}

/** The core's tunables, from the environment. */
export function optionsFromConfig(config: EnrichmentConfig): EnrichmentOptions {
  return { rowsPerPart: config.ROWS_PER_PART, maxRecordBytes: config.MAX_RECORD_BYTES };
}
