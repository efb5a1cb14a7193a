import { createHash, randomUUID } from 'node:crypto';
import { EXECUTION_STATUS_CHANGE, type ExecutionStatusEvent } from './alert-message';

/*
 * Builders of what the cloud delivers, for the places that must deliver it themselves (the local
 * command, tests): an EventBridge Step Functions status event, inside an SNS notification, inside
 * an SQS record — byte for byte the nesting the function parses in the cloud.
 */

/** What is known of an execution that ended. */
export interface EndedExecution {
  readonly executionArn: string;
  /** The execution name: the run id. */
  readonly name: string;
  readonly status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** The run request the execution was started with. */
  readonly input: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate: Date;
  readonly stopDate: Date;
}

/** The EventBridge "Step Functions Execution Status Change" event of an execution that ended; region and account come from its ARN. */
export function executionStatusEvent(execution: EndedExecution, id: string = randomUUID()): ExecutionStatusEvent {
  const [, , , region = '', account = '', , machine = ''] = execution.executionArn.split(':');
  const stateMachineArn = `arn:aws:states:${region}:${account}:stateMachine:${machine}`;
  return {
    version: '0',
    id,
    'detail-type': EXECUTION_STATUS_CHANGE,
    source: 'aws.states',
    account,
    time: execution.stopDate.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate.getTime(),
      stopDate: execution.stopDate.getTime(),
      input: JSON.stringify(execution.input),
      error: execution.error ?? null,
      cause: execution.cause ?? null,
      redriveCount: 0,
    },
  };
}

/** Options of `snsNotification`. */
export interface SnsEnvelopeOptions {
  readonly topicArn: string;
  readonly messageId?: string;
  readonly timestamp?: Date;
  readonly subject?: string;
}

/** An SNS notification carrying `message` (serialised as JSON), as an SQS subscription receives it. */
export function snsNotification(message: unknown, options: SnsEnvelopeOptions): Record<string, unknown> {
  const region = options.topicArn.split(':')[3] ?? '';
  return {
    Type: 'Notification',
    MessageId: options.messageId ?? randomUUID(),
    TopicArn: options.topicArn,
    ...(options.subject === undefined ? {} : { Subject: options.subject }),
    Message: JSON.stringify(message),
    Timestamp: (options.timestamp ?? new Date()).toISOString(),
    SignatureVersion: '1',
    Signature: '',
    SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService.pem`,
    UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${options.topicArn}`,
  };
}

/** Options of `sqsRecord`. */
export interface SqsEnvelopeOptions {
  readonly queueArn: string;
  readonly messageId?: string;
  readonly receiveCount?: number;
  readonly sentAt?: Date;
}

/** An SQS record (as the Lambda event source mapping passes it) whose body is `body` as JSON. */
export function sqsRecord(body: unknown, options: SqsEnvelopeOptions): Record<string, unknown> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const messageId = options.messageId ?? randomUUID();
  const sent = (options.sentAt ?? new Date()).getTime();
  return {
    messageId,
    receiptHandle: `AQEB${createHash('sha256').update(messageId).digest('base64')}`,
    body: text,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(sent),
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: String(sent),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(text).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.queueArn.split(':')[3] ?? '',
  };
}
