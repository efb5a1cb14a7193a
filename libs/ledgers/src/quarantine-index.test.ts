import { createHash } from 'node:crypto';
import { createLakeLayout, localBuckets, MemoryObjectStore, type ObjectStore } from '@ledgerlake/storage';
import {
  indexMonthsToRead,
  loadQuarantineHashes,
  writeQuarantineIndex,
} from './quarantine-index';

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const layout = createLakeLayout(localBuckets());

/** Counts the objects read, to check look-ups stay within the touched months. */
function countingStore(store: MemoryObjectStore): { store: ObjectStore; read: string[] } {
  const read: string[] = [];
  const counting = Object.create(store) as ObjectStore;
  counting.getStream = async (ref, range) => {
    read.push(ref.key);
    return store.getStream(ref, range);
  };
  return { store: counting, read };
}

describe('quarantine index', () => {
  it('writes one object per month, one hash a line, sorted and de-duplicated', async () => {
    const store = new MemoryObjectStore();
    const refs = await writeQuarantineIndex(store, layout, '20240105T090000Z', new Map([
      ['2024-01', [sha('b'), sha('a'), sha('b')]],
      ['unknown', [sha('c')]],
      ['2024-02', []],
    ]));
    expect(refs.map((r) => r.key)).toEqual([
      'index/quarantine-hashes/month=2024-01/run_id=20240105T090000Z.txt',
      'index/quarantine-hashes/month=unknown/run_id=20240105T090000Z.txt',
    ]);
    const text = Buffer.from(must(await store.getBytes(must(refs[0])))).toString();
    expect(text).toBe(`${[sha('a'), sha('b')].sort().join('\n')}\n`);
  });

  it('loads the hashes of the touched months and of unknown, and reads nothing else', async () => {
    const memory = new MemoryObjectStore();
    await writeQuarantineIndex(memory, layout, '20240105T090000Z', new Map([['2024-01', [sha('jan')]], ['2024-03', [sha('mar')]]]));
    await writeQuarantineIndex(memory, layout, '20240205T090000Z', new Map([['2024-01', [sha('jan2')]], ['unknown', [sha('bad-ts')]]]));
    const { store, read } = countingStore(memory);
    const hashes = await loadQuarantineHashes(store, layout, ['2024-01']);
    expect(hashes).toEqual(new Set([sha('jan'), sha('jan2'), sha('bad-ts')]));
    expect(read.every((key) => key.includes('month=2024-01/') || key.includes('month=unknown/'))).toBe(true);
  });

  it('leaves out the runs it is told to exclude', async () => {
    const store = new MemoryObjectStore();
    await writeQuarantineIndex(store, layout, '20240105T090000Z', new Map([['2024-01', [sha('mine')]]]));
    await writeQuarantineIndex(store, layout, '20240205T090000Z', new Map([['2024-01', [sha('theirs')]]]));
    const hashes = await loadQuarantineHashes(store, layout, ['2024-01'], { excludeRunIds: ['20240105T090000Z'] });
    expect(hashes).toEqual(new Set([sha('theirs')]));
  });

  it('finds nothing in an empty index', async () => {
    expect((await loadQuarantineHashes(new MemoryObjectStore(), layout, ['2024-01'])).size).toBe(0);
  });

  it('always reads unknown, each month once', () => {
    expect(indexMonthsToRead(['2024-02', '2024-01', '2024-02'])).toEqual(['2024-01', '2024-02', 'unknown']);
  });

  it('rejects malformed months, run ids and hashes', async () => {
    const store = new MemoryObjectStore();
    await expect(writeQuarantineIndex(store, layout, '20240105T090000Z', new Map([['2024-13', [sha('a')]]]))).rejects.toThrow(/invalid month/);
    await expect(loadQuarantineHashes(store, layout, ['2024-13'])).rejects.toThrow(/invalid month/);
    await expect(writeQuarantineIndex(store, layout, '../x', new Map([['2024-01', [sha('a')]]]))).rejects.toThrow(/invalid run id/);
    await expect(writeQuarantineIndex(store, layout, '20240105T090000Z', new Map([['2024-01', ['XYZ']]]))).rejects.toThrow(/invalid row hash/);
  });
});
