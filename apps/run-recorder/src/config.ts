import { LakeBucketsEnvSchema } from '@ledgerlake/config';
import type { z } from 'zod';

/** The run recorder's environment: the lake's buckets, nothing else. */
export const RunRecorderConfigSchema = LakeBucketsEnvSchema;

/** The parsed environment. */
export type RunRecorderConfig = z.infer<typeof RunRecorderConfigSchema>;
