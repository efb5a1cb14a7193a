import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { bucketsFromEnv, gateLimitsFromEnv, parseConfig } from '@ledgerlake/config';
import { TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { createObservability } from '@ledgerlake/observability';
import { createLakeLayout } from '@ledgerlake/storage';
import { S3ObjectStore, StepFunctionsLiveness } from '@ledgerlake/storage-s3';
import { snappyCompressor } from 'hysnappy';
import { PromotionConfigSchema } from './config';
import { athenaStatements } from './athena-statements';
import { createHandler } from './create-handler';
import { AthenaGoldEngine } from './gold-athena';
import { GlueCatalog } from './glue-catalog';
import { snsPublisher } from './sns-publisher';

// Cold start: configuration, Powertools and the AWS clients are created once per execution environment.
const config = parseConfig(PromotionConfigSchema, process.env, 'promotion');
const obs = createObservability({ serviceName: 'promotion', dataset: TRANSACTIONS_DATASET.path });
const s3 = obs.tracer.captureAWSv3Client(new S3Client({}));
const glue = obs.tracer.captureAWSv3Client(new GlueClient({}));
const sns = obs.tracer.captureAWSv3Client(new SNSClient({}));
const sfn = obs.tracer.captureAWSv3Client(new SFNClient({}));
const athena = obs.tracer.captureAWSv3Client(new AthenaClient({}));
const store = new S3ObjectStore(s3);
const layout = createLakeLayout(bucketsFromEnv(config));

/** Step Functions tasks `RecoverPromotions`, `EvaluateGate`, `Promote`, `RefreshGold`, `RollForward`, `RecordBlocked` and `RecordDryRun`. Each event and result is the contract's (libs/contract `ROW_PIPELINE`). */
export const handler = createHandler({
  store,
  layout,
  // Gold is the Gold SQL run by Athena (docs/gold.md), its temporary tables in the Gold database.
  gold: new AthenaGoldEngine({ athena: athenaStatements(athena, config.ATHENA_WORKGROUP), store, layout, database: config.GLUE_GOLD_DATABASE }),
  catalog: new GlueCatalog(glue, { silver: config.GLUE_SILVER_DATABASE, gold: config.GLUE_GOLD_DATABASE }),
  thresholds: gateLimitsFromEnv(config),
  publish: snsPublisher(sns, config.ETL_FAILURES_TOPIC_ARN),
  obs,
  compressor: snappyCompressor(),
  // A pending promotion is rolled forward by another run once its execution is no longer RUNNING.
  liveness: new StepFunctionsLiveness(sfn),
});
