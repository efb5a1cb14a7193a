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
