import {
  AmountSumsSchema,
  MinorUnitsStringSchema,
  QuarantineByReasonSchema,
  RunContextSchema,
  RunCountsSchema,
  SuccessMarkerSchema,
  YearMonthSchema,
} from './run-context';

const context = {
  run_id: '20240105T091000Z',
  execution_arn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake:20240105T091000Z',
  execution_name: '20240105T091000Z',
  started_at: '2024-01-05T09:10:00.000Z',
  dataset: 'mortgages/transactions',
  mode: 'ingest',
  source: { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2024-01-05/x.csv', etag: '"abc"' },
};

const counts = { input_rows: 10, valid_rows: 7, quarantined_rows: 2, condemned_rows: 1 };

const marker = {
  run_id: '20240105T091000Z',
  execution_arn: context.execution_arn,
  source_files: ['s3://bronze/mortgages/transactions/ingest_date=2024-01-05/x.csv'],
  schema_version: 'v1',
  counts,
  quarantine_by_reason: { TYPE_ERROR: 2, DUPLICATE_FAILURE: 1 },
  amounts: { input_minor: '32600', valid_minor: '35150', quarantined_minor: '-2550', condemned_minor: '0' },
  critical_errors: [],
  files: ['silver/mortgages/transactions/year=2024/month=01/schema_v=v1/run_id=20240105T091000Z/part-00000.parquet'],
  started_at: '2024-01-05T09:10:00.000Z',
  finished_at: '2024-01-05T09:11:00.000Z',
};

describe('RunContextSchema', () => {
  it('accepts an ingest run', () => {
    expect(RunContextSchema.parse(context)).toEqual(context);
  });

  it('accepts a backfill run with its month', () => {
    const backfill = { ...context, run_id: 'backfill-20240105T091000Z', mode: 'backfill', backfill_month: '2024-01' };
    expect(RunContextSchema.parse(backfill)).toEqual(backfill);
  });

  it('requires backfill_month for a backfill and refuses it otherwise', () => {
    expect(RunContextSchema.safeParse({ ...context, mode: 'backfill' }).success).toBe(false);
    expect(RunContextSchema.safeParse({ ...context, backfill_month: '2024-01' }).success).toBe(false);
  });

  it('keeps the approval a retry run acts on, and refuses one on any other mode', () => {
    const retry = { ...context, mode: 'retry', approval_id: 'approve-20240105T091000Z-abc123' };
    expect(RunContextSchema.parse(retry)).toEqual(retry);
    expect(RunContextSchema.safeParse({ ...retry, mode: 'ingest' }).success).toBe(false);
    expect(RunContextSchema.safeParse({ ...retry, approval_id: '../x' }).success).toBe(false);
  });

  it.each([
    ['mode', 'replay'],
    ['run_id', 'run-1'],
    ['started_at', 'yesterday'],
    ['source', { bucket: 'bronze' }],
    ['source', { bucket: 'bronze', key: 'k', version_id: '' }],
  ])('rejects %s = %j', (field, value) => {
    expect(RunContextSchema.safeParse({ ...context, [field]: value }).success).toBe(false);
  });
});

describe('YearMonthSchema', () => {
  it.each([
    ['2024-01', true],
    ['2024-12', true],
    ['2024-13', false],
    ['2024-00', false],
    ['2024-1', false],
    ['2024-01-01', false],
  ])('%j is valid: %s', (value, valid) => {
    expect(YearMonthSchema.safeParse(value).success).toBe(valid);
  });
});

describe('RunCountsSchema', () => {
  it('accepts non-negative integers', () => {
    expect(RunCountsSchema.parse(counts)).toEqual(counts);
  });

  it.each([
    ['input_rows', -1],
    ['valid_rows', 1.5],
    ['condemned_rows', '1'],
  ])('rejects %s = %j', (field, value) => {
    expect(RunCountsSchema.safeParse({ ...counts, [field]: value }).success).toBe(false);
  });
});

describe('QuarantineByReasonSchema', () => {
  it('accepts any subset of row codes', () => {
    expect(QuarantineByReasonSchema.parse({})).toEqual({});
    expect(QuarantineByReasonSchema.parse({ SCHEMA_ERROR: 1, MAX_ATTEMPTS: 0 })).toEqual({ SCHEMA_ERROR: 1, MAX_ATTEMPTS: 0 });
  });

  it.each([[{ DUPLICATE_FILE: 1 }], [{ type_error: 1 }], [{ TYPE_ERROR: -1 }], [{ TYPE_ERROR: 0.5 }]])('rejects %j', (value) => {
    expect(QuarantineByReasonSchema.safeParse(value).success).toBe(false);
  });
});

describe('MinorUnitsStringSchema', () => {
  it.each(['0', '1', '-1', '32600', '-99999999999999999999999'])('accepts %j', (value) => {
    expect(MinorUnitsStringSchema.safeParse(value).success).toBe(true);
  });

  it.each(['', '-0', '01', '+1', '326.00', '1e3', ' 1'])('rejects %j', (value) => {
    expect(MinorUnitsStringSchema.safeParse(value).success).toBe(false);
  });

  it('rejects a number', () => {
    expect(AmountSumsSchema.safeParse({ ...marker.amounts, input_minor: 32600 }).success).toBe(false);
  });
});

describe('SuccessMarkerSchema', () => {
  it('accepts a _SUCCESS document', () => {
    expect(SuccessMarkerSchema.parse(marker)).toEqual(marker);
  });

  it('round-trips through JSON', () => {
    expect(SuccessMarkerSchema.parse(JSON.parse(JSON.stringify(marker)))).toEqual(marker);
  });

  it.each([
    ['schema_version', '1'],
    ['counts', { ...counts, input_rows: -1 }],
    ['critical_errors', 'none'],
    ['finished_at', '2024-01-05'],
    ['files', [''] ],
  ])('rejects %s = %j', (field, value) => {
    expect(SuccessMarkerSchema.safeParse({ ...marker, [field]: value }).success).toBe(false);
  });
});
