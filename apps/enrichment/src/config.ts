import { envPositiveInt, LakeBucketsEnvSchema } from '@ledgerlake/config';
import { z } from 'zod';
import { DEFAULT_ENRICHMENT_OPTIONS, type EnrichmentOptions } from './enrich-file';

/** The enrichment function's environment. */
export const EnrichmentConfigSchema = LakeBucketsEnvSchema.extend({
  /** Rows per work part; default 250000. */
  ROWS_PER_PART: envPositiveInt().default(DEFAULT_ENRICHMENT_OPTIONS.rowsPerPart),
  /** A record whose fields exceed this many bytes is unparseable (an unclosed quote); default 1 MiB. */
  MAX_RECORD_BYTES: envPositiveInt().default(DEFAULT_ENRICHMENT_OPTIONS.maxRecordBytes),
  /** Target bytes of a chunk of the uncompressed file (cut at the next record end); default 64 MiB. */
  CHUNK_BYTES: envPositiveInt().default(DEFAULT_ENRICHMENT_OPTIONS.chunkBytes),
  /** Child executions each Distributed Map runs at once (Lambda invocations in parallel); default 40. */
  MAP_CONCURRENCY: envPositiveInt().default(DEFAULT_ENRICHMENT_OPTIONS.mapConcurrency),
});

/** The parsed environment. */
export type EnrichmentConfig = z.infer<typeof EnrichmentConfigSchema>;

/** The core's tunables, from the environment. */
export function optionsFromConfig(config: EnrichmentConfig): EnrichmentOptions {
  return {
    rowsPerPart: config.ROWS_PER_PART,
    maxRecordBytes: config.MAX_RECORD_BYTES,
    chunkBytes: config.CHUNK_BYTES,
    mapConcurrency: config.MAP_CONCURRENCY,
  };
}
