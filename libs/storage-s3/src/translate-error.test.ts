import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ObjectConflictError, StorageError, TransientStorageError } from '@ledgerlake/domain';
import { mockClient } from 'aws-sdk-client-mock';
import { networkError, noSuchBucket, noSuchKey, notFound, s3Error } from '../tests/support/s3-errors';
import { S3ObjectStore } from './s3-object-store';
import { classifyS3Error, translateS3Error } from './translate-error';

const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
const s3 = mockClient(client);
const store = new S3ObjectStore(client);
const ref = { bucket: 'lake', key: 'bronze/2024/tx.csv' };

beforeEach(() => s3.reset());

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to reject, but it resolved');
}

describe('translateS3Error through S3ObjectStore (aws-sdk-client-mock)', () => {
  describe('transient errors become TransientStorageError', () => {
    it.each([
      ['SlowDown 503', s3Error('SlowDown', 503)],
      ['Throttling 400', s3Error('Throttling', 400)],
      ['ThrottlingException 400', s3Error('ThrottlingException', 400)],
      ['TooManyRequests 429', s3Error('TooManyRequests', 429)],
      ['an unnamed 429', s3Error('UnknownError', 429)],
      ['RequestTimeout 400', s3Error('RequestTimeout', 400)],
      ['InternalError 500', s3Error('InternalError', 500)],
      ['ServiceUnavailable 503', s3Error('ServiceUnavailable', 503)],
      ['an unnamed 500', s3Error('UnknownError', 500)],
      ['an unnamed 502', s3Error('UnknownError', 502)],
      ['an unnamed 504', s3Error('UnknownError', 504)],
      ['OperationAborted 409', s3Error('OperationAborted', 409)],
      ['an error the SDK marked $retryable', s3Error('SomethingNew', 400, { $retryable: { throttling: false } })],
      ['ECONNRESET', networkError('ECONNRESET')],
      ['ETIMEDOUT', networkError('ETIMEDOUT')],
      ['ECONNREFUSED', networkError('ECONNREFUSED')],
      ['EPIPE', networkError('EPIPE')],
      ['a request TimeoutError', Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' })],
    ])('%s', async (_label, error) => {
      s3.on(PutObjectCommand).rejects(error);

      const thrown = await rejectionOf(store.put(ref, 'a,b\n'));

      expect(thrown).toBeInstanceOf(TransientStorageError);
      expect(thrown).toMatchObject({ name: 'TransientStorageError', retryable: true });
      expect(thrown.cause).toBe(error);
    });
  });

  describe('other failures become StorageError', () => {
    it.each([
      ['AccessDenied 403', s3Error('AccessDenied', 403)],
      ['a HEAD 403 without body', s3Error('Forbidden', 403)],
      ['InvalidRequest 400', s3Error('InvalidRequest', 400)],
      ['InvalidArgument 400', s3Error('InvalidArgument', 400)],
      ['EntityTooLarge 400', s3Error('EntityTooLarge', 400)],
      ['a non-conditional 409', s3Error('BucketNotEmpty', 409)],
      ['NoSuchBucket 404', noSuchBucket()],
      ['a plain Error', new Error('boom')],
      ['an AbortError', Object.assign(new Error('Request aborted'), { name: 'AbortError' })],
    ])('%s', async (_label, error) => {
      s3.on(PutObjectCommand).rejects(error);

      const thrown = await rejectionOf(store.put(ref, 'a,b\n'));

      expect(thrown).toBeInstanceOf(StorageError);
      expect(thrown).toMatchObject({ name: 'StorageError', retryable: false });
      expect(thrown.cause).toBe(error);
    });
  });

  describe('a missing key is undefined at the call site', () => {
    it.each([
      ['NotFound', notFound()],
      ['NoSuchKey', noSuchKey()],
      ['an unnamed 404', s3Error('UnknownError', 404)],
    ])('head: %s', async (_label, error) => {
      s3.on(HeadObjectCommand).rejects(error);

      await expect(store.head(ref)).resolves.toBeUndefined();
    });

    it('getStream: NoSuchKey', async () => {
      s3.on(GetObjectCommand).rejects(noSuchKey());

      await expect(store.getStream(ref)).resolves.toBeUndefined();
    });

    it('getBytes: NoSuchKey', async () => {
      s3.on(GetObjectCommand).rejects(noSuchKey());

      await expect(store.getBytes(ref)).resolves.toBeUndefined();
    });

    it('delete: a 404 is "already gone", not an error', async () => {
      s3.on(DeleteObjectCommand).rejects(noSuchKey());

      await expect(store.delete(ref)).resolves.toBeUndefined();
    });

    it('a missing bucket is not a missing object: head throws StorageError', async () => {
      s3.on(HeadObjectCommand).rejects(noSuchBucket());

      await expect(store.head(ref)).rejects.toBeInstanceOf(StorageError);
    });

    it('a missing bucket is not a missing object: getBytes throws StorageError', async () => {
      s3.on(GetObjectCommand).rejects(noSuchBucket());

      await expect(store.getBytes(ref)).rejects.toBeInstanceOf(StorageError);
    });

    it('a missing copy source is a StorageError (the port says so), naming both objects', async () => {
      s3.on(CopyObjectCommand).rejects(noSuchKey());

      const thrown = await rejectionOf(store.copy(ref, { bucket: 'lake2', key: 'silver/tx.csv' }));

      expect(thrown).toBeInstanceOf(StorageError);
      expect(thrown.message).toBe(
        'storage-s3: copy failed for bucket "lake" key "bronze/2024/tx.csv" to bucket "lake2" key "silver/tx.csv": ' +
          'NoSuchKey, HTTP 404: The specified key does not exist.',
      );
    });
  });

  describe('a lost conditional write becomes ObjectConflictError', () => {
    it.each([
      ['412 PreconditionFailed', s3Error('PreconditionFailed', 412)],
      ['an unnamed 412', s3Error('UnknownError', 412)],
      ['409 ConditionalRequestConflict', s3Error('ConditionalRequestConflict', 409)],
    ])('putIfAbsent, %s -> exists', async (_label, error) => {
      s3.on(PutObjectCommand).rejects(error);

      const thrown = await rejectionOf(store.putIfAbsent(ref, 'x'));

      expect(thrown).toBeInstanceOf(ObjectConflictError);
      expect(thrown).toMatchObject({ bucket: 'lake', key: ref.key, reason: 'exists', retryable: false });
      expect(thrown.cause).toBe(error);
    });

    it.each([
      ['412 PreconditionFailed', s3Error('PreconditionFailed', 412)],
      ['409 ConditionalRequestConflict', s3Error('ConditionalRequestConflict', 409)],
    ])('putIfMatch, %s -> etag-mismatch', async (_label, error) => {
      s3.on(PutObjectCommand).rejects(error);

      const thrown = await rejectionOf(store.putIfMatch(ref, 'x', '"abc"'));

      expect(thrown).toBeInstanceOf(ObjectConflictError);
      expect(thrown).toMatchObject({ reason: 'etag-mismatch' });
      expect(thrown.cause).toBe(error);
    });

    it.each([
      ['NoSuchKey', noSuchKey()],
      ['an unnamed 404', s3Error('UnknownError', 404)],
    ])('putIfMatch, %s -> missing', async (_label, error) => {
      s3.on(PutObjectCommand).rejects(error);

      await expect(store.putIfMatch(ref, 'x', '"abc"')).rejects.toMatchObject({
        name: 'ObjectConflictError',
        reason: 'missing',
      });
    });

    it('putIfAbsent on a missing bucket is a StorageError, not a conflict', async () => {
      s3.on(PutObjectCommand).rejects(noSuchBucket());

      await expect(store.putIfAbsent(ref, 'x')).rejects.toBeInstanceOf(StorageError);
    });

    it('throttling of a conditional write stays transient', async () => {
      s3.on(PutObjectCommand).rejects(s3Error('SlowDown', 503));

      await expect(store.putIfMatch(ref, 'x', '"abc"')).rejects.toBeInstanceOf(TransientStorageError);
    });

    it('a 412 on a plain put is not a conflict (no condition was sent)', async () => {
      s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));

      await expect(store.put(ref, 'x')).rejects.toBeInstanceOf(StorageError);
    });
  });

  describe('messages', () => {
    it('start with the component and name the operation, bucket, key, S3 code and status', async () => {
      s3.on(HeadObjectCommand).rejects(s3Error('SlowDown', 503));

      const thrown = await rejectionOf(store.head(ref));

      expect(thrown.message).toBe(
        'storage-s3: head failed for bucket "lake" key "bronze/2024/tx.csv": SlowDown, HTTP 503: SlowDown message',
      );
    });

    it('name the prefix of a listing', async () => {
      s3.on(ListObjectsV2Command).rejects(s3Error('AccessDenied', 403));

      const thrown = await rejectionOf(store.list('lake', 'bronze/'));

      expect(thrown.message).toBe(
        'storage-s3: list failed for bucket "lake" prefix "bronze/": AccessDenied, HTTP 403: AccessDenied message',
      );
    });

    it('name the socket error code of a network failure', async () => {
      s3.on(GetObjectCommand).rejects(networkError('ECONNRESET'));

      const thrown = await rejectionOf(store.getBytes(ref));

      expect(thrown.message).toBe(
        'storage-s3: getBytes failed for bucket "lake" key "bronze/2024/tx.csv": Error, ECONNRESET: socket failure ECONNRESET',
      );
    });
  });
});

describe('translateS3Error', () => {
  it('passes LedgerLake errors through unchanged', () => {
    const original = new TransientStorageError('already translated');

    expect(translateS3Error(original, { operation: 'put', ...ref })).toBe(original);
  });

  it('translates a thrown non-Error value', () => {
    const translated = translateS3Error('weird', { operation: 'delete', ...ref });

    expect(translated).toBeInstanceOf(StorageError);
    expect(translated.message).toBe('storage-s3: delete failed for bucket "lake" key "bronze/2024/tx.csv": weird');
  });

  it('names the destination key in a conflict of a conditional write', () => {
    const translated = translateS3Error(s3Error('PreconditionFailed', 412), {
      operation: 'putIfAbsent',
      ...ref,
      condition: 'if-none-match',
    });

    expect(translated).toEqual(new ObjectConflictError('lake', ref.key, 'exists'));
  });
});

describe('classifyS3Error', () => {
  it.each([
    [noSuchKey(), 'not-found'],
    [notFound(), 'not-found'],
    [noSuchBucket(), 'permanent'],
    [s3Error('PreconditionFailed', 412), 'precondition-failed'],
    [s3Error('ConditionalRequestConflict', 409), 'conditional-conflict'],
    [s3Error('SlowDown', 503), 'transient'],
    [s3Error('AccessDenied', 403), 'permanent'],
    [Object.assign(new Error('x'), { Code: 'SlowDown' }), 'transient'],
    [Object.assign(new Error('x'), { $response: { statusCode: 503 } }), 'transient'],
    [undefined, 'permanent'],
    [new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1'), 'transient'],
    [new Error('upload failed', { cause: networkError('ECONNRESET') }), 'transient'],
    [new Error('outer', { cause: new Error('inner', { cause: networkError('ETIMEDOUT') }) }), 'transient'],
    [s3Error('InvalidRequest', 400, { message: 'mentions ECONNRESET' }), 'permanent'],
    [new Error('ECONNRESETTLE is not a code'), 'permanent'],
  ])('%p -> %s', (error, kind) => {
    expect(classifyS3Error(error)).toBe(kind);
  });
});
