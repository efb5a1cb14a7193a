import { BreakerEnvSchema, breakerLimitsFromEnv, LakeBucketsEnvSchema, RowRulesEnvSchema, rowRuleSettingsFromEnv } from '@ledgerlake/config';
import type { z } from 'zod';
import type { ValidationSettings } from './settings';

/**
 * The validation function's environment: the buckets, the row rules (the partition writer reads the same) and the circuit
 * breaker's window and trip conditions (`BREAKER_*`: libs/config's `BreakerEnvSchema`, defaults the domain's quality policy,
 * docs/contract/rules.md, "Circuit breaker").
 */
export const ValidationConfigSchema = LakeBucketsEnvSchema.extend(RowRulesEnvSchema.shape).extend(BreakerEnvSchema.shape);

/** The parsed environment. */
export type ValidationConfig = z.infer<typeof ValidationConfigSchema>;

/** The settings of the core, from the environment. */
export function settingsFromConfig(config: ValidationConfig): ValidationSettings {
  return { rules: rowRuleSettingsFromEnv(config), breaker: breakerLimitsFromEnv(config) };
}
