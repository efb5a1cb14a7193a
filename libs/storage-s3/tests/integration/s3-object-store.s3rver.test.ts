import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ObjectConflictError, StorageError, TransientStorageError } from '@ledgerlake/domain';
import { S3ObjectStore } from '../../src/s3-object-store';
import { startS3rver, type S3rverHandle } from '@ledgerlake/testing';

// What only a real S3 HTTP exchange shows, beyond the shared contract suite: multipart uploads,
// headers that reach the server, copy-source encoding, error translation of real responses.
const bucket = 'adapter';
const MiB = 1024 * 1024;
let s3rver: S3rverHandle;
let client: S3Client;
let store: S3ObjectStore;
/** The commands `client` sent, in order. */
const sent: string[] = [];

beforeAll(async () => {
  s3rver = await startS3rver();
  await s3rver.createBucket(bucket);
  client = s3rver.createClient();
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  store = new S3ObjectStore(client, { partSizeBytes: 5 * MiB, queueSize: 2 });
});

beforeEach(() => {
  sent.length = 0;
});

afterAll(async () => {
  await s3rver?.stop();
});

/** `total` deterministic bytes, produced lazily in 256 KiB chunks. */
async function* patternBytes(total: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < total; offset += 256 * 1024) {
    const chunk = new Uint8Array(Math.min(256 * 1024, total - offset));
    for (let i = 0; i < chunk.length; i += 1) chunk[i] = (offset + i) % 251;
    yield chunk;
  }
}

async function md5Of(source: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of source) hash.update(chunk);
  return hash.digest('hex');
}

describe('S3ObjectStore against s3rver', () => {
  it('uploads a stream larger than one part as a multipart upload and reads it back intact', async () => {
    const ref = { bucket, key: 'multipart/big.bin' };
    const size = 11 * MiB + 123;

    const result = await store.putStream(ref, Readable.from(patternBytes(size)), { contentType: 'application/x-test' });

    expect(sent).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    expect(await store.head(ref)).toMatchObject({ size, etag: result.etag });
    const stream = (await store.getStream(ref)) as Readable;
    expect(await md5Of(stream)).toBe(await md5Of(patternBytes(size)));
  });

  it('uploads a stream of one part with a single PUT (ETag = MD5 of the content)', async () => {
    const ref = { bucket, key: 'multipart/small.txt' };

    const result = await store.putStream(ref, Readable.from([Buffer.from('small body')]));

    expect(sent).toEqual(['PutObjectCommand']);
    expect(result.etag).toBe(`"${createHash('md5').update('small body').digest('hex')}"`);
  });

  it('sends content type and metadata to the server', async () => {
    const ref = { bucket, key: 'meta/a.csv' };

    await store.put(ref, 'a,b\n', { contentType: 'text/csv', metadata: { rows: '1', source: 'bronze' } });

    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: ref.key }));
    expect(head.ContentType).toBe('text/csv');
    expect(head.Metadata).toEqual({ rows: '1', source: 'bronze' });
  });

  it('writes and reads back an empty object', async () => {
    const ref = { bucket, key: 'empty/object' };

    await store.put(ref, '');

    expect(await store.getBytes(ref)).toEqual(new Uint8Array());
    expect(await store.head(ref)).toMatchObject({ size: 0 });
  });

  it('copies an object whose key needs URL-encoding, keeping its content type', async () => {
    const from = { bucket, key: 'copy/year=2024/ä b+c%d?#&.csv' };
    const to = { bucket, key: 'copy/out/ü=1+2.csv' };
    await store.put(from, 'payload', { contentType: 'text/csv' });

    const result = await store.copy(from, to);

    expect(Buffer.from((await store.getBytes(to)) as Uint8Array).toString()).toBe('payload');
    expect(result.etag).toBe((await store.head(from))?.etag);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: to.key }));
    expect(head.ContentType).toBe('text/csv');
  });

  it('reads a byte range over HTTP, clamping an end past the last byte', async () => {
    const ref = { bucket, key: 'range/digits' };
    await store.put(ref, '0123456789');

    const middle = await store.getStream(ref, { start: 2, end: 5 });
    const tail = await store.getStream(ref, { start: 7, end: 100 });

    expect((await Readable.from(middle as Readable).toArray()).join('')).toBe('2345');
    expect((await Readable.from(tail as Readable).toArray()).join('')).toBe('789');
  });

  it('turns 416 InvalidRange (start past the end) into StorageError', async () => {
    const ref = { bucket, key: 'range/short' };
    await store.put(ref, 'abc');

    await expect(store.getStream(ref, { start: 3 })).rejects.toBeInstanceOf(StorageError);
  });

  it("pages through a listing with s3rver's own continuation tokens (no emulation)", async () => {
    const rawStore = new S3ObjectStore(s3rver.createClient({ emulateS3: false }));
    const keys = ['page/a', 'page/b', 'page/c', 'page/d', 'page/e'];
    for (const key of keys) await rawStore.put({ bucket, key }, key);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await rawStore.list(bucket, 'page/', { limit: 2, ...(token !== undefined && { token }) });
      seen.push(...page.objects.map((o) => o.key));
      token = page.nextToken;
      pages += 1;
    } while (token !== undefined && pages < 10);

    expect(seen).toEqual(keys);
    expect(pages).toBe(3);
  });

  it('enforces conditional writes (through the emulation, see libs/testing emulate-s3-semantics.ts)', async () => {
    const ref = { bucket, key: 'conditional/marker' };
    const first = await store.putIfAbsent(ref, 'v1');

    await expect(store.putIfAbsent(ref, 'v2')).rejects.toMatchObject({ reason: 'exists' });
    await expect(store.putIfMatch(ref, 'v2', first.etag)).resolves.toHaveProperty('etag');
    await expect(store.putIfMatch(ref, 'v3', first.etag)).rejects.toBeInstanceOf(ObjectConflictError);
  });

  it('turns a missing bucket into StorageError, not "missing object"', async () => {
    await expect(store.getBytes({ bucket: 'no-such-bucket', key: 'k' })).rejects.toBeInstanceOf(StorageError);
  });

  it('turns a refused connection into TransientStorageError', async () => {
    const offline = new S3Client({
      endpoint: 'http://127.0.0.1:1',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      maxAttempts: 1,
    });

    try {
      await expect(new S3ObjectStore(offline).head({ bucket, key: 'k' })).rejects.toBeInstanceOf(
        TransientStorageError,
      );
    } finally {
      offline.destroy();
    }
  });
});
