import { RUN_BLOCKED_DETAIL_TYPE, type RunBlockedEvent, RunBlockedEventSchema } from '@ledgerlake/domain';
import { z } from 'zod';
import { MalformedAlertMessageError } from './errors';

/*
 * What arrives on the queue `ledgerlake-<stage>-etl-failures`: SQS records whose body is an SNS
 * notification (the subscription does not use raw message delivery) whose `Message` is one of
 *   - an EventBridge "Step Functions Execution Status Change" event (the rule on the state machine),
 *   - a CloudWatch alarm state change, as SNS delivers alarm actions,
 *   - the pipeline's own run-blocked event (`RunBlockedEventSchema`, EventBridge-shaped).
 */

/** The fields of an SQS record this function reads (the Lambda event source mapping sends more). */
export const SqsRecordSchema = z.object({
  messageId: z.string().min(1),
  body: z.string(),
  attributes: z.object({ ApproximateReceiveCount: z.string().regex(/^\d+$/) }).partial().default({}),
});
/** An SQS record, as far as this function reads it. */
export type SqsRecord = z.infer<typeof SqsRecordSchema>;

/** An SNS notification as SQS receives it from a topic subscription. */
export const SnsNotificationSchema = z.object({
  Type: z.literal('Notification'),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Subject: z.string().nullish(),
  Message: z.string(),
  Timestamp: z.iso.datetime({ offset: true }),
});
/** An SNS notification. */
export type SnsNotification = z.infer<typeof SnsNotificationSchema>;

/** `detail-type` of Step Functions status events. */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

/** Every status a Step Functions status event may carry. */
export const ExecutionStatusSchema = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']);
/** A Step Functions execution status. */
export type ExecutionStatus = z.infer<typeof ExecutionStatusSchema>;

/** The statuses that are incidents. */
export const FAILED_EXECUTION_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** The "Step Functions Execution Status Change" event (EventBridge envelope). */
export const ExecutionStatusEventSchema = z.object({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.literal(EXECUTION_STATUS_CHANGE),
  source: z.literal('aws.states'),
  account: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  region: z.string().min(1),
  resources: z.array(z.string()),
  detail: z.object({
    executionArn: z.string().min(1),
    stateMachineArn: z.string().min(1),
    name: z.string().min(1),
    status: ExecutionStatusSchema,
    /** Milliseconds since the epoch. */
    startDate: z.number().int(),
    stopDate: z.number().int().nullish(),
    /** The execution input as a JSON string; `null` when it is too large to be included. */
    input: z.string().nullish(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
    /** Grows by one each time the execution is redriven: each redrive can fail anew. */
    redriveCount: z.number().int().nonnegative().nullish(),
  }),
});
/** A Step Functions status event. */
export type ExecutionStatusEvent = z.infer<typeof ExecutionStatusEventSchema>;

/** A CloudWatch alarm state change, as SNS delivers it (JSON with these PascalCase keys). */
export const AlarmNotificationSchema = z.object({
  AlarmName: z.string().min(1),
  AlarmDescription: z.string().nullish(),
  AWSAccountId: z.string().min(1),
  NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  NewStateReason: z.string(),
  OldStateValue: z.string().nullish(),
  /** e.g. `2024-02-01T00:06:12.345+0000`. */
  StateChangeTime: z.string().min(1),
  /** The region's display name, e.g. `EU (Ireland)`; the code is in `AlarmArn`. */
  Region: z.string().nullish(),
  AlarmArn: z.string().regex(/^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d+:alarm:.+$/, 'expected a CloudWatch alarm ARN'),
  Trigger: z
    .object({
      MetricName: z.string().nullish(),
      Namespace: z.string().nullish(),
      Statistic: z.string().nullish(),
      Dimensions: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
      Period: z.number().nullish(),
      EvaluationPeriods: z.number().nullish(),
      ComparisonOperator: z.string().nullish(),
      Threshold: z.number().nullish(),
    })
    .nullish(),
});
/** A CloudWatch alarm state change. */
export type AlarmNotification = z.infer<typeof AlarmNotificationSchema>;

/** One alert message, told apart by kind. */
export type AlertMessage =
  | { readonly kind: 'execution'; readonly event: ExecutionStatusEvent }
  | { readonly kind: 'alarm'; readonly alarm: AlarmNotification }
  | { readonly kind: 'run-blocked'; readonly event: RunBlockedEvent };

/** A parsed queue record: its SQS facts, the SNS envelope and the alert inside. */
export interface AlertRecord {
  readonly messageId: string;
  /** How many times SQS has handed this message out, this time included (1 on the first delivery). */
  readonly receiveCount: number;
  readonly notification: SnsNotification;
  readonly message: AlertMessage;
}

/** The SQS facts of a record, even when its body is not an alert (to log a poison message by id). */
export function recordFacts(record: unknown): { messageId: string; receiveCount: number } {
  const parsed = SqsRecordSchema.safeParse(record);
  if (!parsed.success) return { messageId: '(unknown)', receiveCount: 1 };
  return { messageId: parsed.data.messageId, receiveCount: receiveCountOf(parsed.data) };
}

function receiveCountOf(record: SqsRecord): number {
  const count = Number(record.attributes.ApproximateReceiveCount ?? '1');
  return Number.isSafeInteger(count) && count > 0 ? count : 1;
}

/**
 * Parses one SQS record down to its alert. Throws `MalformedAlertMessageError`, naming the layer
 * and every problem, for anything else; the message names fields, never their values.
 */
export function parseAlertRecord(record: unknown): AlertRecord {
  const sqs = parseLayer(SqsRecordSchema, record, 'SQS record');
  const notification = parseLayer(SnsNotificationSchema, parseJsonText(sqs.body, 'SQS body'), 'SNS notification');
  const payload = parseJsonText(notification.Message, 'SNS Message');
  return {
    messageId: sqs.messageId,
    receiveCount: receiveCountOf(sqs),
    notification,
    message: parseAlertMessage(payload),
  };
}

/** Tells the three alert kinds apart by their own markers (`detail-type`, or `AlarmArn`) and parses the one found. */
export function parseAlertMessage(payload: unknown): AlertMessage {
  const object = isRecord(payload) ? payload : {};
  const detailType = object['detail-type'];
  if (detailType === EXECUTION_STATUS_CHANGE) {
    return { kind: 'execution', event: parseLayer(ExecutionStatusEventSchema, payload, 'Step Functions status event') };
  }
  if (detailType === RUN_BLOCKED_DETAIL_TYPE) {
    return { kind: 'run-blocked', event: parseLayer(RunBlockedEventSchema, payload, 'run-blocked event') };
  }
  if ('AlarmArn' in object || 'AlarmName' in object) {
    return { kind: 'alarm', alarm: parseLayer(AlarmNotificationSchema, payload, 'CloudWatch alarm notification') };
  }
  const what = typeof detailType === 'string' ? `an event of detail-type ${JSON.stringify(detailType.slice(0, 100))}` : 'no known alert';
  throw new MalformedAlertMessageError(`alert-consumer: the SNS Message is ${what}`);
}

function parseLayer<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new MalformedAlertMessageError(`alert-consumer: malformed ${what}: ${problems.join('; ')}`);
}

function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedAlertMessageError(`alert-consumer: the ${what} is not JSON (${text.length} characters)`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
