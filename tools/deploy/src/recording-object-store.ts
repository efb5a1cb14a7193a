import type { Readable } from 'node:stream';
import type {
  ByteRange,
  ListOptions,
  ListPage,
  ObjectBody,
  ObjectMeta,
  ObjectRef,
  ObjectStore,
  PutOptions,
  PutResult,
} from '@ledgerlake/storage';
import type { AccessRequest } from './iam-policy';

/** The S3 permissions the `ObjectStore` port's operations need (through the S3 adapter). */
export type S3Action = 's3:GetObject' | 's3:PutObject' | 's3:AbortMultipartUpload' | 's3:ListBucket' | 's3:DeleteObject';

/** One permission a function needed: an action on an object key, or (ListBucket) on a key prefix. */
export interface S3Access {
  readonly actor: string;
  readonly action: S3Action;
  readonly bucket: string;
  /** The object key; for `s3:ListBucket`, the prefix listed (or the key probed for existence). */
  readonly key: string;
}

/** The IAM request an access makes: object actions on the object ARN, ListBucket on the bucket with `s3:prefix`. */
export function accessRequest(access: S3Access): AccessRequest {
  if (access.action === 's3:ListBucket') {
    return { action: access.action, resource: `arn:aws:s3:::${access.bucket}`, context: { 's3:prefix': access.key } };
  }
  return { action: access.action, resource: `arn:aws:s3:::${access.bucket}/${access.key}` };
}

/**
 * One actor's (one function's) view of a store that records the S3 permissions each call needs
 * through `S3ObjectStore`: HeadObject/GetObject → `s3:GetObject`; PutObject (conditional or not) →
 * `s3:PutObject`; a streamed write may be a multipart upload, aborted on failure → also
 * `s3:AbortMultipartUpload`; ListObjectsV2 → `s3:ListBucket` on the prefix. A read that finds
 * nothing needs `s3:ListBucket` on the key too: without it S3 answers 403, not 404, and the
 * adapter's "missing is `undefined`" contract breaks. The views of several actors, running at the
 * same time, share one `accesses` list.
 */
export class RecordingObjectStore implements ObjectStore {
  constructor(
    private readonly inner: ObjectStore,
    /** Whom every call through this view is made for. */
    readonly actor: string,
    /** Where the accesses are noted (shared by the views of one recording). */
    readonly accesses: S3Access[] = [],
  ) {}

  private record(action: S3Action, bucket: string, key: string): void {
    this.accesses.push({ actor: this.actor, action, bucket, key });
  }

  private recordRead<T>(ref: ObjectRef, result: T | undefined): T | undefined {
    if (result === undefined) this.record('s3:ListBucket', ref.bucket, ref.key);
    return result;
  }

  /** {@inheritDoc ObjectStore.head} */
  async head(ref: ObjectRef): Promise<ObjectMeta | undefined> {
    this.record('s3:GetObject', ref.bucket, ref.key);
    return this.recordRead(ref, await this.inner.head(ref));
  }

  /** {@inheritDoc ObjectStore.getStream} */
  async getStream(ref: ObjectRef, range?: ByteRange): Promise<Readable | undefined> {
    this.record('s3:GetObject', ref.bucket, ref.key);
    return this.recordRead(ref, await this.inner.getStream(ref, range));
  }

  /** {@inheritDoc ObjectStore.getBytes} */
  async getBytes(ref: ObjectRef): Promise<Uint8Array | undefined> {
    this.record('s3:GetObject', ref.bucket, ref.key);
    return this.recordRead(ref, await this.inner.getBytes(ref));
  }

  /** {@inheritDoc ObjectStore.put} */
  put(ref: ObjectRef, body: Uint8Array | string, options?: PutOptions): Promise<PutResult> {
    this.record('s3:PutObject', ref.bucket, ref.key);
    return this.inner.put(ref, body, options);
  }

  /** {@inheritDoc ObjectStore.putStream} */
  putStream(ref: ObjectRef, body: Readable | AsyncIterable<Uint8Array>, options?: PutOptions): Promise<PutResult> {
    this.record('s3:PutObject', ref.bucket, ref.key);
    this.record('s3:AbortMultipartUpload', ref.bucket, ref.key);
    return this.inner.putStream(ref, body, options);
  }

  /** {@inheritDoc ObjectStore.list} */
  list(bucket: string, prefix: string, options?: ListOptions): Promise<ListPage> {
    this.record('s3:ListBucket', bucket, prefix);
    return this.inner.list(bucket, prefix, options);
  }

  /** {@inheritDoc ObjectStore.copy} */
  copy(from: ObjectRef, to: ObjectRef): Promise<PutResult> {
    this.record('s3:GetObject', from.bucket, from.key);
    this.record('s3:PutObject', to.bucket, to.key);
    return this.inner.copy(from, to);
  }

  /** {@inheritDoc ObjectStore.delete} */
  delete(ref: ObjectRef): Promise<void> {
    this.record('s3:DeleteObject', ref.bucket, ref.key);
    return this.inner.delete(ref);
  }

  /** {@inheritDoc ObjectStore.putIfAbsent} */
  putIfAbsent(ref: ObjectRef, body: ObjectBody, options?: PutOptions): Promise<PutResult> {
    this.record('s3:PutObject', ref.bucket, ref.key);
    return this.inner.putIfAbsent(ref, body, options);
  }

  /** {@inheritDoc ObjectStore.putIfMatch} */
  putIfMatch(ref: ObjectRef, body: Uint8Array | string, etag: string, options?: PutOptions): Promise<PutResult> {
    this.record('s3:PutObject', ref.bucket, ref.key);
    return this.inner.putIfMatch(ref, body, etag, options);
  }
}
