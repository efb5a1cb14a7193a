import { DATASET, missingColumns, RAW_FIELD_NAMES, REQUIRED_COLUMNS, RequiredColumnSchema, SCHEMA_VERSION } from './columns';

describe('columns', () => {
  it('lists the contract columns in contract order', () => {
    expect(REQUIRED_COLUMNS).toEqual(['TransactionID', 'CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp']);
  });

  it('aligns raw field names with the required columns', () => {
    expect(RAW_FIELD_NAMES).toEqual([
      'transaction_id',
      'customer_id',
      'transaction_amount',
      'currency',
      'transaction_timestamp',
    ]);
  });

  it('names the dataset and schema version of the storage layout', () => {
    expect(`silver/${DATASET}/schema_v=${SCHEMA_VERSION}`).toBe('silver/mortgages/transactions/schema_v=v1');
  });

  it('validates required column names exactly', () => {
    expect(RequiredColumnSchema.safeParse('Currency').success).toBe(true);
    expect(RequiredColumnSchema.safeParse('currency').success).toBe(false);
  });
});

describe('missingColumns', () => {
  it('is empty for a complete header, whatever the order and extra columns', () => {
    expect(missingColumns(['Note', ...[...REQUIRED_COLUMNS].reverse()])).toEqual([]);
  });

  it('lists the missing columns in contract order', () => {
    expect(missingColumns(['TransactionTimestamp', 'TransactionID', 'CustomerID'])).toEqual(['TransactionAmount', 'Currency']);
  });

  it('matches names case-sensitively and without trimming', () => {
    expect(missingColumns(['transactionid', ' CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp'])).toEqual([
      'TransactionID',
      'CustomerID',
    ]);
  });

  it('lists every column for an empty header', () => {
    expect(missingColumns([])).toEqual([...REQUIRED_COLUMNS]);
  });
});
