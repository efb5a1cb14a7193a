import { S3Client } from '@aws-sdk/client-s3';
import { bucketsFromEnv, parseConfig } from '@ledgerlake/config';
import { TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { createObservability } from '@ledgerlake/observability';
import { createLakeLayout } from '@ledgerlake/storage';
import { S3ObjectStore } from '@ledgerlake/storage-s3';
import { settingsFromConfig, ValidationConfigSchema } from './config';
import { createHandler } from './index';

// Cold start: configuration, Powertools and the S3 client are created once per execution environment.
const config = parseConfig(ValidationConfigSchema, process.env, 'validation');
const obs = createObservability({ serviceName: 'validation', dataset: TRANSACTIONS_DATASET.path });
const s3 = obs.tracer.captureAWSv3Client(new S3Client({}));

/** Step Functions tasks `ValidatePart` (a child of the ProcessParts Map) and `CheckBreaker` (→ `$.validation`). Each event and result is the contract's (libs/contract `ROW_PIPELINE`). */
export const handler = createHandler({
  store: new S3ObjectStore(s3),
  layout: createLakeLayout(bucketsFromEnv(config)),
  obs,
  settings: settingsFromConfig(config),
});
