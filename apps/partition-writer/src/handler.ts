import { S3Client } from '@aws-sdk/client-s3';
import { bucketsFromEnv, parseConfig } from '@ledgerlake/config';
import { TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { createObservability } from '@ledgerlake/observability';
import { createLakeLayout } from '@ledgerlake/storage';
import { S3ObjectStore } from '@ledgerlake/storage-s3';
import { snappyCompressor } from 'hysnappy';
import { PartitionWriterConfigSchema, settingsFromConfig } from './config';
import { createHandler } from './index';

// Cold start: configuration, Powertools, the S3 client and the WASM Snappy compressor, once.
const config = parseConfig(PartitionWriterConfigSchema, process.env, 'partition-writer');
const obs = createObservability({ serviceName: 'partition-writer', dataset: TRANSACTIONS_DATASET.path });
const s3 = obs.tracer.captureAWSv3Client(new S3Client({}));

/** Step Functions tasks `WritePart` (a child of the ProcessParts Map) and `FinishRun` (→ `$.partition_writer`). Each event and result is the contract's (libs/contract `ROW_PIPELINE`). */
export const handler = createHandler({
  store: new S3ObjectStore(s3),
  layout: createLakeLayout(bucketsFromEnv(config)),
  obs,
  settings: settingsFromConfig(config),
  compressor: snappyCompressor(),
});
