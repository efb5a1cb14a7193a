import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { bucketsFromEnv, parseConfig } from '@ledgerlake/config';
import { runIdTime, TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { createObservability } from '@ledgerlake/observability';
import { createLakeLayout } from '@ledgerlake/storage';
import { S3ObjectStore } from '@ledgerlake/storage-s3';
import { RunRecorderConfigSchema } from './config';
import { createHandler } from './create-handler';
import { cloudReportLinks, executionTimeline } from './report/execution-timeline';

// Cold start: configuration, Powertools and the AWS clients are created once per execution environment.
const config = parseConfig(RunRecorderConfigSchema, process.env, 'run-recorder');
const obs = createObservability({ serviceName: 'run-recorder', dataset: TRANSACTIONS_DATASET.path });
const s3 = obs.tracer.captureAWSv3Client(new S3Client({}));
const sfn = obs.tracer.captureAWSv3Client(new SFNClient({}));
const layout = createLakeLayout(bucketsFromEnv(config));
const stage = /^ledgerlake-(.+)-artifacts$/.exec(layout.buckets.artifacts)?.[1] ?? 'unknown';

/** Step Functions tasks `RecordFailure` (the failed run's state in, its error and record out) and `ReportRun` (the run's report). */
export const handler = createHandler({
  store: new S3ObjectStore(s3),
  layout,
  obs,
  where: `stage ${stage} (${process.env['AWS_REGION'] ?? 'unknown region'})`,
  timeline: (executionArn) => executionTimeline(sfn, executionArn),
  links: (runId, executionArn) => cloudReportLinks(runId, executionArn, runIdTime(runId), new Date()),
  logsCommand: (runId) => `ledgerlake logs ${runId} --stage ${stage}`,
});
