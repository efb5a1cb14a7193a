import {
  COLUMN_ROLES,
  datasetRegistry,
  DATASETS,
  datasetSpec,
  type DatasetSpec,
  defineDataset,
  inputColumns,
  missingColumns,
  rawColumns,
  TRANSACTIONS_DATASET,
} from './dataset-spec';
import { UnknownDatasetError } from './errors';

/**
 * A second dataset as the registry sees it: its own path and Silver table, no Gold, the same
 * column names. A second dataset with names of its own is libs/testing's `PAYMENTS_DATASET`, and
 * its tests are there.
 */
const OTHER: DatasetSpec = { ...TRANSACTIONS_DATASET, path: 'cards/payments', silver: { table: 'silver.payments' }, gold: false };
const { columns } = TRANSACTIONS_DATASET;

describe('TRANSACTIONS_DATASET', () => {
  it('names the contract columns in role order, and their Quarantine columns', () => {
    expect(COLUMN_ROLES).toEqual(['id', 'account', 'amount', 'currency', 'timestamp']);
    expect(inputColumns(TRANSACTIONS_DATASET)).toEqual(['TransactionID', 'CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp']);
    expect(rawColumns(TRANSACTIONS_DATASET)).toEqual(['transaction_id', 'customer_id', 'transaction_amount', 'currency', 'transaction_timestamp']);
  });

  it('lives under mortgages/transactions, schema v1, and is the one dataset that ships', () => {
    expect(`silver/${TRANSACTIONS_DATASET.path}/schema_v=${TRANSACTIONS_DATASET.schemaVersion}`).toBe('silver/mortgages/transactions/schema_v=v1');
    expect([...DATASETS.keys()]).toEqual(['mortgages/transactions']);
    expect(TRANSACTIONS_DATASET.silver.table).toBe('silver.transactions');
    expect(TRANSACTIONS_DATASET.gold).toBe(true);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(TRANSACTIONS_DATASET)).toBe(true);
    expect(Object.isFrozen(TRANSACTIONS_DATASET.columns.id)).toBe(true);
  });
});

describe('defineDataset', () => {
  it('accepts a second dataset', () => {
    expect(defineDataset(OTHER)).toEqual(OTHER);
  });

  it.each<[string, Partial<DatasetSpec>]>([
    ['a path of one segment', { path: 'payments' }],
    ['a path with upper case', { path: 'Cards/payments' }],
    ['a schema version without v', { schemaVersion: '1' }],
    ['a Silver table outside silver.', { silver: { table: 'gold.payments' } }],
    ['two roles on one input column', { columns: { ...columns, amount: { input: 'TransactionID', raw: 'amount' } } }],
    ['two roles on one raw column', { columns: { ...columns, amount: { input: 'Amount', raw: 'transaction_id' } } }],
    ['a raw column Quarantine already has', { columns: { ...columns, amount: { input: 'Amount', raw: 'row_hash' } } }],
    ['a header name with whitespace', { columns: { ...columns, amount: { input: ' Amount', raw: 'amount' } } }],
  ])('refuses %s', (_, change) => {
    expect(() => defineDataset({ ...OTHER, ...change })).toThrow(RangeError);
  });
});

describe('datasetRegistry and datasetSpec', () => {
  it('resolves each registered dataset by its path', () => {
    const registry = datasetRegistry([TRANSACTIONS_DATASET, OTHER]);
    expect(datasetSpec('cards/payments', registry)).toEqual(OTHER);
    expect(datasetSpec('mortgages/transactions', registry)).toBe(TRANSACTIONS_DATASET);
    expect(datasetSpec('mortgages/transactions')).toBe(TRANSACTIONS_DATASET);
  });

  it('names an unknown dataset, and the known ones, in one error', () => {
    expect(() => datasetSpec('cards/payments')).toThrow(UnknownDatasetError);
    expect(() => datasetSpec('cards/payments')).toThrow('"cards/payments" is not a known dataset (known: mortgages/transactions)');
  });

  it('refuses a path twice, a Silver table twice and two datasets feeding Gold', () => {
    expect(() => datasetRegistry([OTHER, { ...OTHER, silver: { table: 'silver.other' } }])).toThrow('registered twice');
    expect(() => datasetRegistry([OTHER, { ...OTHER, path: 'cards/other' }])).toThrow('two datasets publish silver.payments');
    expect(() => datasetRegistry([TRANSACTIONS_DATASET, { ...OTHER, gold: true }])).toThrow('at most one dataset feeds Gold');
  });
});

describe('missingColumns', () => {
  it('is empty for a complete header, whatever the order and extra columns', () => {
    expect(missingColumns(TRANSACTIONS_DATASET, ['Note', ...[...inputColumns(TRANSACTIONS_DATASET)].reverse()])).toEqual([]);
  });

  it('lists the missing columns in role order', () => {
    expect(missingColumns(TRANSACTIONS_DATASET, ['TransactionTimestamp', 'TransactionID', 'CustomerID'])).toEqual(['TransactionAmount', 'Currency']);
  });

  it('matches names case-sensitively and without trimming', () => {
    expect(missingColumns(TRANSACTIONS_DATASET, ['transactionid', ' CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp'])).toEqual([
      'TransactionID',
      'CustomerID',
    ]);
  });
});
