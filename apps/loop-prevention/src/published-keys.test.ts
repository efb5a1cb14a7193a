import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { micros, publish } from '../tests/support/run-fixture';
import { dayOfMillis, FileKeyTable } from './business-keys';
import { markPublishedKeys } from './published-keys';

const layout = createLakeLayout(localBuckets());
const day = (iso: string) => dayOfMillis(Date.parse(iso));

function tableOf(...keys: [number, string][]) {
  const table = new FileKeyTable(keys.length);
  keys.forEach(([id, iso], row) => table.register({ id, day: day(iso), month: iso.slice(0, 7) }, row, row + 2));
  return table;
}

describe('markPublishedKeys', () => {
  it('reads every row group of every published file of the touched months', async () => {
    const store = new MemoryObjectStore();
    const rows = Array.from({ length: 10 }, (_, i) => ({ id: BigInt(i), txDate: micros(`2024-01-${String(i + 1).padStart(2, '0')}T12:00:00Z`) }));
    const ref = layout.silver.runPart({ year: 2024, month: 1 }, '20240110T000000Z', 0);
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'account_id', data: rows.map(() => 'ACC001'), type: 'STRING' },
        { name: 'id', data: BigInt64Array.from(rows.map((r) => r.id)), type: 'INT64' },
        { name: 'tx_date', data: BigInt64Array.from(rows.map((r) => r.txDate / 1000n)), type: 'TIMESTAMP' },
      ],
      rowGroupSize: 3,
    });
    await store.put(ref, new Uint8Array(buffer));
    await store.put(layout.silver.latest({ year: 2024, month: 1 }), JSON.stringify({ files: [ref.key] }));
    const table = tableOf([9, '2024-01-10T00:00:00Z'], [3, '2024-01-05T00:00:00Z'], [4, '2024-01-05T23:00:00Z']);

    const scan = await markPublishedKeys(store, layout, ['2024-01'], table);

    expect(scan).toEqual({ partitions: 1, files: 1, rows: 10, matches: 2, versions: { '2024-01': 0 } });
    expect([0, 1, 2].map((slot) => table.publishedBy(slot))).toEqual(['20240110T000000Z', undefined, '20240110T000000Z']);
  });

  it('credits the run _LATEST.json names when the object key has no run id', async () => {
    const store = new MemoryObjectStore();
    const month = { year: 2024, month: 2 };
    const key = await publish(store, layout, month, '20240201T000000Z', [{ id: 1n, txDate: micros('2024-02-01T00:00:00Z') }]);
    const current = layout.silver.currentObject(month, 'part-00000.parquet');
    await store.copy({ bucket: 'silver', key }, current);
    await store.put(layout.silver.latest(month), JSON.stringify({ run_id: '20240202T000000Z', files: [current.key] }));
    const table = tableOf([1, '2024-02-01T10:00:00Z']);
    await markPublishedKeys(store, layout, ['2024-02'], table);
    expect(table.publishedBy(0)).toBe('20240202T000000Z');
  });

  it('treats a partition without _LATEST.json as having nothing published', async () => {
    const scan = await markPublishedKeys(new MemoryObjectStore(), layout, ['2024-01'], tableOf([1, '2024-01-01T00:00:00Z']));
    expect(scan).toEqual({ partitions: 0, files: 0, rows: 0, matches: 0, versions: { '2024-01': 0 } });
  });

  it('fails loudly on a _LATEST.json that lists a missing object or has no files list', async () => {
    const store = new MemoryObjectStore();
    const month = { year: 2024, month: 1 };
    await store.put(layout.silver.latest(month), JSON.stringify({ files: ['mortgages/transactions/nope.parquet'] }));
    await expect(markPublishedKeys(store, layout, ['2024-01'], tableOf([1, '2024-01-01T00:00:00Z']))).rejects.toThrow(/does not exist/);
    await store.put(layout.silver.latest(month), JSON.stringify({ run_id: 'x' }));
    await expect(markPublishedKeys(store, layout, ['2024-01'], tableOf([1, '2024-01-01T00:00:00Z']))).rejects.toThrow(/has no files list/);
  });
});
