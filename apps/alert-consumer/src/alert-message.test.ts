import { RUN_BLOCKED_DETAIL_TYPE } from '@ledgerlake/domain';
import { delivered, fixture, QUEUE_ARN } from '../tests/support/alerts';
import { parseAlertRecord, recordFacts } from './alert-message';
import { executionStatusEvent, sqsRecord } from './envelopes';
import { MalformedAlertMessageError } from './errors';

describe('parseAlertRecord', () => {
  it('unwraps a Step Functions status event from SNS in SQS', () => {
    const parsed = parseAlertRecord(delivered(fixture('execution-failed'), { messageId: 'm-1', receiveCount: 2 }));

    expect(parsed).toMatchObject({ messageId: 'm-1', receiveCount: 2, notification: { Type: 'Notification', TopicArn: expect.stringContaining('etl-failures') } });
    expect(parsed.message.kind).toBe('execution');
    expect(parsed.message.kind === 'execution' && parsed.message.event.detail).toMatchObject({
      name: '20240201T090000Z-k3x9qa',
      status: 'FAILED',
      error: 'MissingColumnsError',
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:ledgerlake-prod',
    });
  });

  it('unwraps a CloudWatch alarm notification', () => {
    const parsed = parseAlertRecord(delivered(fixture('alarm-quarantine-rate')));

    expect(parsed.message.kind === 'alarm' && parsed.message.alarm).toMatchObject({ AlarmName: 'ledgerlake-prod-quarantine-rate', NewStateValue: 'ALARM' });
  });

  it('unwraps the run-blocked event', () => {
    const parsed = parseAlertRecord(delivered(fixture('run-blocked')));

    expect(parsed.message.kind === 'run-blocked' && parsed.message.event['detail-type']).toBe(RUN_BLOCKED_DETAIL_TYPE);
  });

  it('parses every record of the recorded batch but the poison one', () => {
    const { Records } = fixture<{ Records: Record<string, unknown>[] }>('sqs-batch');

    const kinds = Records.map((record) => {
      try {
        return parseAlertRecord(record).message.kind;
      } catch (error) {
        return (error as Error).name;
      }
    });

    expect(kinds).toEqual(['execution', 'alarm', 'MalformedAlertMessageError', 'run-blocked']);
  });

  it('reads what the envelope builders write', () => {
    const event = executionStatusEvent({
      executionArn: 'arn:aws:states:local:000000000000:execution:ledgerlake:20240201T090000Z-abc123',
      name: '20240201T090000Z-abc123',
      status: 'TIMED_OUT',
      input: { dataset: 'mortgages/transactions' },
      startDate: new Date('2024-02-01T09:00:00Z'),
      stopDate: new Date('2024-02-01T09:30:00Z'),
    });

    const parsed = parseAlertRecord(delivered(event));

    expect(parsed.message).toEqual({ kind: 'execution', event });
    expect(event).toMatchObject({ region: 'local', account: '000000000000', time: '2024-02-01T09:30:00Z' });
    expect(event.detail.stateMachineArn).toBe('arn:aws:states:local:000000000000:stateMachine:ledgerlake');
  });

  it.each([
    ['a body that is not JSON', sqsRecord('not json', { queueArn: QUEUE_ARN }), /the SQS body is not JSON \(8 characters\)/],
    ['a body that is not an SNS notification', sqsRecord({ hello: 'world' }, { queueArn: QUEUE_ARN }), /malformed SNS notification: Type: /],
    ['an SNS Message that is not JSON', sqsRecord({ Type: 'Notification', MessageId: 'x', TopicArn: 't', Message: '{', Timestamp: '2024-02-01T09:00:00Z' }, { queueArn: QUEUE_ARN }), /the SNS Message is not JSON/],
    ['an unknown event', delivered({ 'detail-type': 'Object Created', detail: {} }), /the SNS Message is an event of detail-type "Object Created"/],
    ['no event at all', delivered([1, 2, 3]), /the SNS Message is no known alert/],
    ['a status event without its detail', delivered({ ...fixture<Record<string, unknown>>('execution-failed'), detail: { status: 'FAILED' } }), /malformed Step Functions status event: detail\.executionArn/],
    ['an alarm without its ARN', delivered({ AlarmName: 'x', NewStateValue: 'ALARM' }), /malformed CloudWatch alarm notification: .*AlarmArn/],
    ['a run-blocked event without reasons', delivered({ ...fixture<Record<string, unknown>>('run-blocked'), detail: { ...fixture<{ detail: object }>('run-blocked').detail, reasons: [] } }), /malformed run-blocked event: detail\.reasons/],
    ['not an SQS record', 'hello', /malformed SQS record/],
  ])('refuses %s as malformed, naming the layer', (_, record, message) => {
    expect(() => parseAlertRecord(record)).toThrow(MalformedAlertMessageError);
    expect(() => parseAlertRecord(record)).toThrow(message);
  });
});

describe('recordFacts', () => {
  it('reads the message id and receive count of any SQS record, with safe defaults', () => {
    expect(recordFacts(sqsRecord('x', { queueArn: QUEUE_ARN, messageId: 'abc', receiveCount: 3 }))).toEqual({ messageId: 'abc', receiveCount: 3 });
    expect(recordFacts({ messageId: 'abc', body: '', attributes: { ApproximateReceiveCount: '0' } })).toEqual({ messageId: 'abc', receiveCount: 1 });
    expect(recordFacts(42)).toEqual({ messageId: '(unknown)', receiveCount: 1 });
  });
});
