import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectConflictError, StorageError } from '@ledgerlake/domain';
import type { ListPage, ObjectRef, ObjectStore } from '@ledgerlake/storage';

/** What the contract runs against: an adapter and an empty bucket it may fill; `cleanup` runs after each test. */
export interface ObjectStoreContractSubject {
  readonly store: ObjectStore;
  readonly bucket: string;
  readonly cleanup?: () => Promise<void>;
}

const MiB = 1024 * 1024;
const SLOW_MS = 60_000;
const CONCURRENT_WRITERS = 8;

/** Deterministic pseudo-random bytes in chunks, generated lazily (xorshift32). */
async function* generatedBytes(total: number, chunkSize = 64 * 1024, seed = 0x9e3779b9): AsyncGenerator<Uint8Array> {
  let state = seed >>> 0;
  for (let offset = 0; offset < total; offset += chunkSize) {
    const chunk = new Uint8Array(Math.min(chunkSize, total - offset));
    for (let i = 0; i < chunk.length; i += 1) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      chunk[i] = state & 0xff;
    }
    yield chunk;
  }
}

async function sha256Of(source: AsyncIterable<Uint8Array | string>): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    hash.update(bytes);
    size += bytes.length;
  }
  return { hash: hash.digest('hex'), size };
}

async function readAll(stream: Readable | undefined): Promise<Buffer> {
  if (stream === undefined) throw new Error('contract: expected a stream, got undefined');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Runs `tasks` with at most `width` in flight. */
async function inPool(width: number, tasks: readonly (() => Promise<unknown>)[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next] as () => Promise<unknown>;
      next += 1;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
}

/**
 * The one test suite every `ObjectStore` adapter must pass (memory, filesystem, S3). `setup` runs
 * before each test and must hand over an empty bucket; `cleanup`, if given, runs after it.
 */
export function describeObjectStoreContract(
  name: string,
  setup: () => Promise<ObjectStoreContractSubject>,
): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let subject: ObjectStoreContractSubject | undefined;
    let store: ObjectStore;
    let bucket: string;
    const ref = (key: string): ObjectRef => ({ bucket, key });

    beforeEach(async () => {
      subject = await setup();
      store = subject.store;
      bucket = subject.bucket;
    });

    afterEach(async () => {
      await subject?.cleanup?.();
      subject = undefined;
    });

    describe('missing objects', () => {
      it('head of a missing key is undefined', async () => {
        expect(await store.head(ref('missing/object.json'))).toBeUndefined();
      });

      it('getBytes and getStream of a missing key are undefined', async () => {
        expect(await store.getBytes(ref('missing/object.json'))).toBeUndefined();
        expect(await store.getStream(ref('missing/object.json'))).toBeUndefined();
      });
    });

    describe('put and get', () => {
      it('round-trips bytes, and head reports their size and the ETag put returned', async () => {
        const body = Uint8Array.from([1, 2, 3, 4, 5]);

        const result = await store.put(ref('a/bytes.bin'), body);

        expect(Buffer.from((await store.getBytes(ref('a/bytes.bin'))) ?? [])).toEqual(Buffer.from(body));
        const meta = await store.head(ref('a/bytes.bin'));
        expect(meta).toMatchObject({ key: 'a/bytes.bin', size: 5, etag: result.etag });
        expect(result.etag).toMatch(/^".+"$/);
        expect(meta?.lastModified).toBeInstanceOf(Date);
        expect(Math.abs((meta?.lastModified.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
      });

      it('stores a string as UTF-8', async () => {
        const body = 'Zürich € 😀 naïve';

        await store.put(ref('a/text.txt'), body);

        expect(text(await store.getBytes(ref('a/text.txt')))).toBe(body);
        expect((await store.head(ref('a/text.txt')))?.size).toBe(Buffer.byteLength(body, 'utf8'));
      });

      it('round-trips every byte value through getBytes and getStream', async () => {
        const body = Buffer.alloc(256 * 4);
        for (let i = 0; i < body.length; i += 1) body[i] = i % 256;

        await store.put(ref('a/all-bytes.bin'), body);

        expect(Buffer.from((await store.getBytes(ref('a/all-bytes.bin'))) ?? [])).toEqual(body);
        expect(await readAll(await store.getStream(ref('a/all-bytes.bin')))).toEqual(body);
      });

      it('round-trips an empty object', async () => {
        await store.put(ref('a/empty'), new Uint8Array(0));

        expect((await store.head(ref('a/empty')))?.size).toBe(0);
        expect(Buffer.from((await store.getBytes(ref('a/empty'))) ?? [1]).length).toBe(0);
        expect((await readAll(await store.getStream(ref('a/empty')))).length).toBe(0);
      });

      it('round-trips keys with spaces and non-ASCII characters', async () => {
        const key = 'odd keys/ä ö/file name ✓ 😀.csv';

        await store.put(ref(key), 'odd');

        expect(text(await store.getBytes(ref(key)))).toBe('odd');
        expect((await store.head(ref(key)))?.key).toBe(key);
      });

      it('keeps a copy: changing the written array afterwards does not change the object', async () => {
        const body = Uint8Array.from([7, 7, 7]);
        await store.put(ref('a/copy.bin'), body);

        body[0] = 0;

        expect(Array.from((await store.getBytes(ref('a/copy.bin'))) ?? [])).toEqual([7, 7, 7]);
      });
    });

    describe('putStream', () => {
      it(
        'round-trips a multi-MB Readable',
        async () => {
          const size = 6 * MiB + 12_345;
          const expected = await sha256Of(generatedBytes(size));

          const result = await store.putStream(ref('stream/readable.bin'), Readable.from(generatedBytes(size)));

          expect(await store.head(ref('stream/readable.bin'))).toMatchObject({ size, etag: result.etag });
          const stream = await store.getStream(ref('stream/readable.bin'));
          expect(stream).toBeDefined();
          expect(await sha256Of(stream as Readable)).toEqual(expected);
        },
        SLOW_MS,
      );

      it(
        'round-trips an async iterable of Uint8Array',
        async () => {
          const size = 2 * MiB + 7;
          const expected = await sha256Of(generatedBytes(size, 10_000, 42));

          await store.putStream(ref('stream/iterable.bin'), generatedBytes(size, 10_000, 42));

          expect(await sha256Of(Readable.from([(await store.getBytes(ref('stream/iterable.bin'))) ?? []]))).toEqual(
            expected,
          );
        },
        SLOW_MS,
      );
    });

    describe('byte ranges', () => {
      const body = 'abcdefghijklmnopqrstuvwxyz';
      beforeEach(async () => {
        await store.put(ref('range/letters.txt'), body);
      });

      it('start only reads to the end', async () => {
        const got = await readAll(await store.getStream(ref('range/letters.txt'), { start: 20 }));
        expect(got.toString()).toBe('uvwxyz');
      });

      it('start and end read the inclusive range', async () => {
        const got = await readAll(await store.getStream(ref('range/letters.txt'), { start: 2, end: 5 }));
        expect(got.toString()).toBe('cdef');
      });

      it('start equal to end reads one byte', async () => {
        const got = await readAll(await store.getStream(ref('range/letters.txt'), { start: 25, end: 25 }));
        expect(got.toString()).toBe('z');
      });

      it('an end past the last byte is clamped to it', async () => {
        const got = await readAll(await store.getStream(ref('range/letters.txt'), { start: 24, end: 1000 }));
        expect(got.toString()).toBe('yz');
      });

      it('a start past the last byte is a StorageError', async () => {
        await expect(store.getStream(ref('range/letters.txt'), { start: 26 })).rejects.toBeInstanceOf(StorageError);
      });
    });

    describe('list', () => {
      it('lists only keys under the prefix, with the size and ETag head reports', async () => {
        await store.put(ref('l/a/1.txt'), 'one');
        await store.put(ref('l/a/2.txt'), 'twotwo');
        await store.put(ref('l/ab.txt'), 'x');
        await store.put(ref('other/1.txt'), 'x');

        const page = await store.list(bucket, 'l/a/');

        expect(page.objects.map((o) => o.key)).toEqual(['l/a/1.txt', 'l/a/2.txt']);
        expect(page.objects[1]).toMatchObject({ size: 6, etag: (await store.head(ref('l/a/2.txt')))?.etag });
        expect(page.prefixes).toEqual([]);
        expect(page.nextToken).toBeUndefined();
      });

      it('a prefix may end inside a path segment', async () => {
        await store.put(ref('l/ab.txt'), 'x');
        await store.put(ref('l/abc/d.txt'), 'x');
        await store.put(ref('l/b.txt'), 'x');

        const page = await store.list(bucket, 'l/ab');

        expect(page.objects.map((o) => o.key)).toEqual(['l/ab.txt', 'l/abc/d.txt']);
      });

      it('lists nothing, without a token, when no key matches', async () => {
        await store.put(ref('l/a.txt'), 'x');

        const page = await store.list(bucket, 'nothing/');

        expect(page).toEqual({ objects: [], prefixes: [] });
      });

      it('returns keys in UTF-8 byte order, not UTF-16 order', async () => {
        // Byte order: 'A' 41 < 'a b' 61 20 < 'a-c' 61 2D < 'a/b' 61 2F < 'a0' 61 30 < 'ä' C3 A4
        // < U+FF5A EF BD 9A < U+1F600 F0 9F 98 80 (UTF-16 would put the emoji's surrogates first).
        const expected = ['A', 'a b', 'a-c', 'a/b', 'a0', 'ä', '\uFF5A', '😀'].map((k) => `order/${k}`);
        for (const key of [...expected].reverse()) await store.put(ref(key), key);

        const page = await store.list(bucket, 'order/');

        expect(page.objects.map((o) => o.key)).toEqual(expected);
      });

      it(
        'pages 2500 keys as 1000 + 1000 + 500 with tokens, every key once, in byte order',
        async () => {
          const keys = Array.from({ length: 2500 }, (_, i) => {
            const odd = ['', ' space', '-ü', '😀', '\uFF5A'][i % 5] as string;
            return `many/${String(i % 37).padStart(2, '0')}/key${odd} ${i}.txt`;
          });
          await inPool(
            16,
            keys.map((key) => () => store.put(ref(key), 'x')),
          );

          const pages: ListPage[] = [];
          let token: string | undefined;
          do {
            const page = await store.list(bucket, 'many/', { limit: 1000, ...(token ? { token } : {}) });
            pages.push(page);
            token = page.nextToken;
          } while (token !== undefined && pages.length < 10);

          expect(pages.map((p) => p.objects.length)).toEqual([1000, 1000, 500]);
          expect(pages[0]?.nextToken).toEqual(expect.any(String));
          expect(pages[2]?.nextToken).toBeUndefined();
          const listed = pages.flatMap((p) => p.objects.map((o) => o.key));
          expect(listed).toEqual([...keys].sort(byteOrder));
          expect((await store.list(bucket, 'many/')).objects).toHaveLength(1000);
          expect((await store.list(bucket, 'many/', { limit: 5000 })).objects).toHaveLength(1000);
        },
        SLOW_MS,
      );

      it('groups keys by a delimiter into common prefixes', async () => {
        for (const key of ['d/x/1', 'd/x/2', 'd/y/deep/1', 'd/top.txt', 'd/z', 'e/1']) await store.put(ref(key), 'x');

        const page = await store.list(bucket, 'd/', { delimiter: '/' });

        expect(page.objects.map((o) => o.key)).toEqual(['d/top.txt', 'd/z']);
        expect(page.prefixes).toEqual(['d/x/', 'd/y/']);
        expect(page.nextToken).toBeUndefined();
      });

      it('groups with a delimiter after a partial prefix', async () => {
        for (const key of ['p/year=2024/month=01/a', 'p/year=2024/month=02/a', 'p/year=2025/month=01/a']) {
          await store.put(ref(key), 'x');
        }

        const page = await store.list(bucket, 'p/year=2024/m', { delimiter: '/' });

        expect(page.prefixes).toEqual(['p/year=2024/month=01/', 'p/year=2024/month=02/']);
        expect(page.objects).toEqual([]);
      });

      it('counts objects and common prefixes together in a page and pages across both', async () => {
        for (const key of ['d/x/1', 'd/x/2', 'd/y/1', 'd/top.txt', 'd/z']) await store.put(ref(key), 'x');

        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await store.list(bucket, 'd/', { delimiter: '/', limit: 1, ...(token ? { token } : {}) });
          expect(page.objects.length + page.prefixes.length).toBe(1);
          seen.push(...page.objects.map((o) => o.key), ...page.prefixes);
          token = page.nextToken;
          pages += 1;
        } while (token !== undefined && pages < 10);

        expect(seen).toEqual(['d/top.txt', 'd/x/', 'd/y/', 'd/z']);
      });
    });

    describe('copy', () => {
      it('copies the bytes to another key and leaves the source as it was', async () => {
        const source = await store.put(ref('c/source.bin'), 'payload');

        const result = await store.copy(ref('c/source.bin'), ref('c/target/copy.bin'));

        expect(text(await store.getBytes(ref('c/target/copy.bin')))).toBe('payload');
        expect((await store.head(ref('c/target/copy.bin')))?.etag).toBe(result.etag);
        expect((await store.head(ref('c/source.bin')))?.etag).toBe(source.etag);
        expect(text(await store.getBytes(ref('c/source.bin')))).toBe('payload');
      });

      it('replaces an existing target', async () => {
        await store.put(ref('c/source.bin'), 'new');
        await store.put(ref('c/target.bin'), 'old');

        await store.copy(ref('c/source.bin'), ref('c/target.bin'));

        expect(text(await store.getBytes(ref('c/target.bin')))).toBe('new');
      });

      it('copying a missing source is a StorageError', async () => {
        await expect(store.copy(ref('c/missing.bin'), ref('c/target.bin'))).rejects.toBeInstanceOf(StorageError);
        expect(await store.head(ref('c/target.bin'))).toBeUndefined();
      });
    });

    describe('delete', () => {
      it('removes the object from head, get and list', async () => {
        await store.put(ref('del/gone.txt'), 'x');

        await store.delete(ref('del/gone.txt'));

        expect(await store.head(ref('del/gone.txt'))).toBeUndefined();
        expect(await store.getBytes(ref('del/gone.txt'))).toBeUndefined();
        expect((await store.list(bucket, 'del/')).objects).toEqual([]);
      });

      it('is idempotent: deleting a missing or already deleted key succeeds', async () => {
        await store.put(ref('del/twice.txt'), 'x');

        await store.delete(ref('del/twice.txt'));
        await store.delete(ref('del/twice.txt'));
        await store.delete(ref('del/never/existed.txt'));

        expect(await store.head(ref('del/twice.txt'))).toBeUndefined();
      });

      it('leaves other keys, including keys it is a prefix of, alone', async () => {
        await store.put(ref('del/a'), 'a');
        await store.put(ref('del/a.txt'), 'a.txt');
        await store.put(ref('del/b/c'), 'c');

        await store.delete(ref('del/a'));

        expect((await store.list(bucket, 'del/')).objects.map((o) => o.key)).toEqual(['del/a.txt', 'del/b/c']);
      });
    });

    describe('overwrite', () => {
      it('replaces the content and changes the ETag', async () => {
        const first = await store.put(ref('o/obj.txt'), 'first');

        const second = await store.put(ref('o/obj.txt'), 'second version');

        expect(second.etag).not.toBe(first.etag);
        expect(text(await store.getBytes(ref('o/obj.txt')))).toBe('second version');
        expect(await store.head(ref('o/obj.txt'))).toMatchObject({ etag: second.etag, size: 14 });
      });
    });

    describe('putIfAbsent', () => {
      it('creates a missing object and returns its ETag', async () => {
        const result = await store.putIfAbsent(ref('cas/new.json'), '{"n":1}');

        expect((await store.head(ref('cas/new.json')))?.etag).toBe(result.etag);
        expect(text(await store.getBytes(ref('cas/new.json')))).toBe('{"n":1}');
      });

      it("on an existing key throws ObjectConflictError('exists') and leaves the content unchanged", async () => {
        const original = await store.put(ref('cas/taken.json'), 'original');

        const attempt = store.putIfAbsent(ref('cas/taken.json'), 'intruder');

        await expect(attempt).rejects.toBeInstanceOf(ObjectConflictError);
        await expect(attempt).rejects.toMatchObject({ reason: 'exists', bucket, key: 'cas/taken.json' });
        expect(text(await store.getBytes(ref('cas/taken.json')))).toBe('original');
        expect((await store.head(ref('cas/taken.json')))?.etag).toBe(original.etag);
      });

      it('creates a missing object from a stream, and refuses a stream on an existing key', async () => {
        const chunks = ['stream ', 'of ', 'three'].map((chunk) => Buffer.from(chunk));

        await store.putIfAbsent(ref('cas/streamed.csv'), Readable.from(chunks));
        const second = store.putIfAbsent(ref('cas/streamed.csv'), Readable.from([Buffer.from('intruder')]));

        await expect(second).rejects.toMatchObject({ reason: 'exists', key: 'cas/streamed.csv' });
        expect(text(await store.getBytes(ref('cas/streamed.csv')))).toBe('stream of three');
      });

      it('creates the key again after it was deleted', async () => {
        await store.putIfAbsent(ref('cas/again.json'), 'one');
        await store.delete(ref('cas/again.json'));

        await store.putIfAbsent(ref('cas/again.json'), 'two');

        expect(text(await store.getBytes(ref('cas/again.json')))).toBe('two');
      });

      it(`lets exactly one of ${CONCURRENT_WRITERS} concurrent writers create a key`, async () => {
        const bodies = Array.from({ length: CONCURRENT_WRITERS }, (_, i) => `writer-${i}`);

        const outcomes = await Promise.allSettled(bodies.map((body) => store.putIfAbsent(ref('cas/race.json'), body)));

        const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [bodies[i]] : []));
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toMatchObject({ name: 'ObjectConflictError', reason: 'exists' });
          }
        }
        expect(text(await store.getBytes(ref('cas/race.json')))).toBe(winners[0]);
      });
    });

    describe('putIfMatch', () => {
      it('with the current ETag replaces the object and returns a new ETag', async () => {
        const first = await store.put(ref('cas/counter.json'), '1');

        const second = await store.putIfMatch(ref('cas/counter.json'), '2', first.etag);

        expect(second.etag).not.toBe(first.etag);
        expect((await store.head(ref('cas/counter.json')))?.etag).toBe(second.etag);
        expect(text(await store.getBytes(ref('cas/counter.json')))).toBe('2');
      });

      it("with a stale ETag throws ObjectConflictError('etag-mismatch') and leaves the content unchanged", async () => {
        const stale = await store.put(ref('cas/counter.json'), '1');
        const current = await store.put(ref('cas/counter.json'), '22');

        const attempt = store.putIfMatch(ref('cas/counter.json'), '3', stale.etag);

        await expect(attempt).rejects.toBeInstanceOf(ObjectConflictError);
        await expect(attempt).rejects.toMatchObject({ reason: 'etag-mismatch', bucket, key: 'cas/counter.json' });
        expect(text(await store.getBytes(ref('cas/counter.json')))).toBe('22');
        expect((await store.head(ref('cas/counter.json')))?.etag).toBe(current.etag);
      });

      it("on a missing object throws ObjectConflictError('missing') and creates nothing", async () => {
        const gone = await store.put(ref('cas/gone.json'), '1');
        await store.delete(ref('cas/gone.json'));

        const attempt = store.putIfMatch(ref('cas/gone.json'), '2', gone.etag);

        await expect(attempt).rejects.toBeInstanceOf(ObjectConflictError);
        await expect(attempt).rejects.toMatchObject({ reason: 'missing', key: 'cas/gone.json' });
        expect(await store.head(ref('cas/gone.json'))).toBeUndefined();
      });

      it(`lets exactly one of ${CONCURRENT_WRITERS} concurrent writers holding the same ETag win`, async () => {
        const { etag } = await store.put(ref('cas/contended.json'), 'start');
        const bodies = Array.from({ length: CONCURRENT_WRITERS }, (_, i) => `writer-${i}`);

        const outcomes = await Promise.allSettled(
          bodies.map((body) => store.putIfMatch(ref('cas/contended.json'), body, etag)),
        );

        const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [bodies[i]] : []));
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toMatchObject({ name: 'ObjectConflictError', reason: 'etag-mismatch' });
          }
        }
        expect(text(await store.getBytes(ref('cas/contended.json')))).toBe(winners[0]);
      });
    });
  });
}
