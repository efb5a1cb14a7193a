import { createHash } from 'node:crypto';
import { StorageError } from '@ledgerlake/domain';
import { MemoryObjectStore } from './memory-object-store';

// The shared behaviour is covered by the ObjectStore contract suite (libs/testing); these are the
// in-memory specifics.
const ref = { bucket: 'bucket', key: 'a/b.json' };

describe('MemoryObjectStore', () => {
  it('uses the quoted MD5 of the content as ETag, like a single-part S3 upload', async () => {
    const store = new MemoryObjectStore();

    const { etag } = await store.put(ref, 'hello');

    expect(etag).toBe(`"${createHash('md5').update('hello').digest('hex')}"`);
  });

  it('keeps content type and metadata, and copy carries them over', async () => {
    const store = new MemoryObjectStore();
    await store.put(ref, '<p>', { contentType: 'text/html', metadata: { run: 'r1' } });

    await store.copy(ref, { bucket: 'bucket', key: 'copy.html' });

    expect(store.optionsOf(ref)).toEqual({ contentType: 'text/html', metadata: { run: 'r1' } });
    expect(store.optionsOf({ bucket: 'bucket', key: 'copy.html' })).toEqual({
      contentType: 'text/html',
      metadata: { run: 'r1' },
    });
    expect(store.optionsOf({ bucket: 'bucket', key: 'missing' })).toBeUndefined();
  });

  it('returns a copy from getBytes: changing it does not change the object', async () => {
    const store = new MemoryObjectStore();
    await store.put(ref, Uint8Array.from([1, 2, 3]));

    const bytes = (await store.getBytes(ref)) as Uint8Array;
    bytes[0] = 9;

    expect(Array.from((await store.getBytes(ref)) as Uint8Array)).toEqual([1, 2, 3]);
  });

  it('streams large objects in 64 KiB chunks', async () => {
    const store = new MemoryObjectStore();
    await store.put(ref, new Uint8Array(200 * 1024));

    const sizes: number[] = [];
    const stream = await store.getStream(ref);
    for await (const chunk of stream ?? []) sizes.push((chunk as Buffer).length);

    expect(sizes).toEqual([65_536, 65_536, 65_536, 8192]);
  });

  it('accepts string chunks from a putStream body', async () => {
    const store = new MemoryObjectStore();
    async function* body() {
      yield 'ab' as unknown as Uint8Array;
      yield Uint8Array.from([0x63]);
    }

    await store.putStream(ref, body());

    expect(Buffer.from((await store.getBytes(ref)) as Uint8Array).toString()).toBe('abc');
  });

  it('lists an unknown bucket as empty', async () => {
    expect(await new MemoryObjectStore().list('never-written', '')).toEqual({ objects: [], prefixes: [] });
  });

  it('refuses keys that would not work in the local lake', async () => {
    const store = new MemoryObjectStore();

    await expect(store.put({ bucket: 'bucket', key: 'a/../b' }, 'x')).rejects.toThrow(StorageError);
    await expect(store.head({ bucket: 'bucket', key: '/abs' })).rejects.toThrow('storage: invalid key "/abs"');
    await expect(store.list('bucket', '../')).rejects.toThrow('invalid list prefix');
  });

  it('refuses a continuation token it did not issue', async () => {
    const store = new MemoryObjectStore();

    await expect(store.list('bucket', '', { token: 'bogus' })).rejects.toThrow('storage: invalid continuation token');
  });
});
