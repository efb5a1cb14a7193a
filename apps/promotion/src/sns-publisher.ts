import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type RunBlockedEvent, StorageError, TransientStorageError } from '@ledgerlake/domain';

/**
 * Publishes a run-blocked event to the `etl-failures` topic, as EventBridge publishes the
 * execution-status events there: the message is the event JSON, so the alert consumer reads one
 * message shape whoever sent it.
 */
export function snsPublisher(sns: SNSClient, topicArn: string): (event: RunBlockedEvent) => Promise<void> {
  return async (event) => {
    try {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: `LedgerLake run ${event.detail.run_id} blocked`,
          Message: JSON.stringify(event),
        }),
      );
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
      const message = `sns: publishing the blocked-run event of ${event.detail.run_id} failed: ${(error as Error).message}`;
      throw status >= 500 || (error as Error).name === 'ThrottledException' || (error as Error).name === 'Throttling'
        ? new TransientStorageError(message, { cause: error })
        : new StorageError(message, { cause: error });
    }
  };
}
