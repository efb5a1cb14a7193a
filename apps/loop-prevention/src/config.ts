import { envPositiveInt, envString } from '@ledgerlake/config';
import type { LakeBuckets } from '@ledgerlake/storage';
import { z } from 'zod';
import { DEFAULT_LOOP_PREVENTION_SETTINGS, type LoopPreventionSettings } from './prevent-loops';

/** The loop-prevention function's environment. */
export const LoopPreventionConfigSchema = z.object({
  BRONZE_BUCKET: envString(),
  /** Published partitions (`_LATEST.json` and the Parquet objects it lists) are read here. */
  SILVER_BUCKET: envString(),
  GOLD_BUCKET: envString(),
  QUARANTINE_BUCKET: envString(),
  /** Work area, processed-file ledger, breaker state and quarantine index. */
  ARTIFACTS_BUCKET: envString(),
  /** A row with attempt_count at or above this is condemned MAX_ATTEMPTS; default 3. */
  MAX_ATTEMPTS: envPositiveInt().default(DEFAULT_LOOP_PREVENTION_SETTINGS.maxAttempts),
  /** A processed-file claim older than this many minutes is abandoned; default 1440 (24 h). */
  CLAIM_TIMEOUT_MINUTES: envPositiveInt().default(DEFAULT_LOOP_PREVENTION_SETTINGS.claimTimeoutMinutes),
});

/** The parsed environment. */
export type LoopPreventionConfig = z.infer<typeof LoopPreventionConfigSchema>;

/** The lake buckets named by the environment. */
export function bucketsFromConfig(config: LoopPreventionConfig): LakeBuckets {
  return {
    bronze: config.BRONZE_BUCKET,
    silver: config.SILVER_BUCKET,
    gold: config.GOLD_BUCKET,
    quarantine: config.QUARANTINE_BUCKET,
    artifacts: config.ARTIFACTS_BUCKET,
  };
}

/** The core's settings, from the environment. */
export function settingsFromConfig(config: LoopPreventionConfig): LoopPreventionSettings {
  return { maxAttempts: config.MAX_ATTEMPTS, claimTimeoutMinutes: config.CLAIM_TIMEOUT_MINUTES };
}
