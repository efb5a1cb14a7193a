import { envList, envPositiveInt, envRate, LakeBucketsEnvSchema } from '@ledgerlake/config';
import { CurrencyCodeSchema, DEFAULT_CURRENCIES } from '@ledgerlake/domain';
import { z } from 'zod';
import type { ValidationSettings } from './settings';

/** The validation function's environment. */
export const ValidationConfigSchema = LakeBucketsEnvSchema.extend({
  /** ISO-4217 codes accepted in `Currency` (comma-separated); default the contract's list. */
  CURRENCY_ALLOWLIST: envList()
    .pipe(z.array(CurrencyCodeSchema))
    .default([...DEFAULT_CURRENCIES]),
  /** Circuit breaker window (PRODUCT.md §3.5). */
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
    currencies: config.CURRENCY_ALLOWLIST,
    breaker: {
      windowMinutes: config.BREAKER_WINDOW_MINUTES,
      minFailedRows: config.BREAKER_MIN_FAILED_ROWS,
      minFailedRate: config.BREAKER_MIN_FAILED_RATE,
    },
  };
}
