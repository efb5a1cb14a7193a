import { z } from 'zod';
import { envBucket } from './env-values';

/** The five lake buckets every function is told about, as environment variables. */
export const LakeBucketsEnvSchema = z.object({
  BRONZE_BUCKET: envBucket(),
  SILVER_BUCKET: envBucket(),
  GOLD_BUCKET: envBucket(),
  QUARANTINE_BUCKET: envBucket(),
  ARTIFACTS_BUCKET: envBucket(),
});

/** The parsed bucket variables. */
export type LakeBucketsEnv = z.infer<typeof LakeBucketsEnvSchema>;

/** The physical bucket names by logical bucket (the shape of the storage layout's `LakeBuckets`). */
export function bucketsFromEnv(env: LakeBucketsEnv): {
  bronze: string;
  silver: string;
  gold: string;
  quarantine: string;
  artifacts: string;
} {
  return {
    bronze: env.BRONZE_BUCKET,
    silver: env.SILVER_BUCKET,
    gold: env.GOLD_BUCKET,
    quarantine: env.QUARANTINE_BUCKET,
    artifacts: env.ARTIFACTS_BUCKET,
  };
}
