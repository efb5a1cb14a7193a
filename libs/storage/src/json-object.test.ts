import { ObjectConflictError, TransientStorageError } from '@ledgerlake/domain';
import { MemoryObjectStore } from './memory-object-store';
import { z } from 'zod';
import { jsonBody, readVersionedJson, updateJson } from './json-object';
import type { ObjectRef, PutOptions, PutResult } from './object-store';

const Schema = z.object({ n: z.number() });
const ref = { bucket: 'artifacts', key: 'control/x.json' };

describe('readVersionedJson', () => {
  it('reads a JSON object with the ETag to replace it conditionally', async () => {
    const store = new MemoryObjectStore();
    const { etag } = await store.put(ref, jsonBody({ n: 1 }));
    expect(await readVersionedJson(store, ref, Schema, 'thing')).toEqual({ value: { n: 1 }, etag });
  });

  it('is undefined for a missing object', async () => {
    expect(await readVersionedJson(new MemoryObjectStore(), ref, Schema, 'thing')).toBeUndefined();
  });

  it('names the object when it is not JSON or does not match the schema', async () => {
    const store = new MemoryObjectStore();
    await store.put(ref, '{oops');
    await expect(readVersionedJson(store, ref, Schema, 'thing')).rejects.toThrow(/thing artifacts\/control\/x.json is not JSON/);
    await store.put(ref, '{"n":"1"}');
    await expect(readVersionedJson(store, ref, Schema, 'thing')).rejects.toThrow(/thing artifacts\/control\/x.json is malformed/);
  });
});

/** A store where another writer bumps `n` just before each of the first `races` conditional writes. */
class RacedStore extends MemoryObjectStore {
  constructor(private races: number) {
    super();
  }

  override async putIfMatch(target: ObjectRef, body: Uint8Array | string, etag: string, options?: PutOptions): Promise<PutResult> {
    if (this.races > 0) {
      this.races--;
      const current = await readVersionedJson(this, target, Schema, 'thing');
      await this.put(target, jsonBody({ n: (current?.value.n ?? 0) + 100 }));
    }
    return super.putIfMatch(target, body, etag, options);
  }
}

const increment = (current: { n: number } | undefined) => {
  const next = { n: (current?.n ?? 0) + 1 };
  return { write: next, result: next.n };
};

describe('updateJson', () => {
  it('creates a missing object and replaces an existing one, returning what decide said', async () => {
    const store = new MemoryObjectStore();
    expect(await updateJson(store, ref, Schema, 'thing', increment)).toBe(1);
    expect(await updateJson(store, ref, Schema, 'thing', increment)).toBe(2);
    expect((await readVersionedJson(store, ref, Schema, 'thing'))?.value).toEqual({ n: 2 });
  });

  it('writes nothing when decide returns only a result', async () => {
    const store = new MemoryObjectStore();
    expect(await updateJson(store, ref, Schema, 'thing', () => ({ result: 'kept' }))).toBe('kept');
    expect(await store.head(ref)).toBeUndefined();
  });

  it('decides again on what the winner wrote after a lost race, so no change is lost', async () => {
    const store = new RacedStore(2);
    await store.put(ref, jsonBody({ n: 0 }));
    expect(await updateJson(store, ref, Schema, 'thing', increment)).toBe(201);
    expect((await readVersionedJson(store, ref, Schema, 'thing'))?.value).toEqual({ n: 201 });
  });

  it('gives up after the given number of lost races with a retryable error naming the object', async () => {
    const store = new RacedStore(3);
    await store.put(ref, jsonBody({ n: 0 }));
    const error = await updateJson(store, ref, Schema, 'thing', increment, 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientStorageError);
    expect((error as Error).message).toBe('thing artifacts/control/x.json kept changing over 3 attempts to update it');
    expect((error as Error).cause).toBeInstanceOf(ObjectConflictError);
    expect((await readVersionedJson(store, ref, Schema, 'thing'))?.value).toEqual({ n: 300 });
  });

  it('passes on an error decide throws, without retrying', async () => {
    const store = new MemoryObjectStore();
    let calls = 0;
    const refuse = () => {
      calls++;
      throw new RangeError('no');
    };
    await expect(updateJson(store, ref, Schema, 'thing', refuse)).rejects.toThrow(RangeError);
    expect(calls).toBe(1);
  });
});
