import { S3Client } from '@aws-sdk/client-s3';
import { bucketsFromEnv, parseConfig } from '@ledgerlake/config';
import { DATASET } from '@ledgerlake/domain';
import { createObservability } from '@ledgerlake/observability';
import { createLakeLayout } from '@ledgerlake/storage';
import { S3ObjectStore } from '@ledgerlake/storage-s3';
import { RunRecorderConfigSchema } from './config';
import { createHandler } from './create-handler';

// Cold start: configuration, Powertools and the S3 client are created once per execution environment.
const config = parseConfig(RunRecorderConfigSchema, process.env, 'run-recorder');
const obs = createObservability({ serviceName: 'run-recorder', dataset: DATASET });
const s3 = obs.tracer.captureAWSv3Client(new S3Client({}));

/** Step Functions task `RecordFailure`: the failed run's state in, the run's error and record out (stored back at `$.error`). */
export const handler = createHandler({
  store: new S3ObjectStore(s3),
  layout: createLakeLayout(bucketsFromEnv(config)),
  obs,
});
