import { PassThrough, Readable } from 'node:stream';
import { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ConfigError, StorageError } from '@ledgerlake/domain';
import {
  isStreamBody,
  MAX_LIST_LIMIT,
  type ByteRange,
  type ListOptions,
  type ListPage,
  type ObjectBody,
  type ObjectMeta,
  type ObjectRef,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from '@ledgerlake/storage';
import { formatCopySource } from './copy-source';
import { isS3NotFound, translateS3Error, type S3ErrorContext } from './translate-error';

/** S3 refuses multipart parts smaller than 5 MiB (but the last). */
export const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;

/** Options of {@link S3ObjectStore}; all optional. */
export interface S3ObjectStoreOptions {
  /** Server-side encryption of every write (`x-amz-server-side-encryption`); default: the bucket's. */
  readonly serverSideEncryption?: ServerSideEncryption;
  /** KMS key (id, alias or ARN) for `aws:kms` / `aws:kms:dsse`; default: the AWS managed key. */
  readonly sseKmsKeyId?: string;
  /** Use an S3 Bucket Key for SSE-KMS (fewer KMS calls). */
  readonly bucketKeyEnabled?: boolean;
  /**
   * `putStream` switches to a multipart upload once the stream exceeds one part; default 8 MiB,
   * at least 5 MiB. Memory held per upload is about `partSizeBytes * (queueSize + 1)`.
   */
  readonly partSizeBytes?: number;
  /** Parts of one `putStream` uploaded concurrently; default 4. */
  readonly queueSize?: number;
}

const DEFAULTS = { partSizeBytes: 8 * 1024 * 1024, queueSize: 4 } as const;

type SseParams = Pick<PutObjectCommandInput, 'ServerSideEncryption' | 'SSEKMSKeyId' | 'BucketKeyEnabled'>;

/**
 * The S3 adapter of the `ObjectStore` port (AWS SDK v3). The `S3Client` is injected: region,
 * credentials, endpoint and retry policy are the wiring's business. SDK errors are translated at
 * this boundary (see `translateS3Error`); a missing object is `undefined`.
 */
export class S3ObjectStore implements ObjectStore {
  private readonly sse: SseParams;
  private readonly partSizeBytes: number;
  private readonly queueSize: number;

  constructor(
    private readonly client: S3Client,
    options: S3ObjectStoreOptions = {},
  ) {
    const issues = validateOptions(options);
    if (issues.length > 0) {
      throw new ConfigError(
        `storage-s3: invalid S3ObjectStore options: ${issues.map((i) => `${i.key} ${i.problem}`).join('; ')}`,
        issues,
      );
    }
    this.partSizeBytes = options.partSizeBytes ?? DEFAULTS.partSizeBytes;
    this.queueSize = options.queueSize ?? DEFAULTS.queueSize;
    this.sse = {
      ...(options.serverSideEncryption !== undefined && { ServerSideEncryption: options.serverSideEncryption }),
      ...(options.sseKmsKeyId !== undefined && { SSEKMSKeyId: options.sseKmsKeyId }),
      ...(options.bucketKeyEnabled !== undefined && { BucketKeyEnabled: options.bucketKeyEnabled }),
    };
  }

  /** {@inheritDoc ObjectStore.head} */
  async head(ref: ObjectRef): Promise<ObjectMeta | undefined> {
    const context: S3ErrorContext = { operation: 'head', ...ref };
    try {
      const output = await this.client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      return {
        key: ref.key,
        size: output.ContentLength ?? 0,
        etag: requireEtag(output.ETag, context),
        lastModified: output.LastModified ?? new Date(0),
        ...(output.VersionId !== undefined && { versionId: output.VersionId }),
      };
    } catch (error) {
      if (isS3NotFound(error)) return undefined;
      throw translateS3Error(error, context);
    }
  }

  /** {@inheritDoc ObjectStore.getStream} */
  async getStream(ref: ObjectRef, range?: ByteRange): Promise<Readable | undefined> {
    const context: S3ErrorContext = { operation: 'getStream', ...ref };
    const body = await this.getBody(ref, context, range);
    if (body === undefined) return undefined;
    return translateStreamErrors(body, context);
  }

  /** {@inheritDoc ObjectStore.getBytes} */
  async getBytes(ref: ObjectRef): Promise<Uint8Array | undefined> {
    const context: S3ErrorContext = { operation: 'getBytes', ...ref };
    const body = await this.getBody(ref, context);
    if (body === undefined) return undefined;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    } catch (error) {
      throw translateS3Error(error, context);
    }
    const all = Buffer.concat(chunks);
    // A plain Uint8Array that owns its memory: small Buffers are slices of a shared 8 KiB pool,
    // and a caller reading `.buffer` must not see (or keep alive) other data.
    if (all.byteOffset === 0 && all.byteLength === all.buffer.byteLength) return new Uint8Array(all.buffer);
    return new Uint8Array(all);
  }

  /** {@inheritDoc ObjectStore.put} */
  async put(ref: ObjectRef, body: Uint8Array | string, options?: PutOptions): Promise<PutResult> {
    return this.putObject(ref, body, options, { operation: 'put', ...ref });
  }

  /**
   * {@inheritDoc ObjectStore.putStream}
   *
   * One PutObject when the stream fits in one part, else a multipart upload of `partSizeBytes`
   * parts, `queueSize` at a time; a failed multipart upload is aborted, so no part lingers and
   * readers never see a partial object.
   */
  async putStream(
    ref: ObjectRef,
    body: Readable | AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<PutResult> {
    return this.upload(ref, body, options, { operation: 'putStream', ...ref });
  }

  /** `putStream` through lib-storage's `Upload`; `IfNoneMatch` goes on its PutObject or CompleteMultipartUpload. */
  private async upload(
    ref: ObjectRef,
    body: Readable | AsyncIterable<Uint8Array>,
    options: PutOptions | undefined,
    context: S3ErrorContext,
    condition?: Pick<PutObjectCommandInput, 'IfNoneMatch'>,
  ): Promise<PutResult> {
    try {
      const upload = new Upload({
        client: this.client,
        partSize: this.partSizeBytes,
        queueSize: this.queueSize,
        leavePartsOnError: false,
        params: {
          Bucket: ref.bucket,
          Key: ref.key,
          // lib-storage reads Readable, web streams, Blob and buffers; a bare async iterable is wrapped.
          Body: body instanceof Readable ? body : Readable.from(body),
          ...this.writeOptions(options),
          ...condition,
        },
      });
      const output = await upload.done();
      return toPutResult(output.ETag, output.VersionId, context);
    } catch (error) {
      throw translateS3Error(error, context);
    }
  }

  /** {@inheritDoc ObjectStore.list} */
  async list(bucket: string, prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const context: S3ErrorContext = { operation: 'list', bucket, key: prefix };
    const { limit, token } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new StorageError(
        `storage-s3: list failed for bucket "${bucket}" prefix "${prefix}": limit must be a positive integer, got ${limit}`,
      );
    }
    // Like S3 (and the local adapters): above the maximum is the maximum; an empty delimiter is none.
    const maxKeys = limit === undefined ? undefined : Math.min(limit, MAX_LIST_LIMIT);
    const delimiter = options.delimiter === '' ? undefined : options.delimiter;
    try {
      const output = await this.client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(token !== undefined && { ContinuationToken: token }),
          ...(maxKeys !== undefined && { MaxKeys: maxKeys }),
          ...(delimiter !== undefined && { Delimiter: delimiter }),
        }),
      );
      const objects: ObjectMeta[] = (output.Contents ?? []).map((entry) => ({
        key: entry.Key ?? '',
        size: entry.Size ?? 0,
        etag: entry.ETag ?? '',
        lastModified: entry.LastModified ?? new Date(0),
      }));
      const prefixes = (output.CommonPrefixes ?? [])
        .map((p) => p.Prefix)
        .filter((p): p is string => p !== undefined);
      const nextToken = output.IsTruncated === true ? output.NextContinuationToken : undefined;
      return { objects, prefixes, ...(nextToken !== undefined && { nextToken }) };
    } catch (error) {
      throw translateS3Error(error, context);
    }
  }

  /** {@inheritDoc ObjectStore.copy} */
  async copy(from: ObjectRef, to: ObjectRef): Promise<PutResult> {
    const context: S3ErrorContext = { operation: 'copy', ...from, destination: to };
    try {
      const output = await this.client.send(
        new CopyObjectCommand({
          Bucket: to.bucket,
          Key: to.key,
          CopySource: formatCopySource(from.bucket, from.key),
          ...this.sse,
        }),
      );
      return toPutResult(output.CopyObjectResult?.ETag, output.VersionId, context);
    } catch (error) {
      // A missing source is a StorageError by the port's contract: translateS3Error gives exactly that.
      throw translateS3Error(error, context);
    }
  }

  /** {@inheritDoc ObjectStore.delete} */
  async delete(ref: ObjectRef): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    } catch (error) {
      // S3 answers 204 for a missing key; a 404 here still means "already gone".
      if (isS3NotFound(error)) return;
      throw translateS3Error(error, { operation: 'delete', ...ref });
    }
  }

  /** {@inheritDoc ObjectStore.putIfAbsent} */
  async putIfAbsent(ref: ObjectRef, body: ObjectBody, options?: PutOptions): Promise<PutResult> {
    const context: S3ErrorContext = { operation: 'putIfAbsent', ...ref, condition: 'if-none-match' };
    if (isStreamBody(body)) return this.upload(ref, body, options, context, { IfNoneMatch: '*' });
    return this.putObject(ref, body, options, context, { IfNoneMatch: '*' });
  }

  /** {@inheritDoc ObjectStore.putIfMatch} */
  async putIfMatch(
    ref: ObjectRef,
    body: Uint8Array | string,
    etag: string,
    options?: PutOptions,
  ): Promise<PutResult> {
    return this.putObject(ref, body, options, { operation: 'putIfMatch', ...ref, condition: 'if-match' }, {
      IfMatch: etag,
    });
  }

  private async getBody(ref: ObjectRef, context: S3ErrorContext, range?: ByteRange): Promise<Readable | undefined> {
    const rangeHeader = range === undefined ? undefined : formatRange(range, context);
    try {
      const output = await this.client.send(
        new GetObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          ...(rangeHeader !== undefined && { Range: rangeHeader }),
        }),
      );
      return toReadable(output.Body);
    } catch (error) {
      if (isS3NotFound(error)) return undefined;
      throw translateS3Error(error, context);
    }
  }

  private async putObject(
    ref: ObjectRef,
    body: Uint8Array | string,
    options: PutOptions | undefined,
    context: S3ErrorContext,
    condition?: Pick<PutObjectCommandInput, 'IfNoneMatch' | 'IfMatch'>,
  ): Promise<PutResult> {
    try {
      const output = await this.client.send(
        new PutObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          Body: body,
          // Explicit, so that an empty body is sent as `Content-Length: 0` (the SDK leaves it out and warns).
          ContentLength: typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength,
          ...this.writeOptions(options),
          ...condition,
        }),
      );
      return toPutResult(output.ETag, output.VersionId, context);
    } catch (error) {
      throw translateS3Error(error, context);
    }
  }

  private writeOptions(options: PutOptions | undefined): Partial<PutObjectCommandInput> {
    return {
      ...(options?.contentType !== undefined && { ContentType: options.contentType }),
      ...(options?.metadata !== undefined && { Metadata: { ...options.metadata } }),
      ...this.sse,
    };
  }
}

function validateOptions(options: S3ObjectStoreOptions): { key: string; problem: string }[] {
  const issues: { key: string; problem: string }[] = [];
  const { partSizeBytes, queueSize, sseKmsKeyId, serverSideEncryption } = options;
  if (partSizeBytes !== undefined && (!Number.isInteger(partSizeBytes) || partSizeBytes < MIN_PART_SIZE_BYTES)) {
    issues.push({ key: 'partSizeBytes', problem: `must be an integer >= ${MIN_PART_SIZE_BYTES} (5 MiB)` });
  }
  if (queueSize !== undefined && (!Number.isInteger(queueSize) || queueSize < 1)) {
    issues.push({ key: 'queueSize', problem: 'must be an integer >= 1' });
  }
  if (sseKmsKeyId !== undefined && serverSideEncryption !== 'aws:kms' && serverSideEncryption !== 'aws:kms:dsse') {
    issues.push({ key: 'sseKmsKeyId', problem: "requires serverSideEncryption 'aws:kms' or 'aws:kms:dsse'" });
  }
  return issues;
}

function formatRange(range: ByteRange, context: S3ErrorContext): string {
  const { start, end } = range;
  // S3 silently ignores a malformed Range and returns the whole object: refuse it here instead.
  if (!Number.isInteger(start) || start < 0 || (end !== undefined && (!Number.isInteger(end) || end < start))) {
    throw new StorageError(
      `storage-s3: ${context.operation} failed for bucket "${context.bucket}" key "${context.key}": invalid byte range ${start}-${end ?? ''}`,
    );
  }
  return end === undefined ? `bytes=${start}-` : `bytes=${start}-${end}`;
}

function requireEtag(etag: string | undefined, context: S3ErrorContext): string {
  if (etag === undefined || etag === '') {
    const target = context.destination ?? context;
    throw new StorageError(
      `storage-s3: ${context.operation} failed for bucket "${target.bucket}" key "${target.key}": S3 returned no ETag`,
    );
  }
  return etag;
}

function toPutResult(etag: string | undefined, versionId: string | undefined, context: S3ErrorContext): PutResult {
  return { etag: requireEtag(etag, context), ...(versionId !== undefined && { versionId }) };
}

function toReadable(body: unknown): Readable {
  if (body instanceof Readable) return body;
  if (body === undefined || body === null) return Readable.from([]);
  if (body instanceof WebReadableStream) return Readable.fromWeb(body);
  if (body instanceof Uint8Array || typeof body === 'string') return Readable.from([Buffer.from(body)]);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    return Readable.from(body as AsyncIterable<unknown>);
  }
  throw new TypeError('storage-s3: GetObject returned a Body that is not a stream');
}

/**
 * Re-emits the response body through a PassThrough whose errors are translated: a socket reset
 * halfway through a download surfaces as `TransientStorageError`, like any other S3 failure.
 * Destroying the returned stream early destroys the body too, releasing the HTTP connection.
 */
function translateStreamErrors(body: Readable, context: S3ErrorContext): Readable {
  const out = new PassThrough();
  body.on('error', (error) => out.destroy(translateS3Error(error, context)));
  out.on('close', () => {
    if (!body.destroyed) body.destroy();
  });
  body.pipe(out);
  return out;
}
