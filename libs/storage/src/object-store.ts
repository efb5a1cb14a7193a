import type { Readable } from 'node:stream';

/** Where an object lives: a bucket (a folder of the local lake) and a key. */
export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

/** What a conditional create takes: bytes, a string (UTF-8), or a stream of any size. */
export type ObjectBody = Uint8Array | string | Readable | AsyncIterable<Uint8Array>;

/** Whether a body is a stream (else bytes or a string, held whole). */
export function isStreamBody(body: ObjectBody): body is Readable | AsyncIterable<Uint8Array> {
  return typeof body !== 'string' && !(body instanceof Uint8Array);
}

/** What `head` and `list` report of an object. */
export interface ObjectMeta {
  readonly key: string;
  /** Size in bytes. */
  readonly size: number;
  /** Opaque version tag, quoted as S3 does; changes on every write of the key. */
  readonly etag: string;
  readonly lastModified: Date;
  /** S3 object version id where the bucket is versioned; absent elsewhere. */
  readonly versionId?: string;
}

/** The result of a write. */
export interface PutResult {
  readonly etag: string;
  readonly versionId?: string;
}

/** Options of a write. The port cannot read them back; the filesystem adapter does not store them. */
export interface PutOptions {
  readonly contentType?: string;
  /** Small user metadata, stored beside the object (S3 `x-amz-meta-*`). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Options of a listing. Keys come in ascending UTF-8 byte order, as S3 returns them. */
export interface ListOptions {
  /** Continuation token from the previous page's `nextToken`. */
  readonly token?: string;
  /** Page size; default 1000, the S3 maximum (larger values are clamped to it). */
  readonly limit?: number;
  /** Group keys sharing the prefix up to this delimiter into `prefixes` (S3 `CommonPrefixes`). */
  readonly delimiter?: string;
}

/** One page of a listing. */
export interface ListPage {
  readonly objects: readonly ObjectMeta[];
  /** Common prefixes (each ending in the delimiter) when a delimiter was given. */
  readonly prefixes: readonly string[];
  /** Present when more pages follow. */
  readonly nextToken?: string;
}

/**
 * An inclusive byte range, as in HTTP `Range: bytes=start-end`; `end` absent or past the last byte =
 * to the end. A `start` at or past the end of the object is a `StorageError` (S3: 416).
 */
export interface ByteRange {
  readonly start: number;
  readonly end?: number;
}

/**
 * The storage port: everything LedgerLake does with objects. Adapters: in-memory (tests),
 * filesystem (the local lake), S3. Missing objects are `undefined`, never an error; SDK and
 * filesystem failures surface as `TransientStorageError` (retryable) or `StorageError`;
 * a lost conditional write is an `ObjectConflictError`.
 */
export interface ObjectStore {
  /** Metadata of an object, or `undefined` when it does not exist. */
  head(ref: ObjectRef): Promise<ObjectMeta | undefined>;
  /** The object's bytes (optionally a byte range) as a stream, or `undefined` when it does not exist. */
  getStream(ref: ObjectRef, range?: ByteRange): Promise<Readable | undefined>;
  /** The whole object in memory, or `undefined` when it does not exist. For small objects only. */
  getBytes(ref: ObjectRef): Promise<Uint8Array | undefined>;
  /** Writes (creates or replaces) an object from bytes or a string (UTF-8). Readers never see a partial object. */
  put(ref: ObjectRef, body: Uint8Array | string, options?: PutOptions): Promise<PutResult>;
  /** Writes an object from a stream of any size without holding it in memory. Readers never see a partial object. */
  putStream(ref: ObjectRef, body: Readable | AsyncIterable<Uint8Array>, options?: PutOptions): Promise<PutResult>;
  /** One page of the objects whose keys start with `prefix`. */
  list(bucket: string, prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Server-side copy; throws `StorageError` when the source does not exist. */
  copy(from: ObjectRef, to: ObjectRef): Promise<PutResult>;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(ref: ObjectRef): Promise<void>;
  /**
   * Creates the object only if the key does not exist (S3 `If-None-Match: *`); otherwise
   * `ObjectConflictError` (`exists`). A stream body is written as `putStream` writes one, of any
   * size, without holding it in memory; the condition holds at the moment the object appears.
   */
  putIfAbsent(ref: ObjectRef, body: ObjectBody, options?: PutOptions): Promise<PutResult>;
  /**
   * Replaces the object only if its current ETag equals `etag` (S3 `If-Match`); otherwise
   * `ObjectConflictError` (`etag-mismatch`, or `missing` when the object is gone).
   */
  putIfMatch(ref: ObjectRef, body: Uint8Array | string, etag: string, options?: PutOptions): Promise<PutResult>;
}
