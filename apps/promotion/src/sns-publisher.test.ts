import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { runBlockedEvent, StorageError, TransientStorageError } from '@ledgerlake/domain';
import { mockClient } from 'aws-sdk-client-mock';
import { snsPublisher } from './sns-publisher';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ledgerlake-dev-etl-failures';
const EVENT = runBlockedEvent({
  run_id: '20240204T061500Z-zz9y8x',
  execution_arn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-dev:20240204T061500Z-zz9y8x',
  execution_name: '20240204T061500Z-zz9y8x',
  dataset: 'mortgages/transactions',
  mode: 'ingest',
  source: { bucket: 'ledgerlake-dev-bronze', key: 'mortgages/transactions/ingest_date=2024-02-04/tx.csv' },
  counts: { input_rows: 100, valid_rows: 90, quarantined_rows: 10, condemned_rows: 0 },
  quarantine_by_reason: { CURRENCY_ERROR: 10 },
  condemned_by_reason: {},
  reasons: ['quarantine rate 10.00 % (10 of 100 rows) is not below the limit of 5.00 %'],
  blocked_at: '2024-02-04T06:15:09.000Z',
});

beforeEach(() => sns.reset());

describe('snsPublisher', () => {
  it('publishes the blocked-run event as the message, as EventBridge publishes execution events to the same topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    await snsPublisher(new SNSClient({}), TOPIC)(EVENT);

    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      { TopicArn: TOPIC, Subject: 'LedgerLake run 20240204T061500Z-zz9y8x blocked', Message: JSON.stringify(EVENT) },
    ]);
  });

  it.each([
    ['a server error', { name: 'InternalError', $metadata: { httpStatusCode: 500 } }, true],
    ['throttling', { name: 'Throttling', $metadata: { httpStatusCode: 400 } }, true],
    ['an access denial', { name: 'AuthorizationError', $metadata: { httpStatusCode: 403 } }, false],
  ])('reports %s as a storage error, transient (retried) or not, naming the run', async (_, fields, transient) => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('no'), fields));

    const error = await snsPublisher(new SNSClient({}), TOPIC)(EVENT).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(transient ? TransientStorageError : StorageError);
    expect((error as Error).message).toBe('sns: publishing the blocked-run event of 20240204T061500Z-zz9y8x failed: no');
  });
});
