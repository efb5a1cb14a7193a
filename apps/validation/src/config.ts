import { envPositiveInt, envRate, LakeBucketsEnvSchema, RowRulesEnvSchema, rowRuleSettingsFromEnv } from '@ledgerlake/config';
import type { z } from 'zod';
import type { ValidationSettings } from './settings';

/** The validation function's environment: the buckets, the row rules (the partition writer reads the same), the breaker. */
export const ValidationConfigSchema = LakeBucketsEnvSchema.extend(RowRulesEnvSchema.shape).extend({
  /** Circuit breaker window (docs/contract/rules.md, "Circuit breaker"). */
  BREAKER_WINDOW_MINUTES: envPositiveInt().default(60),
  /** The breaker opens when one code failed MORE than this many rows in the window… */
  BREAKER_MIN_FAILED_ROWS: envPositiveInt().default(100),
  /** …and those rows are MORE than this share of the rows processed in the window. */
  BREAKER_MIN_FAILED_RATE: envRate().default(0.05),
});

/** The parsed environment. */
export type ValidationConfig = z.infer<typeof ValidationConfigSchema>;

/** The settings of the core, from the environment. */
export function settingsFromConfig(config: ValidationConfig): ValidationSettings {
  return {
    rules: rowRuleSettingsFromEnv(config),
    breaker: {
      windowMinutes: config.BREAKER_WINDOW_MINUTES,
      minFailedRows: config.BREAKER_MIN_FAILED_ROWS,
      minFailedRate: config.BREAKER_MIN_FAILED_RATE,
    },
  };
}
