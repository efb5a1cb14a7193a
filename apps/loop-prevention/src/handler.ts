import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { bucketsFromEnv, parseConfig } from '@ledgerlake/config';
import { TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { createObservability } from '@ledgerlake/observability';
import { createLakeLayout } from '@ledgerlake/storage';
import { S3ObjectStore, StepFunctionsLiveness } from '@ledgerlake/storage-s3';
import { LoopPreventionConfigSchema, settingsFromConfig } from './config';
import { createHandler } from './create-handler';

// Cold start: configuration, Powertools and the S3 client are created once per execution environment.
const config = parseConfig(LoopPreventionConfigSchema, process.env, 'loop-prevention');
const obs = createObservability({ serviceName: 'loop-prevention', dataset: TRANSACTIONS_DATASET.path });
const s3 = obs.tracer.captureAWSv3Client(new S3Client({}));
const sfn = obs.tracer.captureAWSv3Client(new SFNClient({}));

/** Step Functions task `PreventLoops` (→ `$.loop_prevention`). Each event and result is the contract's (libs/contract `ROW_PIPELINE`). */
export const handler = createHandler({
  store: new S3ObjectStore(s3),
  layout: createLakeLayout(bucketsFromEnv(config)),
  obs,
  settings: settingsFromConfig(config),
  // A claim whose execution is no longer RUNNING is taken over at once.
  liveness: new StepFunctionsLiveness(sfn),
});
