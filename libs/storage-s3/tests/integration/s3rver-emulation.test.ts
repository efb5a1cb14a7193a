import {
  CopyObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { formatCopySource } from '../../src/copy-source';
import { startS3rver, type S3rverHandle } from '@ledgerlake/testing';

const bucket = 'emulation';
let s3rver: S3rverHandle;
let raw: S3Client;
let emulated: S3Client;
let n = 0;
const freshKey = () => `k/${++n}`;

beforeAll(async () => {
  s3rver = await startS3rver();
  await s3rver.createBucket(bucket);
  raw = s3rver.createClient({ emulateS3: false });
  emulated = s3rver.createClient();
});

afterAll(async () => {
  await s3rver?.stop();
});

async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to reject, but it resolved');
}

const list = (client: S3Client, input: Omit<ListObjectsV2CommandInput, 'Bucket'>) =>
  client.send(new ListObjectsV2Command({ Bucket: bucket, ...input }));

const listedKeys = (output: { Contents?: { Key?: string }[] }) => (output.Contents ?? []).map((o) => o.Key);

const put = (client: S3Client, key: string, body: string, condition: { IfNoneMatch?: string; IfMatch?: string } = {}) =>
  client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...condition }));

// If one of these starts failing, s3rver learned the behaviour and the emulation can go.
describe('s3rver 3.7.1 alone (why the emulation exists)', () => {
  it("ignores If-None-Match: '*' on PutObject", async () => {
    const key = freshKey();
    await put(raw, key, 'first');

    await expect(put(raw, key, 'second', { IfNoneMatch: '*' })).resolves.toHaveProperty('ETag');
  });

  it('ignores If-Match on PutObject', async () => {
    const key = freshKey();
    await put(raw, key, 'first');

    await expect(put(raw, key, 'second', { IfMatch: '"not-the-etag"' })).resolves.toHaveProperty('ETag');
  });

  it('decodes x-amz-copy-source with decodeURI, so a correctly encoded "=" key is not found', async () => {
    const key = 'k/year=2024/a.csv';
    await put(raw, key, 'x');

    const error = await rejectionOf(
      raw.send(new CopyObjectCommand({ Bucket: bucket, Key: 'k/copy', CopySource: formatCopySource(bucket, key) })),
    );

    expect(error['name']).toBe('NoSuchKey');
  });

  it('lists in the order of its on-disk paths, not in UTF-8 byte order', async () => {
    for (const key of ['order/a', 'order/a/b']) await put(raw, key, 'x');

    const output = await list(raw, { Prefix: 'order/' });

    // S3: 'order/a' < 'order/a/b'. s3rver walks the directory 'a' before the file 'a._S3rver_object'.
    expect(listedKeys(output)).toEqual(['order/a/b', 'order/a']);
  });

  it('drops keys when paging, because its resume filter and its walk disagree on order', async () => {
    for (const key of ['drop/a', 'drop/a/b', 'drop/b']) await put(raw, key, 'x');

    const seen: (string | undefined)[] = [];
    let token: string | undefined;
    do {
      const output = await list(raw, { Prefix: 'drop/', MaxKeys: 1, ContinuationToken: token });
      seen.push(...listedKeys(output));
      token = output.NextContinuationToken;
    } while (token !== undefined);

    // S3: all three. After 'drop/a/b', s3rver filters out 'drop/a' ('drop/a' <= 'drop/a/b').
    expect(seen).toEqual(['drop/a/b', 'drop/b']);
  });

  it('does not group keys nested more than one level below a common prefix', async () => {
    for (const key of ['deep/x/1', 'deep/y/z/1']) await put(raw, key, 'x');

    const output = await list(raw, { Prefix: 'deep/', Delimiter: '/' });

    // S3: ['deep/x/', 'deep/y/'].
    expect((output.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual(['deep/x/']);
  });

  it('does not count common prefixes towards MaxKeys', async () => {
    for (const key of ['count/a/1', 'count/b/1', 'count/c']) await put(raw, key, 'x');

    const output = await list(raw, { Prefix: 'count/', Delimiter: '/', MaxKeys: 1 });

    // S3: one entry per page.
    expect(listedKeys(output).length + (output.CommonPrefixes ?? []).length).toBe(3);
  });

  it('encrypts continuation tokens with DES, so paging needs the legacy OpenSSL provider', async () => {
    for (const key of ['token/1', 'token/2']) await put(raw, key, 'x');

    const first = await list(raw, { Prefix: 'token/', MaxKeys: 1 });
    const second = await list(raw, { Prefix: 'token/', MaxKeys: 1, ContinuationToken: first.NextContinuationToken });

    expect(first.NextContinuationToken).toEqual(expect.any(String));
    expect(listedKeys(second)).toEqual(['token/2']);
  });
});

describe('the S3 emulation', () => {
  it("fails If-None-Match: '*' on an existing key with S3's 412 PreconditionFailed", async () => {
    const key = freshKey();
    await put(emulated, key, 'first');

    const error = await rejectionOf(put(emulated, key, 'second', { IfNoneMatch: '*' }));

    expect(error).toMatchObject({
      name: 'PreconditionFailed',
      $fault: 'client',
      $metadata: { httpStatusCode: 412 },
      Condition: 'If-None-Match',
    });
  });

  it('writes nothing when the condition fails', async () => {
    const key = freshKey();
    await put(emulated, key, 'first');

    await rejectionOf(put(emulated, key, 'second', { IfNoneMatch: '*' }));

    const current = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await current.Body?.transformToString()).toBe('first');
  });

  it("lets If-None-Match: '*' create a missing key", async () => {
    await expect(put(emulated, freshKey(), 'new', { IfNoneMatch: '*' })).resolves.toHaveProperty('ETag');
  });

  it('fails If-Match with another ETag with 412', async () => {
    const key = freshKey();
    await put(emulated, key, 'first');

    const error = await rejectionOf(put(emulated, key, 'second', { IfMatch: '"0123456789abcdef0123456789abcdef"' }));

    expect(error).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 }, Condition: 'If-Match' });
  });

  it('fails If-Match on a missing key with 404 NoSuchKey', async () => {
    const error = await rejectionOf(put(emulated, freshKey(), 'x', { IfMatch: '"0123456789abcdef0123456789abcdef"' }));

    expect(error).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  it('lets If-Match with the current ETag replace the object', async () => {
    const key = freshKey();
    const first = await put(emulated, key, 'first');

    await expect(put(emulated, key, 'second', { IfMatch: first.ETag as string })).resolves.toHaveProperty('ETag');
  });

  it("serializes writes per key: of 10 concurrent If-None-Match: '*' creates exactly one wins", async () => {
    const key = freshKey();

    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => put(emulated, key, `writer ${i}`, { IfNoneMatch: '*' })),
    );

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(losers.map((o) => (o.reason as { name: string }).name)).toEqual(Array(9).fill('PreconditionFailed'));
  });

  it('lists like S3: byte order, deep grouping, prefixes counted towards MaxKeys, resuming after a prefix', async () => {
    for (const key of ['s3list/a', 's3list/a/b', 's3list/b/c/d', 's3list/b/e', 's3list/c']) await put(emulated, key, 'x');

    const pages: (string | undefined)[][] = [];
    let token: string | undefined;
    do {
      const output = await list(emulated, { Prefix: 's3list/', Delimiter: '/', MaxKeys: 2, ContinuationToken: token });
      pages.push([...listedKeys(output), ...(output.CommonPrefixes ?? []).map((p) => p.Prefix)]);
      token = output.NextContinuationToken;
    } while (token !== undefined);

    expect(pages).toEqual([['s3list/a', 's3list/a/'], ['s3list/c', 's3list/b/']]);
  });

  it('still sends the listing to s3rver: a missing bucket is its NoSuchBucket', async () => {
    const error = await rejectionOf(emulated.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })));

    expect(error).toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
  });

  it("rejects a continuation token it did not make, as S3 does (400 InvalidArgument)", async () => {
    const error = await rejectionOf(list(emulated, { ContinuationToken: 'forged' }));

    expect(error).toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
  });

  it('copies a key with reserved and non-ASCII characters from a correctly encoded copy source', async () => {
    const key = 'k/year=2024/ä b+c%d?#&.csv';
    await put(emulated, key, 'payload');

    const copied = emulated.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'k/copied', CopySource: formatCopySource(bucket, key) }),
    );

    await expect(copied).resolves.toHaveProperty('CopyObjectResult.ETag');
  });
});
