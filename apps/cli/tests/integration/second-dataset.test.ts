import { PAYMENTS_DATASET } from '@ledgerlake/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { datasetRegistry, TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { listAll, type ObjectStore } from '@ledgerlake/storage';
import { localDefinition, type LocalLake, type LocalWiring, openLake, runBronzeObject } from '../../src';

/*
 * A second dataset is configuration (docs/contract/rules.md, "Datasets"): a `DatasetSpec` with its own
 * column names, in its own column order in the file, registered beside the shipped one, runs
 * through the real definition (the local runner, each Task bound to its function's real handler)
 * into Silver, Quarantine and the catalog under its own path and table — and leaves the
 * `mortgages/transactions` dataset, and Gold it alone feeds, as they were.
 */

const PAYMENTS = PAYMENTS_DATASET;

const NOW = () => new Date('2024-06-01T12:00:00Z');
/** In-process Map iterations; a gate that lets a file with one bad row in four through. */
const WIRING: LocalWiring = {
  datasets: datasetRegistry([TRANSACTIONS_DATASET, PAYMENTS]),
  workers: 0,
  thresholds: { promoteBelowQuarantineRate: { numerator: 1n, denominator: 2n }, promoteBelowCondemnedRows: 10 },
};

const PAYMENTS_CSV = [
  'PaidAt,Amount,PaymentRef,Currency,CardholderID,Channel',
  '2024-03-02T10:00:00Z,12.50,7001,EUR,CARD-1,web',
  '2024-03-05T11:30:00Z,-3.20,7002,USD,CARD-2,pos',
  '2024-04-01T08:00:00Z,99.99,7003,EUR,CARD-1,web',
  '2024-03-09T09:00:00Z,5.00,7004,eur,CARD-3,web',
].join('\n');

const TRANSACTIONS_CSV = [
  'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp',
  '1,ACC001,300.00,EUR,2024-01-05T09:00:00Z',
  '2,ACC002,-25.50,EUR,2024-02-12T09:00:00Z',
].join('\n');

async function land(lake: LocalLake, fileName: string, text: string) {
  const source = lake.layout.bronze.file('2024-06-01', fileName);
  await lake.store.put(source, `${text}\n`);
  return runBronzeObject(lake, source, fileName, { definition: localDefinition(), now: NOW, wiring: WIRING });
}

/** Every object of a bucket under a prefix, with its ETag: what "untouched" compares. */
async function snapshot(store: ObjectStore, bucket: string, prefix: string): Promise<Record<string, string>> {
  const objects: Record<string, string> = {};
  for await (const object of listAll(store, bucket, prefix)) objects[object.key] = object.etag;
  return objects;
}

async function sql(query: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(query)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

describe('a second dataset, registered as configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledgerlake-second-dataset-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("lands good rows in its Silver, a bad row in its Quarantine, under its own path and names, and leaves the shipped dataset and Gold as they were", async () => {
    const lake = await openLake(dir, 'write');
    const transactions = await land(lake, 'transactions.csv', TRANSACTIONS_CSV);
    expect(transactions.status).toBe('PUBLISHED');
    const { buckets } = lake.layout;
    const before = {
      silver: await snapshot(lake.store, buckets.silver, 'mortgages/'),
      quarantine: await snapshot(lake.store, buckets.quarantine, 'mortgages/'),
      gold: await snapshot(lake.store, buckets.gold, ''),
      catalog: await snapshot(lake.store, buckets.artifacts, 'catalog/silver.transactions/'),
    };
    expect(Object.keys(before.gold).length).toBeGreaterThan(0);

    const cards = { ...lake, layout: lake.layout.forDataset(PAYMENTS) };
    const payments = await land(cards, 'payments.csv', PAYMENTS_CSV);

    expect(payments.source.key).toBe('cards/payments/ingest_date=2024-06-01/payments.csv');
    expect(payments).toMatchObject({
      status: 'PUBLISHED',
      counts: { input_rows: 4, valid_rows: 3, quarantined_rows: 1, condemned_rows: 0 },
      quarantine_by_reason: { CURRENCY_ERROR: 1 },
      ignored_columns: ['Channel'],
    });
    expect(payments.partitions?.map((partition) => [partition.partition, partition.rows])).toEqual([
      ['2024-03', 2],
      ['2024-04', 1],
    ]);

    // Silver: the spec's roles, read by name from the file's own column order, in the dataset's folders.
    const silverFiles = Object.keys(await snapshot(lake.store, buckets.silver, 'cards/payments/')).filter((key) => key.endsWith('.parquet'));
    expect(silverFiles.some((key) => key.startsWith('cards/payments/year=2024/month=03/schema_v=v1/current/'))).toBe(true);
    const silverGlob = `'${join(dir, buckets.silver, 'cards', 'payments')}/**/current/*.parquet'`;
    expect(
      await sql(`SELECT id::VARCHAR AS id, account_id, amount::VARCHAR AS amount, currency, strftime(tx_date, '%Y-%m-%d') AS day FROM read_parquet(${silverGlob}) ORDER BY id`),
    ).toEqual([
      { id: '7001', account_id: 'CARD-1', amount: '12.50', currency: 'EUR', day: '2024-03-02' },
      { id: '7002', account_id: 'CARD-2', amount: '-3.20', currency: 'USD', day: '2024-03-05' },
      { id: '7003', account_id: 'CARD-1', amount: '99.99', currency: 'EUR', day: '2024-04-01' },
    ]);
    const metadata = await sql(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${silverGlob}) WHERE decode(key) LIKE 'ledgerlake.%'`);
    expect(new Set(metadata.map((row) => `${String(row['key'])}=${String(row['value'])}`))).toEqual(
      new Set(['ledgerlake.dataset=cards/payments', 'ledgerlake.schema_version=v1']),
    );

    // Quarantine: the raw fields under the spec's Quarantine names; the detail names the input column.
    const quarantineGlob = `'${join(dir, buckets.quarantine, 'cards', 'payments')}/**/*.parquet'`;
    expect(await sql(`SELECT payment_ref, cardholder_id, amount, currency, paid_at, validation_error, error_detail FROM read_parquet(${quarantineGlob})`)).toEqual([
      {
        payment_ref: '7004',
        cardholder_id: 'CARD-3',
        amount: '5.00',
        currency: 'eur',
        paid_at: '2024-03-09T09:00:00Z',
        validation_error: 'CURRENCY_ERROR',
        error_detail: expect.stringMatching(/^Currency "eur": is not in the allowlist/),
      },
    ]);

    // Its own catalog table; Gold is not built from a dataset whose spec does not feed it.
    expect(Object.keys(await snapshot(lake.store, buckets.artifacts, 'catalog/silver.payments/')).sort()).toEqual([
      'catalog/silver.payments/2024-03.json',
      'catalog/silver.payments/2024-04.json',
    ]);
    expect({
      silver: await snapshot(lake.store, buckets.silver, 'mortgages/'),
      quarantine: await snapshot(lake.store, buckets.quarantine, 'mortgages/'),
      gold: await snapshot(lake.store, buckets.gold, ''),
      catalog: await snapshot(lake.store, buckets.artifacts, 'catalog/silver.transactions/'),
    }).toEqual(before);
  });

  it('fails a run of a dataset the registry does not hold with one named error, nothing written', async () => {
    const lake = await openLake(dir, 'write');
    const cards = { ...lake, layout: lake.layout.forDataset(PAYMENTS) };
    const source = cards.layout.bronze.file('2024-06-01', 'payments.csv');
    await lake.store.put(source, `${PAYMENTS_CSV}\n`);

    const outcome = await runBronzeObject(cards, source, 'payments.csv', { definition: localDefinition(), now: NOW, wiring: { workers: 0 } });

    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toMatchObject({ name: 'UnknownDatasetError', message: expect.stringContaining('"cards/payments" is not a known dataset') });
    expect(await snapshot(lake.store, lake.layout.buckets.silver, '')).toEqual({});
    expect(await snapshot(lake.store, lake.layout.buckets.quarantine, '')).toEqual({});
  });
});
