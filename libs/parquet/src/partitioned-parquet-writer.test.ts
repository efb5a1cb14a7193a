import { MemoryObjectStore, type ObjectRef, type ObjectStore, type PutOptions, type PutResult } from '@ledgerlake/storage';
import { openParquetScratch, type ParquetScratch } from '@ledgerlake/testing';
import type { ParquetValue } from './column-buffer';
import type { ParquetColumnSpec } from './parquet-schema';
import { PartitionedParquetWriter, type ParquetBufferLimits } from './partitioned-parquet-writer';

const COLUMNS: ParquetColumnSpec[] = [
  { name: 'id', kind: 'int64', encoding: 'delta' },
  { name: 'label', kind: 'string' },
  { name: 'run_id', kind: 'string', encoding: 'dictionary' },
];

const LIMITS: ParquetBufferLimits = { rowGroupRows: 4, maxBufferedRows: 8, maxOpenFiles: 2, maxRowsPerFile: 8 };

const partRef = (partition: string, part: number): ObjectRef => ({
  bucket: 'silver',
  key: `t/p=${partition}/part-${String(part).padStart(5, '0')}.parquet`,
});

/** A memory store that tracks how many streamed uploads are in flight at once. */
class CountingStore extends MemoryObjectStore {
  open = 0;
  maxOpen = 0;
  override async putStream(
    ref: ObjectRef,
    body: AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<PutResult> {
    this.open += 1;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    try {
      return await super.putStream(ref, body, options);
    } finally {
      this.open -= 1;
    }
  }
}

async function appendAll(writer: PartitionedParquetWriter, rows: [string, ParquetValue[]][]): Promise<number> {
  let maxBuffered = 0;
  for (const [partition, values] of rows) {
    const pending = writer.append(partition, values);
    if (pending) await pending;
    maxBuffered = Math.max(maxBuffered, writer.bufferedRows);
  }
  return maxBuffered;
}

describe('PartitionedParquetWriter', () => {
  let scratch: ParquetScratch;
  beforeEach(async () => {
    scratch = await openParquetScratch();
  });
  afterEach(async () => {
    await scratch.close();
  });

  async function readAll(store: ObjectStore, refs: readonly ObjectRef[]): Promise<Record<string, unknown>[]> {
    const paths = await Promise.all(
      refs.map(async (ref, i) => scratch.save(`f${i}.parquet`, (await store.getBytes(ref)) as Uint8Array)),
    );
    const list = paths.map((path) => `'${path}'`).join(', ');
    return scratch.query(`SELECT id, label, run_id FROM read_parquet([${list}]) ORDER BY id`);
  }

  it('writes each row to its partition, filling constant columns', async () => {
    const store = new MemoryObjectStore();
    const writer = new PartitionedParquetWriter(store, {
      columns: COLUMNS,
      constants: { run_id: 'R1' },
      partRef,
      limits: LIMITS,
    });

    await appendAll(writer, [
      ['a', [1n, 'one']],
      ['b', [2n, 'two']],
      ['a', [3n, 'three']],
    ]);
    const written = await writer.finish();

    expect(written.map((p) => [p.partition, p.rows, p.files.map((f) => f.ref.key)])).toEqual([
      ['a', 2, ['t/p=a/part-00000.parquet']],
      ['b', 1, ['t/p=b/part-00000.parquet']],
    ]);
    expect(await readAll(store, written[0]?.files.map((f) => f.ref) ?? [])).toEqual([
      { id: '1', label: 'one', run_id: 'R1' },
      { id: '3', label: 'three', run_id: 'R1' },
    ]);
  });

  it('cuts row groups at rowGroupRows and rolls a new part at maxRowsPerFile', async () => {
    const store = new MemoryObjectStore();
    const writer = new PartitionedParquetWriter(store, { columns: COLUMNS, constants: { run_id: 'R' }, partRef, limits: LIMITS });

    await appendAll(
      writer,
      Array.from({ length: 18 }, (_, i): [string, ParquetValue[]] => ['a', [BigInt(i), `r${i}`]]),
    );
    const [a] = await writer.finish();

    expect(a?.files.map((f) => [f.ref.key, f.rows, f.rowGroups])).toEqual([
      ['t/p=a/part-00000.parquet', 8, 2],
      ['t/p=a/part-00001.parquet', 8, 2],
      ['t/p=a/part-00002.parquet', 2, 1],
    ]);
    expect(await readAll(store, a?.files.map((f) => f.ref) ?? [])).toHaveLength(18);
  });

  it('bounds buffered rows and open files when many partitions interleave', async () => {
    const store = new CountingStore();
    const writer = new PartitionedParquetWriter(store, { columns: COLUMNS, constants: { run_id: 'R' }, partRef, limits: LIMITS });
    const rows = Array.from({ length: 300 }, (_, i): [string, ParquetValue[]] => [`m${i % 12}`, [BigInt(i), `r${i}`]]);

    const maxBuffered = await appendAll(writer, rows);
    const written = await writer.finish();

    expect(maxBuffered).toBeLessThanOrEqual(LIMITS.maxBufferedRows);
    expect(store.maxOpen).toBeLessThanOrEqual(LIMITS.maxOpenFiles);
    expect(written).toHaveLength(12);
    const all = await readAll(store, written.flatMap((p) => p.files.map((f) => f.ref)));
    expect(all.map((row) => Number(row['id']))).toEqual(rows.map((_, i) => i));
    for (const partition of written) expect(partition.rows).toBe(25);
  });

  it('asks before opening the first part of each partition, and stops on refusal', async () => {
    const store = new MemoryObjectStore();
    const asked: string[] = [];
    const writer = new PartitionedParquetWriter(store, {
      columns: COLUMNS,
      constants: { run_id: 'R' },
      partRef,
      limits: { ...LIMITS, rowGroupRows: 1, maxBufferedRows: 1 },
      beforeFirstPart: async (partition) => {
        asked.push(partition);
        if (partition === 'sealed') throw new Error('sealed folder');
      },
    });

    await appendAll(writer, [
      ['a', [1n, 'x']],
      ['a', [2n, 'y']],
    ]);
    await expect(appendAll(writer, [['sealed', [3n, 'z']]])).rejects.toThrow('sealed folder');

    expect(asked).toEqual(['a', 'sealed']);
    expect(() => writer.append('a', [4n, 'w'])).toThrow('writer failed earlier');
    expect((await store.list('silver', 't/')).objects).toHaveLength(0);
  });

  it('writes nothing for a partition that got no rows, and nothing at all without rows', async () => {
    const store = new MemoryObjectStore();
    const writer = new PartitionedParquetWriter(store, { columns: COLUMNS, constants: { run_id: 'R' }, partRef, limits: LIMITS });

    expect(await writer.finish()).toEqual([]);
    expect((await store.list('silver', '')).objects).toHaveLength(0);
  });

  it.each([
    [{ ...LIMITS, rowGroupRows: 0 }, 'limit rowGroupRows must be a positive integer'],
    [{ ...LIMITS, maxBufferedRows: 3 }, 'maxBufferedRows 3 must be at least rowGroupRows 4'],
  ])('rejects bad limits %p', (limits, message) => {
    expect(() => new PartitionedParquetWriter(new MemoryObjectStore(), { columns: COLUMNS, partRef, limits })).toThrow(message);
  });

  it('rejects a constant for an unknown column', () => {
    expect(
      () => new PartitionedParquetWriter(new MemoryObjectStore(), { columns: COLUMNS, constants: { nope: 1 }, partRef, limits: LIMITS }),
    ).toThrow('constant for unknown column nope');
  });
});
