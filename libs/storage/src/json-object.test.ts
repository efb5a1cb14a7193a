import { MemoryObjectStore } from './memory-object-store';
import { z } from 'zod';
import { jsonBody, readVersionedJson } from './json-object';

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
