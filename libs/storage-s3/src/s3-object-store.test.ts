import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ConfigError, StorageError, TransientStorageError } from '@ledgerlake/domain';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { networkError, s3Error } from '../tests/support/s3-errors';
import { MIN_PART_SIZE_BYTES, S3ObjectStore } from './s3-object-store';

const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
const s3 = mockClient(client);
const ref = { bucket: 'lake', key: 'bronze/2024/tx.csv' };
const MiB = 1024 * 1024;

beforeEach(() => s3.reset());

function streamBody(...chunks: string[]) {
  return sdkStreamMixin(Readable.from(chunks.map((c) => Buffer.from(c))));
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** Yields `total` bytes in `chunk`-sized pieces, counting how many have been pulled so far. */
function lazyBytes(total: number, chunk: number) {
  const counter = { pulled: 0 };
  async function* generate(): AsyncGenerator<Uint8Array> {
    while (counter.pulled < total) {
      const size = Math.min(chunk, total - counter.pulled);
      counter.pulled += size;
      yield new Uint8Array(size).fill(counter.pulled % 251);
    }
  }
  return { counter, iterable: generate() };
}

describe('S3ObjectStore', () => {
  describe('constructor', () => {
    it('refuses a part size below the S3 minimum', () => {
      expect(() => new S3ObjectStore(client, { partSizeBytes: MIN_PART_SIZE_BYTES - 1 })).toThrow(ConfigError);
    });

    it('refuses a queue size below 1', () => {
      expect(() => new S3ObjectStore(client, { queueSize: 0 })).toThrow(ConfigError);
    });

    it('refuses a KMS key without KMS encryption, naming the option', () => {
      expect(() => new S3ObjectStore(client, { serverSideEncryption: 'AES256', sseKmsKeyId: 'alias/lake' })).toThrow(
        /storage-s3: invalid S3ObjectStore options: sseKmsKeyId/,
      );
    });
  });

  describe('head', () => {
    it('sends HeadObject and maps size, etag, lastModified and versionId', async () => {
      const lastModified = new Date('2024-05-01T10:00:00Z');
      s3.on(HeadObjectCommand, { Bucket: 'lake', Key: ref.key }).resolves({
        ContentLength: 42,
        ETag: '"abc"',
        LastModified: lastModified,
        VersionId: 'v1',
      });

      const meta = await new S3ObjectStore(client).head(ref);

      expect(meta).toEqual({ key: ref.key, size: 42, etag: '"abc"', lastModified, versionId: 'v1' });
    });

    it('leaves versionId out when the bucket is not versioned', async () => {
      s3.on(HeadObjectCommand).resolves({ ContentLength: 1, ETag: '"abc"', LastModified: new Date() });

      const meta = await new S3ObjectStore(client).head(ref);

      expect(meta).not.toHaveProperty('versionId');
    });
  });

  describe('getStream', () => {
    it('returns the body as a Node Readable', async () => {
      s3.on(GetObjectCommand).resolves({ Body: streamBody('a,b\n', '1,2\n') });

      const stream = await new S3ObjectStore(client).getStream(ref);

      expect(stream).toBeInstanceOf(Readable);
      expect(await readAll(stream as Readable)).toBe('a,b\n1,2\n');
    });

    it('sends no Range without a range', async () => {
      s3.on(GetObjectCommand).resolves({ Body: streamBody('x') });

      await new S3ObjectStore(client).getStream(ref);

      expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).not.toHaveProperty('Range');
    });

    it('sends Range bytes=start-end for a closed range', async () => {
      s3.on(GetObjectCommand).resolves({ Body: streamBody('cdef') });

      await new S3ObjectStore(client).getStream(ref, { start: 2, end: 5 });

      expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'lake', Key: ref.key, Range: 'bytes=2-5' });
    });

    it('sends Range bytes=start- for an open range', async () => {
      s3.on(GetObjectCommand).resolves({ Body: streamBody('def') });

      await new S3ObjectStore(client).getStream(ref, { start: 3 });

      expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Range: 'bytes=3-' });
    });

    it.each([
      [{ start: -1 }],
      [{ start: 5, end: 4 }],
      [{ start: 1.5 }],
    ])('refuses the malformed range %p before calling S3 (S3 would ignore it)', async (range) => {
      await expect(new S3ObjectStore(client).getStream(ref, range)).rejects.toBeInstanceOf(StorageError);
      expect(s3).not.toHaveReceivedCommand(GetObjectCommand);
    });

    it('translates an error halfway through the body', async () => {
      const failing = new Readable({
        read() {
          this.push(Buffer.from('partial'));
          this.destroy(networkError('ECONNRESET'));
        },
      });
      s3.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(failing) });

      const stream = (await new S3ObjectStore(client).getStream(ref)) as Readable;

      await expect(readAll(stream)).rejects.toBeInstanceOf(TransientStorageError);
    });

    it('destroys the HTTP body when the caller stops reading early', async () => {
      const body = new Readable({
        read() {
          // Never ends on its own: only the caller's destroy can release it.
        },
      });
      body.push('first chunk');
      s3.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(body) });
      const stream = (await new S3ObjectStore(client).getStream(ref)) as Readable;

      stream.destroy();
      await new Promise((resolve) => setImmediate(resolve));

      expect(body.destroyed).toBe(true);
    });
  });

  describe('getBytes', () => {
    it('returns the whole body as a plain Uint8Array', async () => {
      s3.on(GetObjectCommand).resolves({ Body: streamBody('he', 'llo') });

      const bytes = await new S3ObjectStore(client).getBytes(ref);

      expect(bytes?.constructor).toBe(Uint8Array);
      expect(Buffer.from(bytes as Uint8Array).toString('utf8')).toBe('hello');
      // Not a view into Node's shared Buffer pool.
      expect(bytes?.buffer.byteLength).toBe(5);
    });
  });

  describe('put', () => {
    it('sends PutObject with body, content type and metadata, and no condition', async () => {
      s3.on(PutObjectCommand).resolves({ ETag: '"e1"' });

      await new S3ObjectStore(client).put(ref, 'a,b\n', { contentType: 'text/csv', metadata: { rows: '1' } });

      const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
      expect(input).toEqual({
        Bucket: 'lake',
        Key: ref.key,
        Body: 'a,b\n',
        ContentLength: 4,
        ContentType: 'text/csv',
        Metadata: { rows: '1' },
      });
    });

    it('sends the UTF-8 byte length as ContentLength, also for an empty body', async () => {
      s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
      const store = new S3ObjectStore(client);

      await store.put(ref, 'ä€');
      await store.put(ref, new Uint8Array());

      const lengths = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.ContentLength);
      expect(lengths).toEqual([5, 0]);
    });

    it('returns the etag and versionId', async () => {
      s3.on(PutObjectCommand).resolves({ ETag: '"e1"', VersionId: 'v7' });

      await expect(new S3ObjectStore(client).put(ref, new Uint8Array([1]))).resolves.toEqual({
        etag: '"e1"',
        versionId: 'v7',
      });
    });

    it('refuses a response without ETag', async () => {
      s3.on(PutObjectCommand).resolves({});

      await expect(new S3ObjectStore(client).put(ref, 'x')).rejects.toThrow(/S3 returned no ETag/);
    });
  });

  describe('server-side encryption', () => {
    const sseStore = () =>
      new S3ObjectStore(client, {
        serverSideEncryption: 'aws:kms',
        sseKmsKeyId: 'alias/ledgerlake',
        bucketKeyEnabled: true,
      });
    const sse = { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/ledgerlake', BucketKeyEnabled: true };

    it('is sent with put', async () => {
      s3.on(PutObjectCommand).resolves({ ETag: '"e"' });

      await sseStore().put(ref, 'x');

      expect(s3).toHaveReceivedCommandWith(PutObjectCommand, sse);
    });

    it('is sent with putIfAbsent', async () => {
      s3.on(PutObjectCommand).resolves({ ETag: '"e"' });

      await sseStore().putIfAbsent(ref, 'x');

      expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { ...sse, IfNoneMatch: '*' });
    });

    it('is sent with copy', async () => {
      s3.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"e"' } });

      await sseStore().copy(ref, { bucket: 'lake', key: 'copy.csv' });

      expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, sse);
    });

    it('is sent when a multipart upload is created', async () => {
      s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
      s3.on(UploadPartCommand).resolves({ ETag: '"p"' });
      s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"m-2"' });

      // Above the default 8 MiB part size.
      await sseStore().putStream(ref, Readable.from([Buffer.alloc(9 * MiB)]));

      expect(s3).toHaveReceivedCommandWith(CreateMultipartUploadCommand, sse);
    });

    it('is absent by default (the bucket default applies)', async () => {
      s3.on(PutObjectCommand).resolves({ ETag: '"e"' });

      await new S3ObjectStore(client).put(ref, 'x');

      expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).not.toHaveProperty('ServerSideEncryption');
    });
  });

  describe('putStream', () => {
    it('uses one PutObject when the stream fits in one part', async () => {
      s3.on(PutObjectCommand).resolves({ ETag: '"single"', VersionId: 'v1' });

      const result = await new S3ObjectStore(client).putStream(ref, Readable.from([Buffer.from('small')]), {
        contentType: 'text/csv',
        metadata: { source: 'test' },
      });

      expect(result).toEqual({ etag: '"single"', versionId: 'v1' });
      expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
        Bucket: 'lake',
        Key: ref.key,
        ContentType: 'text/csv',
        Metadata: { source: 'test' },
      });
      expect(s3).not.toHaveReceivedCommand(CreateMultipartUploadCommand);
    });

    it('uses a multipart upload of partSizeBytes parts above one part', async () => {
      s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
      s3.on(UploadPartCommand).callsFake((input: { PartNumber?: number }) => ({ ETag: `"p${input.PartNumber}"` }));
      s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"multi-3"', VersionId: 'v9' });
      const body = Readable.from([Buffer.alloc(6 * MiB, 1), Buffer.alloc(6 * MiB, 2)]);

      const result = await new S3ObjectStore(client, { partSizeBytes: 5 * MiB }).putStream(ref, body, {
        contentType: 'application/octet-stream',
      });

      expect(result).toEqual({ etag: '"multi-3"', versionId: 'v9' });
      expect(s3).toHaveReceivedCommandWith(CreateMultipartUploadCommand, {
        Bucket: 'lake',
        Key: ref.key,
        ContentType: 'application/octet-stream',
      });
      const parts = s3.commandCalls(UploadPartCommand).map((c) => c.args[0].input);
      expect(parts.map((p) => [p.PartNumber, (p.Body as Uint8Array).byteLength]).sort()).toEqual([
        [1, 5 * MiB],
        [2, 5 * MiB],
        [3, 2 * MiB],
      ]);
      expect(s3).toHaveReceivedCommandWith(CompleteMultipartUploadCommand, {
        UploadId: 'u1',
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: '"p1"' },
            { PartNumber: 2, ETag: '"p2"' },
            { PartNumber: 3, ETag: '"p3"' },
          ],
        },
      });
      expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
    });

    it('accepts a bare async iterable', async () => {
      s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
      async function* chunks(): AsyncGenerator<Uint8Array> {
        yield new TextEncoder().encode('a,');
        yield new TextEncoder().encode('b');
      }

      await new S3ObjectStore(client).putStream(ref, chunks());

      const body = s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as Uint8Array;
      expect(Buffer.from(body).toString('utf8')).toBe('a,b');
    });

    it('never holds much more than partSize * (queueSize + 1) bytes of the stream', async () => {
      const partSize = 5 * MiB;
      const { counter, iterable } = lazyBytes(40 * MiB, MiB);
      const pulledAtEachPart: number[] = [];
      s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
      s3.on(UploadPartCommand).callsFake(() => {
        pulledAtEachPart.push(counter.pulled);
        return { ETag: '"p"' };
      });
      s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"m"' });

      await new S3ObjectStore(client, { partSizeBytes: partSize, queueSize: 1 }).putStream(ref, iterable);

      expect(pulledAtEachPart).toHaveLength(8);
      // Part n is sent after about n parts were read: the stream is consumed as it is uploaded.
      pulledAtEachPart.forEach((pulled, index) => {
        expect(pulled).toBeLessThanOrEqual((index + 2) * partSize);
      });
    });

    it('aborts the multipart upload and translates the error when a part fails', async () => {
      s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
      s3.on(UploadPartCommand).rejects(s3Error('SlowDown', 503));
      s3.on(AbortMultipartUploadCommand).resolves({});

      const upload = new S3ObjectStore(client, { partSizeBytes: 5 * MiB }).putStream(
        ref,
        Readable.from([Buffer.alloc(11 * MiB)]),
      );

      await expect(upload).rejects.toBeInstanceOf(TransientStorageError);
      expect(s3).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { Bucket: 'lake', Key: ref.key, UploadId: 'u1' });
      expect(s3).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
    });
  });

  describe('list', () => {
    it('sends Prefix, ContinuationToken, MaxKeys and Delimiter', async () => {
      s3.on(ListObjectsV2Command).resolves({});

      await new S3ObjectStore(client).list('lake', 'silver/', { token: 't1', limit: 2, delimiter: '/' });

      expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toEqual({
        Bucket: 'lake',
        Prefix: 'silver/',
        ContinuationToken: 't1',
        MaxKeys: 2,
        Delimiter: '/',
      });
    });

    it('sends only Bucket and Prefix without options', async () => {
      s3.on(ListObjectsV2Command).resolves({});

      await new S3ObjectStore(client).list('lake', 'silver/');

      expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toEqual({ Bucket: 'lake', Prefix: 'silver/' });
    });

    it('maps objects, common prefixes and the next token', async () => {
      const lastModified = new Date('2024-01-02T03:04:05Z');
      s3.on(ListObjectsV2Command).resolves({
        Contents: [{ Key: 'silver/a.parquet', Size: 10, ETag: '"a"', LastModified: lastModified }],
        CommonPrefixes: [{ Prefix: 'silver/year=2024/' }],
        IsTruncated: true,
        NextContinuationToken: 'next',
      });

      const page = await new S3ObjectStore(client).list('lake', 'silver/', { delimiter: '/' });

      expect(page).toEqual({
        objects: [{ key: 'silver/a.parquet', size: 10, etag: '"a"', lastModified }],
        prefixes: ['silver/year=2024/'],
        nextToken: 'next',
      });
    });

    it('has no nextToken on the last page', async () => {
      s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false, NextContinuationToken: 'ignored' });

      const page = await new S3ObjectStore(client).list('lake', '');

      expect(page).not.toHaveProperty('nextToken');
    });

    it.each([0, -1, 2.5])('refuses limit %p before calling S3', async (limit) => {
      await expect(new S3ObjectStore(client).list('lake', '', { limit })).rejects.toBeInstanceOf(StorageError);
      expect(s3).not.toHaveReceivedCommand(ListObjectsV2Command);
    });

    it('caps a limit above 1000 at 1000, as S3 does', async () => {
      s3.on(ListObjectsV2Command).resolves({});

      await new S3ObjectStore(client).list('lake', '', { limit: 5000 });

      expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, { MaxKeys: 1000 });
    });

    it('sends no Delimiter for an empty delimiter', async () => {
      s3.on(ListObjectsV2Command).resolves({});

      await new S3ObjectStore(client).list('lake', 'a/', { delimiter: '' });

      expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).not.toHaveProperty('Delimiter');
    });
  });

  describe('copy', () => {
    it('sends CopyObject with a URL-encoded CopySource and returns the new etag and version', async () => {
      s3.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"c"' }, VersionId: 'v3' });

      const result = await new S3ObjectStore(client).copy(
        { bucket: 'src-bucket', key: 'bronze/year=2024/ä b+c%d?.csv' },
        { bucket: 'dst-bucket', key: 'silver/out.csv' },
      );

      expect(result).toEqual({ etag: '"c"', versionId: 'v3' });
      expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
        Bucket: 'dst-bucket',
        Key: 'silver/out.csv',
        CopySource: 'src-bucket/bronze/year%3D2024/%C3%A4%20b%2Bc%25d%3F.csv',
      });
    });
  });

  describe('delete', () => {
    it('sends DeleteObject', async () => {
      s3.on(DeleteObjectCommand).resolves({});

      await new S3ObjectStore(client).delete(ref);

      expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: 'lake', Key: ref.key });
    });
  });

  describe('conditional writes', () => {
    it("putIfAbsent sends PutObject with IfNoneMatch '*' and no IfMatch", async () => {
      s3.on(PutObjectCommand).resolves({ ETag: '"e"' });

      await new S3ObjectStore(client).putIfAbsent(ref, 'x', { contentType: 'text/plain' });

      const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
      expect(input).toMatchObject({ Bucket: 'lake', Key: ref.key, IfNoneMatch: '*', ContentType: 'text/plain' });
      expect(input).not.toHaveProperty('IfMatch');
    });

    it('putIfMatch sends PutObject with IfMatch set to the etag and no IfNoneMatch', async () => {
      s3.on(PutObjectCommand).resolves({ ETag: '"new"', VersionId: 'v2' });

      const result = await new S3ObjectStore(client).putIfMatch(ref, 'x', '"old"');

      const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
      expect(input).toMatchObject({ Bucket: 'lake', Key: ref.key, IfMatch: '"old"' });
      expect(input).not.toHaveProperty('IfNoneMatch');
      expect(result).toEqual({ etag: '"new"', versionId: 'v2' });
    });
  });
});
