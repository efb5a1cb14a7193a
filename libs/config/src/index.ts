export { parseConfig } from './parse-config';
export type { Env } from './parse-config';
export { envBoolean, envBucket, envEnum, envList, envExactRate, envNonNegativeInt, envPositiveInt, envString } from './env-values';
export { bucketsFromEnv, LakeBucketsEnvSchema, type LakeBucketsEnv } from './lake-buckets-env';
export { RowRulesEnvSchema, rowRuleSettingsFromEnv, type RowRulesEnv } from './row-rules-env';
export { type BreakerEnv, BreakerEnvSchema, breakerLimitsFromEnv, type GateEnv, GateEnvSchema, gateLimitsFromEnv } from './quality-policy-env';
