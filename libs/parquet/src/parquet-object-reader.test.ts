import { StorageError } from '@ledgerlake/domain';
import { MemoryObjectStore } from '@ledgerlake/storage';
import { ParquetObjectWriter } from './parquet-object-writer';
import { readParquetRowGroups } from './parquet-object-reader';

const ref = { bucket: 'silver', key: 'mortgages/transactions/year=2024/month=01/schema_v=v1/current/r-part-00000.parquet' };

async function readAll(store: MemoryObjectStore): Promise<number> {
  let rows = 0;
  for await (const group of readParquetRowGroups(store, ref, ['n'])) rows += group.rows;
  return rows;
}

describe('readParquetRowGroups', () => {
  it('reads back what the writer wrote', async () => {
    const store = new MemoryObjectStore();
    const writer = new ParquetObjectWriter(store, ref, { columns: [{ name: 'n', kind: 'int64' }] });
    await writer.writeRowGroup([[1n, 2n, 3n]], 3);
    await writer.finish();

    expect(await readAll(store)).toBe(3);
  });

  it('hands raw decimals over as exact bigint minor units, on INT64 and on 16 bytes (negative ones too)', async () => {
    const store = new MemoryObjectStore();
    const values = [0n, 1n, -1n, 9_999_999_999_999_999n, -(10n ** 38n - 1n), 10n ** 38n - 1n, -200_000_000_000_032_598n];
    const writer = new ParquetObjectWriter(store, ref, {
      columns: [
        { name: 'narrow', kind: 'decimal', precision: 18, scale: 2 },
        { name: 'wide', kind: 'decimal', precision: 38, scale: 2 },
      ],
    });
    await writer.writeRowGroup([values.map((v) => (v > -(10n ** 18n) && v < 10n ** 18n ? v : 0n)), values], values.length);
    await writer.finish();

    const groups = [];
    for await (const group of readParquetRowGroups(store, ref, ['narrow', 'wide'], { rawDecimals: true })) groups.push(group);

    expect(groups[0]?.columns.get('wide')).toEqual(values);
    expect(groups[0]?.columns.get('narrow')).toEqual(values.map((v) => (v > -(10n ** 18n) && v < 10n ** 18n ? v : 0n)));
  });

  it('names the object when it is cut short, in one sentence', async () => {
    const store = new MemoryObjectStore();
    const writer = new ParquetObjectWriter(store, ref, { columns: [{ name: 'n', kind: 'int64' }] });
    await writer.writeRowGroup([[1n, 2n, 3n]], 3);
    await writer.finish();
    const whole = (await store.getBytes(ref)) as Uint8Array;
    await store.put(ref, whole.slice(0, whole.length - 10));

    const reading = readAll(store);

    await expect(reading).rejects.toThrow(StorageError);
    await expect(readAll(store)).rejects.toThrow(
      `parquet: silver/${ref.key} is not a readable Parquet object (parquet file invalid (footer != PAR1)): it is damaged or was cut short`,
    );
  });
});
