import { envPositiveInt, LakeBucketsEnvSchema } from '@ledgerlake/config';
import { z } from 'zod';
import { DEFAULT_LOOP_PREVENTION_SETTINGS, type LoopPreventionSettings } from './prevent-loops';

/** The loop-prevention function's environment. */
export const LoopPreventionConfigSchema = LakeBucketsEnvSchema.extend({
  /** A row with attempt_count at or above this is condemned MAX_ATTEMPTS; default 3. */
  MAX_ATTEMPTS: envPositiveInt().default(DEFAULT_LOOP_PREVENTION_SETTINGS.maxAttempts),
  /** A processed-file claim not renewed for this many minutes is abandoned; default 30. */
  CLAIM_TIMEOUT_MINUTES: envPositiveInt().default(DEFAULT_LOOP_PREVENTION_SETTINGS.claimTimeoutMinutes),
});

/** The parsed environment. */
export type LoopPreventionConfig = z.infer<typeof LoopPreventionConfigSchema>;

/** The core's settings, from the environment. */
export function settingsFromConfig(config: Pick<LoopPreventionConfig, 'MAX_ATTEMPTS' | 'CLAIM_TIMEOUT_MINUTES'>): LoopPreventionSettings {
  return { maxAttempts: config.MAX_ATTEMPTS, claimTimeoutMinutes: config.CLAIM_TIMEOUT_MINUTES };
}
