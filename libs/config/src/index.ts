export { parseConfig } from './parse-config';
export type { Env } from './parse-config';
export { envBoolean, envBucket, envEnum, envList, envNonNegativeInt, envPositiveInt, envRate, envString } from './env-values';
export { bucketsFromEnv, LakeBucketsEnvSchema, type LakeBucketsEnv } from './lake-buckets-env';
export { RowRulesEnvSchema, rowRuleSettingsFromEnv, type RowRulesEnv } from './row-rules-env';
