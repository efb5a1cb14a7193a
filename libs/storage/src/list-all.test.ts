import { StorageError } from '@ledgerlake/domain';
import { listAll, listPrefixes } from './list-all';
import { MemoryObjectStore } from './memory-object-store';
import type { ListOptions, ListPage, ObjectStore } from './object-store';

/** A store whose listing pages hold at most `limit` entries, so a few keys span several pages. */
function pagedStore(inner: MemoryObjectStore, limit: number, calls: ListOptions[] = []): ObjectStore {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'list') {
        return (bucket: string, prefix: string, options: ListOptions = {}) => {
          calls.push(options);
          return target.list(bucket, prefix, { ...options, limit });
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('listAll', () => {
  it('yields every object under the prefix across pages, in order', async () => {
    const inner = new MemoryObjectStore();
    const keys = Array.from({ length: 7 }, (_, i) => `p/${i}.txt`);
    for (const key of keys) await inner.put({ bucket: 'bucket', key }, key);
    await inner.put({ bucket: 'bucket', key: 'q/outside.txt' }, 'x');
    const calls: ListOptions[] = [];

    const objects = await collect(listAll(pagedStore(inner, 3, calls), 'bucket', 'p/'));

    expect(objects.map((o) => o.key)).toEqual(keys);
    expect(calls).toHaveLength(3);
    expect(calls[0]?.token).toBeUndefined();
    expect(calls[1]?.token).toEqual(expect.any(String));
  });

  it('yields nothing for an empty prefix', async () => {
    expect(await collect(listAll(new MemoryObjectStore(), 'bucket', 'none/'))).toEqual([]);
  });

  it('stops with a StorageError when an adapter repeats a token instead of looping forever', async () => {
    const stuck: ObjectStore = {
      ...new MemoryObjectStore(),
      list: async (): Promise<ListPage> => ({ objects: [], prefixes: [], nextToken: 'same' }),
    } as unknown as ObjectStore;

    await expect(collect(listAll(stuck, 'bucket', ''))).rejects.toThrow(StorageError);
    await expect(collect(listAll(stuck, 'bucket', ''))).rejects.toThrow('repeated continuation token same');
  });
});

describe('listPrefixes', () => {
  it('collects the common prefixes across pages', async () => {
    const inner = new MemoryObjectStore();
    for (const month of ['01', '02', '03', '04', '05']) {
      await inner.put({ bucket: 'bucket', key: `t/year=2024/month=${month}/part-00000.parquet` }, 'x');
    }
    await inner.put({ bucket: 'bucket', key: 't/year=2024/readme.txt' }, 'x');

    const prefixes = await listPrefixes(pagedStore(inner, 2), 'bucket', 't/year=2024/');

    expect(prefixes).toEqual(['01', '02', '03', '04', '05'].map((m) => `t/year=2024/month=${m}/`));
  });

  it('groups by another delimiter when asked', async () => {
    const inner = new MemoryObjectStore();
    await inner.put({ bucket: 'bucket', key: 'k/a=1/x' }, 'x');
    await inner.put({ bucket: 'bucket', key: 'k/b=2/x' }, 'x');

    expect(await listPrefixes(inner, 'bucket', 'k/', '=')).toEqual(['k/a=', 'k/b=']);
  });
});
