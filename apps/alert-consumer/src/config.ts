import { envPositiveInt, envString, LakeBucketsEnvSchema } from '@ledgerlake/config';
import { z } from 'zod';

const STAGE_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * The alert consumer's environment: the lake's buckets (posted-alert records, run records), the
 * stage (log group names in the links), and where the Slack webhook URL comes from — in the cloud
 * the name of an SSM SecureString parameter (`SLACK_WEBHOOK_PARAMETER`), on a laptop the URL itself
 * (`SLACK_WEBHOOK_URL`). Exactly one of the two.
 */
export const AlertConsumerConfigSchema = LakeBucketsEnvSchema.extend({
  STAGE: envString().pipe(z.string().regex(STAGE_PATTERN, { error: 'expected a stage name (lowercase letters, digits, inner hyphens)' })),
  SLACK_WEBHOOK_PARAMETER: envString()
    .pipe(z.string().regex(/^\/[A-Za-z0-9_.\-/]+$/, { error: 'expected an SSM parameter name starting with /' }))
    .optional(),
  SLACK_WEBHOOK_URL: envString().optional(),
  /** The queue's redrive maxReceiveCount (to tell a message the DLQ should have taken). */
  MAX_RECEIVE_COUNT: envPositiveInt().default(3),
  /** How long a webhook URL read from SSM is reused before it is read again. */
  SLACK_WEBHOOK_CACHE_SECONDS: envPositiveInt().default(300),
}).refine((env) => (env.SLACK_WEBHOOK_PARAMETER === undefined) !== (env.SLACK_WEBHOOK_URL === undefined), {
  error: 'expected exactly one of SLACK_WEBHOOK_PARAMETER (an SSM SecureString name) and SLACK_WEBHOOK_URL',
});

/** The parsed environment. */
export type AlertConsumerConfig = z.infer<typeof AlertConsumerConfigSchema>;
