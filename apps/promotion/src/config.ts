import { envString, GateEnvSchema, LakeBucketsEnvSchema } from '@ledgerlake/config';
import type { z } from 'zod';

/**
 * The promotion function's environment: the buckets, the gate's limits (`GATE_MAX_QUARANTINE_RATE`,
 * `GATE_MAX_CONDEMNED_ROWS`: libs/config's `GateEnvSchema`, defaults the domain's quality policy,
 * docs/contract/publishing.md, "Promotion gate"; `gateLimitsFromEnv` reads them), the catalog, Athena and the alert topic.
 */
export const PromotionConfigSchema = LakeBucketsEnvSchema.extend(GateEnvSchema.shape).extend({
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
