import { TRANSACTIONS_DATASET } from './dataset-spec';
import { LineageSchema, quarantineRowSchema, rawRowSchema, SilverRowSchema } from './rows';

const RawRowSchema = rawRowSchema(TRANSACTIONS_DATASET);
const QuarantineRowSchema = quarantineRowSchema(TRANSACTIONS_DATASET);

const lineage = {
  row_hash: 'a'.repeat(64),
  source_file_id: 's3://bronze/mortgages/transactions/ingest_date=2024-01-05/x.csv?versionId=1',
  source_line: 2,
  attempt_count: 0,
  ingestion_timestamp: '2024-01-05T09:10:00.000Z',
  run_id: '20240105T091000Z',
  execution_arn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake:20240105T091000Z',
};

const silver = {
  ...lineage,
  id: 1n,
  account_id: 'ACC001',
  amount_minor: 30000n,
  currency: 'EUR',
  tx_date_micros: 1_704_445_200_000_000n,
};

const quarantined = {
  ...lineage,
  transaction_id: '1',
  customer_id: 'ACC001',
  transaction_amount: '12.345',
  currency: 'EUR',
  transaction_timestamp: '2024-01-05T09:00:00Z',
  validation_error: 'TYPE_ERROR',
  error_detail: 'TransactionAmount "12.345": has 3 fraction digits; at most 2 allowed',
};

describe('RawRowSchema', () => {
  it('accepts five strings, empty ones included', () => {
    const raw = { transaction_id: '1', customer_id: '', transaction_amount: 'x', currency: 'eur', transaction_timestamp: '' };
    expect(RawRowSchema.parse(raw)).toEqual(raw);
  });

  it('rejects a missing field', () => {
    expect(RawRowSchema.safeParse({ transaction_id: '1' }).success).toBe(false);
  });
});

describe('LineageSchema', () => {
  it('accepts a full lineage', () => {
    expect(LineageSchema.parse(lineage)).toEqual(lineage);
  });

  it.each([
    ['row_hash', 'A'.repeat(64)],
    ['row_hash', 'a'.repeat(63)],
    ['source_file_id', ''],
    ['source_line', 0],
    ['source_line', 1.5],
    ['attempt_count', -1],
    ['ingestion_timestamp', '2024-01-05 09:10:00'],
    ['run_id', '2024-01-05'],
    ['execution_arn', ''],
  ])('rejects %s = %j', (field, value) => {
    expect(LineageSchema.safeParse({ ...lineage, [field]: value }).success).toBe(false);
  });
});

describe('SilverRowSchema', () => {
  it('accepts a valid row with bigint values', () => {
    expect(SilverRowSchema.parse(silver)).toEqual(silver);
  });

  it.each([
    ['id', 9_223_372_036_854_775_808n],
    ['id', 1],
    ['account_id', ''],
    ['amount_minor', 10_000_000_000_000_000n],
    ['amount_minor', -10_000_000_000_000_000n],
    ['amount_minor', 300],
    ['currency', 'eur'],
    ['tx_date_micros', 253_402_300_800_000_000n],
    ['tx_date_micros', -62_135_596_800_000_001n],
  ])('rejects %s = %p', (field, value) => {
    expect(SilverRowSchema.safeParse({ ...silver, [field]: value }).success).toBe(false);
  });

  it('requires the lineage', () => {
    const { row_hash: _dropped, ...withoutHash } = silver;
    expect(SilverRowSchema.safeParse(withoutHash).success).toBe(false);
  });
});

describe('QuarantineRowSchema', () => {
  it('accepts a quarantined row', () => {
    expect(QuarantineRowSchema.parse(quarantined)).toEqual(quarantined);
  });

  it('accepts null raw fields (the record had too few fields)', () => {
    const short = { ...quarantined, currency: null, transaction_timestamp: null, validation_error: 'SCHEMA_ERROR' };
    expect(QuarantineRowSchema.parse(short)).toEqual(short);
  });

  it('accepts condemn codes', () => {
    expect(QuarantineRowSchema.safeParse({ ...quarantined, validation_error: 'MAX_ATTEMPTS' }).success).toBe(true);
  });

  it.each([
    ['validation_error', 'DUPLICATE_FILE'],
    ['error_detail', ''],
    ['transaction_id', undefined],
  ])('rejects %s = %p', (field, value) => {
    expect(QuarantineRowSchema.safeParse({ ...quarantined, [field]: value }).success).toBe(false);
  });
});
