import { Readable } from 'node:stream';
import { MemoryObjectStore, type ObjectRef } from '@ledgerlake/storage';
import { FencedWriteError, WriteFence } from './write-fence';

const ref = (key: string): ObjectRef => ({ bucket: 'artifacts', key });

describe('WriteFence', () => {
  it('lets every write through until it closes, then refuses them all; reads still work', async () => {
    const store = new MemoryObjectStore();
    const fence = new WriteFence();
    const fenced = fence.wrap(store);
    await fenced.put(ref('work/a/one'), 'one');

    await fence.close('run R was interrupted by SIGINT');

    await expect(fenced.put(ref('work/a/two'), 'two')).rejects.toThrow(FencedWriteError);
    await expect(fenced.putIfAbsent(ref('ledger/x.json'), '{}')).rejects.toThrow('cli: run R was interrupted by SIGINT: the run may write nothing more (artifacts/ledger/x.json)');
    await expect(fenced.putIfMatch(ref('work/a/one'), 'x', '"etag"')).rejects.toThrow(FencedWriteError);
    await expect(fenced.copy(ref('work/a/one'), ref('work/a/copy'))).rejects.toThrow(FencedWriteError);
    await expect(fenced.delete(ref('work/a/one'))).rejects.toThrow(FencedWriteError);
    await expect(fenced.putStream(ref('work/a/three'), Readable.from([Buffer.from('3')]))).rejects.toThrow(FencedWriteError);
    expect(Buffer.from((await fenced.getBytes(ref('work/a/one'))) ?? []).toString()).toBe('one');
    expect((await store.list('artifacts', '')).objects.map((object) => object.key)).toEqual(['work/a/one']);
  });

  it('waits for the writes under way before it resolves', async () => {
    const store = new MemoryObjectStore();
    let finish: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    const put = store.put.bind(store);
    store.put = async (...args) => {
      await slow;
      return put(...args);
    };
    const fence = new WriteFence();
    const fenced = fence.wrap(store);
    const writing = fenced.put(ref('work/a/late'), 'late');

    let closed = false;
    const closing = fence.close('interrupted').then(() => (closed = true));
    await new Promise((settle) => setTimeout(settle, 10));
    expect(closed).toBe(false);
    finish();
    await closing;

    await expect(writing).resolves.toBeDefined();
    expect(closed).toBe(true);
    expect(await store.head(ref('work/a/late'))).toBeDefined();
  });

  it('fails a stream being written at its next chunk once closed, so the object never appears', async () => {
    const store = new MemoryObjectStore();
    const fence = new WriteFence();
    const fenced = fence.wrap(store);
    let second: () => void = () => undefined;
    const secondChunk = new Promise<void>((resolve) => (second = resolve));
    async function* body(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('first ');
      await secondChunk;
      yield Buffer.from('second');
    }

    const writing = fenced.putStream(ref('work/a/part'), body());
    const closing = fence.close('interrupted');
    second();

    await expect(writing).rejects.toThrow(FencedWriteError);
    await closing;
    expect(await store.head(ref('work/a/part'))).toBeUndefined();
  });
});
