import { envList, envPositiveInt, envString } from '@ledgerlake/config';
import { CurrencyCodeSchema, DEFAULT_CURRENCIES } from '@ledgerlake/domain';
import type { LakeBuckets } from '@ledgerlake/storage';
import { z } from 'zod';
import type { ValidationSettings } from './validate-run';

/** An S3 bucket name (the lake layout also checks that the five differ). */
function envBucket(): z.ZodType<string, string> {
  const expected = 'expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)';
  return envString().pipe(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: expected }));
}

/** A rate in (0, 1] written as a decimal, e.g. `0.05` for 5 %. */
function envRate(): z.ZodType<number, string> {
  const expected = 'expected a decimal rate greater than 0 and at most 1, e.g. 0.05';
  return z
    .string({ error: expected })
    .trim()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, { error: expected })
    .transform(Number)
    .pipe(z.number().gt(0, { error: expected }).max(1, { error: expected }));
}

/** The validation function's environment. */
export const ValidationConfigSchema = z.object({
  BRONZE_BUCKET: envBucket(),
  SILVER_BUCKET: envBucket(),
  GOLD_BUCKET: envBucket(),
  QUARANTINE_BUCKET: envBucket(),
  ARTIFACTS_BUCKET: envBucket(),
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

/** The lake buckets named by the environment. */
export function bucketsFromConfig(config: ValidationConfig): LakeBuckets {
  return {
    bronze: config.BRONZE_BUCKET,
    silver: config.SILVER_BUCKET,
    gold: config.GOLD_BUCKET,
    quarantine: config.QUARANTINE_BUCKET,
    artifacts: config.ARTIFACTS_BUCKET,
  };
}

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
