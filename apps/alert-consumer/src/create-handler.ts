import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type Observability, withObservability } from '@ledgerlake/observability';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { type AlertOutcome, processAlertRecord } from './process-alert';
import type { AlertSender } from './slack-webhook';

/** The Lambda SQS event, as far as this function relies on it: the records go to the core as they are. */
export interface SqsEvent {
  readonly Records: readonly Record<string, unknown>[];
}

/** What SQS is told: the records to deliver again (`ReportBatchItemFailures`). */
export interface SqsBatchResponse {
  readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
}

/** What the alert-consumer handler is built from: the cloud wiring passes S3 and the webhook, the local command its lake and its sender. */
export interface AlertConsumerHandlerDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly obs: Observability;
  readonly stage: string;
  readonly sender: AlertSender;
  readonly now?: () => Date;
  readonly maxReceiveCount?: number;
}

const OUTCOME_METRICS: Readonly<Record<AlertOutcome['status'] | 'failed', string>> = {
  posted: 'AlertsPosted',
  duplicate: 'AlertsDuplicate',
  ignored: 'AlertsIgnored',
  dropped: 'AlertsDropped',
  failed: 'AlertsFailed',
};

/**
 * The alert-consumer Lambda handler: an SQS batch in, the failed records out (partial batch
 * response). Records are processed one after the other — Slack takes about one webhook message a
 * second, and every record shares the invocation's remaining time — and one record's failure never
 * fails its neighbours. The batch never throws as a whole: even when every record failed, the
 * response lists each one, so each is redelivered on its own count.
 */
export function createHandler(deps: AlertConsumerHandlerDeps) {
  const { obs } = deps;
  return withObservability<SqsEvent, SqsBatchResponse>(async (event, context) => {
    const tally = { posted: 0, duplicate: 0, ignored: 0, dropped: 0, failed: 0 };
    const budget = { remainingMs: () => context.getRemainingTimeInMillis() };
    const handleRecord = async (record: unknown): Promise<AlertOutcome> => {
      try {
        const outcome = await processAlertRecord(record, budget, { ...deps, logger: obs.logger });
        tally[outcome.status] += 1;
        return outcome;
      } catch (error) {
        tally.failed += 1;
        throw error;
      }
    };
    const response = await processPartialResponse({ Records: [...event.Records] }, handleRecord, new BatchProcessor(EventType.SQS), {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
    for (const [status, count] of Object.entries(tally) as [keyof typeof tally, number][]) {
      obs.metrics.addMetric(OUTCOME_METRICS[status], MetricUnit.Count, count);
    }
    return response;
  }, obs);
}
