import { RUN_BLOCKED_DETAIL_TYPE, RUN_BLOCKED_SOURCE, runBlockedEvent, RunBlockedEventSchema } from './run-blocked-event';

const detail = {
  run_id: '20240105T091000Z',
  execution_arn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-prod:20240105T091000Z',
  execution_name: '20240105T091000Z',
  dataset: 'mortgages/transactions',
  mode: 'ingest' as const,
  source: { bucket: 'ledgerlake-prod-bronze', key: 'mortgages/transactions/ingest_date=2024-01-05/a.csv' },
  counts: { input_rows: 10, valid_rows: 8, quarantined_rows: 2, condemned_rows: 0 },
  quarantine_by_reason: { CURRENCY_ERROR: 2 },
  condemned_by_reason: {},
  reasons: ['quarantine rate 20.00 % is not below 5.00 %'],
  blocked_at: '2024-01-05T09:11:00.000Z',
};

describe('runBlockedEvent', () => {
  it('wraps the detail in an EventBridge envelope whose region and account come from the execution ARN', () => {
    const event = runBlockedEvent(detail);

    expect(event).toEqual({
      version: '0',
      id: 'run-blocked-20240105T091000Z',
      'detail-type': RUN_BLOCKED_DETAIL_TYPE,
      source: RUN_BLOCKED_SOURCE,
      account: '123456789012',
      time: '2024-01-05T09:11:00.000Z',
      region: 'eu-west-1',
      resources: [detail.execution_arn],
      detail,
    });
    expect(RunBlockedEventSchema.parse(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('refuses a blocked run without a reason', () => {
    expect(() => runBlockedEvent({ ...detail, reasons: [] })).toThrow(/reasons/);
  });

  it('refuses an execution ARN without region and account', () => {
    expect(() => runBlockedEvent({ ...detail, execution_arn: 'not-an-arn' })).toThrow();
  });
});
