import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { bucketsFromEnv, parseConfig } from '@ledgerlake/config';
import { createObservability } from '@ledgerlake/observability';
import { createLakeLayout } from '@ledgerlake/storage';
import { S3ObjectStore } from '@ledgerlake/storage-s3';
import { AlertConsumerConfigSchema } from './config';
import { createHandler } from './create-handler';
import { createSlackWebhook } from './slack-webhook';
import { webhookUrlSource } from './webhook-url';

// Cold start: configuration, Powertools, the S3 and SSM clients are created once per execution environment.
const config = parseConfig(AlertConsumerConfigSchema, process.env, 'alert-consumer');
const obs = createObservability({ serviceName: 'alert-consumer' });
const s3 = obs.tracer.captureAWSv3Client(new S3Client({}));
const ssm = new SSMProvider({ awsSdkV3Client: obs.tracer.captureAWSv3Client(new SSMClient({})) });

/** SQS (etl-failures) → one Slack message per incident; failed records are reported for redelivery. */
export const handler = createHandler({
  store: new S3ObjectStore(s3),
  layout: createLakeLayout(bucketsFromEnv(config)),
  obs,
  stage: config.STAGE,
  maxReceiveCount: config.MAX_RECEIVE_COUNT,
  sender: createSlackWebhook({
    webhookUrl: webhookUrlSource(config, ssm),
    logger: obs.logger,
  }),
});
