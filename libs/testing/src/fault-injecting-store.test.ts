import { StorageError } from '@ledgerlake/domain';
import { MemoryObjectStore } from '@ledgerlake/storage';
import { crashAtKey, crashAtMutation, diskFull, FaultInjectingStore, SimulatedCrash } from './fault-injecting-store';

const ref = (key: string) => ({ bucket: 'lake', key });

describe('FaultInjectingStore', () => {
  it('counts writes only, and passes every call through when the rule says nothing', async () => {
    const store = new FaultInjectingStore(new MemoryObjectStore());
    await store.put(ref('a'), 'x');
    await store.getBytes(ref('a'));
    await store.putIfAbsent(ref('b'), 'y');
    await store.copy(ref('a'), ref('c'));
    await store.delete(ref('b'));

    expect(store.mutations).toBe(4);
    expect(Buffer.from((await store.getBytes(ref('c'))) ?? []).toString()).toBe('x');
  });

  it('crashes at the n-th write: that write does not happen and every later call fails, reads included', async () => {
    const inner = new MemoryObjectStore();
    const store = new FaultInjectingStore(inner, crashAtMutation(2));
    await store.put(ref('a'), 'x');

    await expect(store.put(ref('b'), 'y')).rejects.toThrow(SimulatedCrash);
    await expect(store.getBytes(ref('a'))).rejects.toThrow(SimulatedCrash);
    await expect(store.put(ref('c'), 'z')).rejects.toThrow(SimulatedCrash);
    expect(await inner.head(ref('b'))).toBeUndefined();
    expect(store.crash).toEqual({ op: 'put', bucket: 'lake', key: 'b', mutation: 2 });
  });

  it('crashes at the nth write of a matching key, and fails chosen calls with the rule\'s own error', async () => {
    const store = new FaultInjectingStore(new MemoryObjectStore(), crashAtKey(/^log\//, 2));
    await store.put(ref('log/1'), '');
    await store.put(ref('data'), '');
    await expect(store.put(ref('log/2'), '')).rejects.toThrow(SimulatedCrash);

    const full = new FaultInjectingStore(new MemoryObjectStore(), (call) => (call.mutation > 0 ? diskFull(call.key) : undefined));
    await expect(full.put(ref('k'), 'x')).rejects.toThrow(StorageError);
    await expect(full.put(ref('k'), 'x')).rejects.toThrow(/ENOSPC/);
    expect(await full.head(ref('k'))).toBeUndefined();
  });

  it('drains a stream it refuses, so its producer does not wait for ever', async () => {
    const store = new FaultInjectingStore(new MemoryObjectStore(), () => 'crash');
    let pulled = 0;
    async function* body() {
      for (let i = 0; i < 3; i++) {
        pulled++;
        yield new Uint8Array([i]);
      }
    }

    await expect(store.putStream(ref('s'), body())).rejects.toThrow(SimulatedCrash);
    expect(pulled).toBe(3);
  });
});
