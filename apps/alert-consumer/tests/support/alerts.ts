import { join } from 'node:path';
import { loadFixture } from '@ledgerlake/testing';
import { snsNotification, sqsRecord } from '../../src/envelopes';

/** The event fixtures (tests/fixtures/*.json). */
export const FIXTURES = join(__dirname, '..', 'fixtures');
export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:ledgerlake-prod-etl-failures';
export const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:ledgerlake-prod-etl-failures';

/** A fixture, parsed. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return loadFixture<T>(FIXTURES, name);
}

/** An event wrapped as the queue delivers it: SNS notification in an SQS record. */
export function delivered(message: unknown, options: { messageId?: string; receiveCount?: number } = {}): Record<string, unknown> {
  return sqsRecord(snsNotification(message, { topicArn: TOPIC_ARN, timestamp: new Date('2024-02-01T09:00:05Z') }), {
    queueArn: QUEUE_ARN,
    ...options,
  });
}
