import { MemoryObjectStore, type ObjectRef, type ObjectStore, type PutResult } from '@ledgerlake/storage';
import { openParquetScratch, type ParquetScratch } from '@ledgerlake/testing';
import type { ColumnValues } from './column-buffer';
import { ParquetObjectWriter, utf8Views } from './parquet-object-writer';
import type { ParquetColumnSpec } from './parquet-schema';

const REF: ObjectRef = { bucket: 'silver', key: 'table/part-00000.parquet' };

const COLUMNS: ParquetColumnSpec[] = [
  { name: 'id', kind: 'int64', encoding: 'delta' },
  { name: 'name', kind: 'string', encoding: 'dictionary' },
  { name: 'amount', kind: 'decimal', precision: 16, scale: 2, encoding: 'delta' },
  { name: 'happened_at', kind: 'timestamp-micros-utc', encoding: 'delta' },
  { name: 'n', kind: 'int32' },
  { name: 'note', kind: 'string', nullable: true, encoding: 'plain' },
];

function group(ids: bigint[], amounts: bigint[], notes: (string | null)[]): ColumnValues[] {
  return [
    BigInt64Array.from(ids),
    ids.map((id) => `acct-${id % 3n}`),
    BigInt64Array.from(amounts),
    BigInt64Array.from(ids.map((id) => 1_704_067_200_000_000n + id * 1_000_001n)),
    Int32Array.from(ids.map((id) => Number(id) * 2)),
    notes,
  ];
}

describe('ParquetObjectWriter', () => {
  let scratch: ParquetScratch;
  beforeEach(async () => {
    scratch = await openParquetScratch();
  });
  afterEach(async () => {
    await scratch.close();
  });

  async function load(store: ObjectStore, ref: ObjectRef = REF): Promise<string> {
    const bytes = await store.getBytes(ref);
    if (!bytes) throw new Error('object missing');
    return scratch.save('file.parquet', bytes);
  }

  it('writes a file DuckDB reads with the declared types', async () => {
    const store = new MemoryObjectStore();
    const writer = new ParquetObjectWriter(store, REF, { columns: COLUMNS });

    await writer.writeRowGroup(group([1n], [100n], ['x']), 1);
    await writer.finish();

    const types = await scratch.describe(`SELECT * FROM read_parquet('${await load(store)}')`);
    expect(types).toEqual({
      id: 'BIGINT',
      name: 'VARCHAR',
      amount: 'DECIMAL(16,2)',
      happened_at: 'TIMESTAMP WITH TIME ZONE',
      n: 'INTEGER',
      note: 'VARCHAR',
    });
  });

  it('round-trips exact values across row groups, extremes and nulls included', async () => {
    const store = new MemoryObjectStore();
    const writer = new ParquetObjectWriter(store, REF, { columns: COLUMNS, chunkBytes: 64 });

    await writer.writeRowGroup(group([1n, 2n], [9_999_999_999_999_999n, -9_999_999_999_999_999n], ['plain', null]), 2);
    await writer.writeRowGroup(group([3n, 4n], [1n, -2550n], ['zoë 🚀', 'x'.repeat(300)]), 2);
    const written = await writer.finish();

    const path = await load(store);
    const rows = await scratch.query(
      `SELECT id, name, amount::VARCHAR AS amount, strftime(happened_at, '%Y-%m-%dT%H:%M:%S.%f') AS happened_at, n, note
       FROM read_parquet('${path}') ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: '1', name: 'acct-1', amount: '99999999999999.99', happened_at: '2024-01-01T00:00:01.000001', n: 2, note: 'plain' },
      { id: '2', name: 'acct-2', amount: '-99999999999999.99', happened_at: '2024-01-01T00:00:02.000002', n: 4, note: null },
      { id: '3', name: 'acct-0', amount: '0.01', happened_at: '2024-01-01T00:00:03.000003', n: 6, note: 'zoë 🚀' },
      { id: '4', name: 'acct-1', amount: '-25.50', happened_at: '2024-01-01T00:00:04.000004', n: 8, note: 'x'.repeat(300) },
    ]);
    const [sums] = await scratch.query(`SELECT sum(amount)::VARCHAR AS total FROM read_parquet('${path}')`);
    expect(sums).toEqual({ total: '-25.49' });
    expect(written).toMatchObject({ ref: REF, rows: 4, rowGroups: 2 });
    expect(written.bytes).toBe((await store.getBytes(REF))?.length);
    const groups = await scratch.query(`SELECT DISTINCT row_group_id FROM parquet_metadata('${path}')`);
    expect(groups).toHaveLength(2);
  });

  it('stores nothing until finished', async () => {
    const store = new MemoryObjectStore();
    const writer = new ParquetObjectWriter(store, REF, { columns: COLUMNS, chunkBytes: 16 });

    await writer.writeRowGroup(group([1n], [1n], [null]), 1);

    expect(await store.head(REF)).toBeUndefined();
    await writer.finish();
    expect(await store.head(REF)).toBeDefined();
  });

  it('stores nothing when aborted', async () => {
    const store = new MemoryObjectStore();
    const writer = new ParquetObjectWriter(store, REF, { columns: COLUMNS });
    await writer.writeRowGroup(group([1n], [1n], [null]), 1);

    await writer.abort(new Error('stop'));

    expect(await store.head(REF)).toBeUndefined();
    await expect(writer.finish()).rejects.toThrow('is already aborted');
  });

  it('passes an upload failure on to the writer', async () => {
    const store = new MemoryObjectStore();
    const failing: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      putStream: async (_ref: ObjectRef, body: AsyncIterable<Uint8Array>): Promise<PutResult> => {
        for await (const _chunk of body) throw new Error('S3 is down');
        throw new Error('unreachable');
      },
    });
    const writer = new ParquetObjectWriter(failing, REF, { columns: COLUMNS, chunkBytes: 16 });

    await expect(writer.writeRowGroup(group([1n, 2n], [1n, 2n], [null, null]), 2)).rejects.toThrow('S3 is down');
  });

  it('uses the given compressor for every page', async () => {
    const store = new MemoryObjectStore();
    let calls = 0;
    const writer = new ParquetObjectWriter(store, REF, {
      columns: COLUMNS,
      // Snappy's literal-only encoding: length varint + one literal tag + bytes (inputs < 60 bytes).
      compressor: (input) => {
        calls += 1;
        if (input.length >= 60) throw new Error('test compressor handles short pages only');
        return Uint8Array.of(input.length, (input.length - 1) << 2, ...input);
      },
    });

    await writer.writeRowGroup(group([1n], [5n], ['a']), 1);
    await writer.finish();

    expect(calls).toBeGreaterThanOrEqual(COLUMNS.length);
    const rows = await scratch.query(`SELECT amount::VARCHAR AS amount FROM read_parquet('${await load(store)}')`);
    expect(rows).toEqual([{ amount: '0.05' }]);
  });

  it('refuses value arrays that do not match the columns', async () => {
    const writer = new ParquetObjectWriter(new MemoryObjectStore(), REF, { columns: COLUMNS });

    await expect(writer.writeRowGroup(group([1n], [1n], [null]).slice(1), 1)).rejects.toThrow('5 value arrays for 6 columns');
    await expect(writer.writeRowGroup(group([1n], [1n], [null]), 2)).rejects.toThrow('column id has 1 values, expected 2');
  });

  it('refuses delta encoding on a string column', () => {
    expect(
      () => new ParquetObjectWriter(new MemoryObjectStore(), REF, { columns: [{ name: 's', kind: 'string', encoding: 'delta' }] }),
    ).toThrow('delta encoding needs an integer column');
  });
});

describe('utf8Views', () => {
  it('encodes each string as a view of one shared buffer', () => {
    const views = utf8Views(['ab', null, 'é€', '']);

    expect(views.map((view) => (view === null ? null : Buffer.from(view).toString('utf8')))).toEqual(['ab', null, 'é€', '']);
    expect(views[0]?.buffer).toBe(views[2]?.buffer);
  });

  it('refuses a non-string value', () => {
    expect(() => utf8Views([1n])).toThrow('parquet: expected a string, got bigint');
  });
});
