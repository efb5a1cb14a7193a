import { envPositiveInt, envString, LakeBucketsEnvSchema } from '@ledgerlake/config';
import { z } from 'zod';
import { type GateThresholds, parseRate } from './gate';

/** The promotion function's environment. */
export const PromotionConfigSchema = LakeBucketsEnvSchema.extend({
  /** Promote only if quarantined / input rows is below this decimal rate (docs/contract/publishing.md, "Promotion gate"). */
  GATE_MAX_QUARANTINE_RATE: z
    .string()
    .regex(/^\s*(0|1)(\.\d{1,9})?\s*$/, 'expected a decimal rate between 0 and 1, e.g. 0.05')
    .default('0.05'),
  /** Promote only if the run condemned fewer rows than this. */
  GATE_MAX_CONDEMNED_ROWS: envPositiveInt().default(100),
  /** Glue database of `silver.transactions`. */
  GLUE_SILVER_DATABASE: envString(),
  /** Glue database of `gold.account_balances` and `gold.monthly_reports`. */
  GLUE_GOLD_DATABASE: envString(),
  /** The Athena workgroup RefreshGold runs the Gold SQL in (its result location and engine version are the workgroup's). */
  ATHENA_WORKGROUP: envString(),
  /** SNS topic `etl-failures`: where a blocked run's event goes. */
  ETL_FAILURES_TOPIC_ARN: envString(),
});

/** The parsed environment. */
export type PromotionConfig = z.infer<typeof PromotionConfigSchema>;

/** The gate thresholds of the configuration. */
export function thresholdsFromConfig(config: Pick<PromotionConfig, 'GATE_MAX_QUARANTINE_RATE' | 'GATE_MAX_CONDEMNED_ROWS'>): GateThresholds {
  return { maxQuarantineRate: parseRate(config.GATE_MAX_QUARANTINE_RATE), maxCondemnedRows: config.GATE_MAX_CONDEMNED_ROWS };
}
