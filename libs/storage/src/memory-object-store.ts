import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectConflictError, StorageError } from '@ledgerlake/domain';
import { resolveByteRange } from './byte-range';
import { buildListPage, type KeyCursor } from './list-page';
import { assertBucketName, assertListPrefix, assertObjectRef, compareKeys } from './object-key';
import { isStreamBody } from './object-store';
import type {
  ByteRange,
  ListOptions,
  ListPage,
  ObjectMeta,
  ObjectRef,
  ObjectBody,
  ObjectStore,
  PutOptions,
  PutResult,
} from './object-store';

interface StoredObject {
  readonly bytes: Buffer;
  readonly etag: string;
  readonly lastModified: Date;
  readonly options: PutOptions;
}

const STREAM_CHUNK_BYTES = 64 * 1024;

/** Quoted MD5 of the content, as S3 reports a single-part upload's ETag. */
function md5Etag(bytes: Buffer): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

function toBuffer(body: Uint8Array | string): Buffer {
  // Always a copy: the caller may reuse its array after the write.
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
}

async function collect(body: Readable | AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(toBuffer(chunk));
  return Buffer.concat(chunks);
}

function copyOptions(options: PutOptions | undefined): PutOptions {
  return {
    ...(options?.contentType === undefined ? {} : { contentType: options.contentType }),
    ...(options?.metadata === undefined ? {} : { metadata: { ...options.metadata } }),
  };
}

/** A cursor over a sorted key array. */
function arrayCursor(sorted: readonly string[], after: string | undefined): KeyCursor {
  let index = 0;
  if (after !== undefined) {
    while (index < sorted.length && compareKeys(sorted[index] as string, after) <= 0) index += 1;
  }
  let skipPrefix: string | undefined;
  return {
    next: async () => {
      while (index < sorted.length) {
        const key = sorted[index] as string;
        index += 1;
        if (skipPrefix === undefined || !key.startsWith(skipPrefix)) return key;
      }
      return undefined;
    },
    skip: (prefix) => {
      skipPrefix = prefix;
    },
  };
}

/**
 * An `ObjectStore` held in a `Map`, for tests. Same semantics as the real adapters: ETag = quoted MD5
 * of the content, byte-order listing with opaque tokens, atomic conditional writes (every check and
 * write happens without yielding to the event loop). Buckets spring into existence on first write.
 */
export class MemoryObjectStore implements ObjectStore {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  /** The content type and metadata an object was written with (the port has no way to read them back), or `undefined`. */
  optionsOf(ref: ObjectRef): PutOptions | undefined {
    return this.find(ref)?.options;
  }

  async head(ref: ObjectRef): Promise<ObjectMeta | undefined> {
    assertObjectRef(ref);
    const stored = this.find(ref);
    return stored && this.metaOf(ref.key, stored);
  }

  async getStream(ref: ObjectRef, range?: ByteRange): Promise<Readable | undefined> {
    assertObjectRef(ref);
    const stored = this.find(ref);
    if (!stored) return undefined;
    const { start, end } = resolveByteRange(ref, stored.bytes.length, range);
    const slice = stored.bytes.subarray(start, end + 1);
    const chunks: Buffer[] = [];
    for (let at = 0; at < slice.length; at += STREAM_CHUNK_BYTES) {
      chunks.push(slice.subarray(at, at + STREAM_CHUNK_BYTES));
    }
    return Readable.from(chunks, { objectMode: false });
  }

  async getBytes(ref: ObjectRef): Promise<Uint8Array | undefined> {
    assertObjectRef(ref);
    const stored = this.find(ref);
    return stored && new Uint8Array(stored.bytes);
  }

  async put(ref: ObjectRef, body: Uint8Array | string, options?: PutOptions): Promise<PutResult> {
    assertObjectRef(ref);
    return this.store(ref, toBuffer(body), options);
  }

  async putStream(
    ref: ObjectRef,
    body: Readable | AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<PutResult> {
    assertObjectRef(ref);
    return this.store(ref, await collect(body), options);
  }

  async list(bucket: string, prefix: string, options: ListOptions = {}): Promise<ListPage> {
    assertBucketName(bucket);
    assertListPrefix(bucket, prefix);
    const objects = this.buckets.get(bucket) ?? new Map<string, StoredObject>();
    const sorted = [...objects.keys()].filter((key) => key.startsWith(prefix)).sort(compareKeys);
    return buildListPage(
      bucket,
      prefix,
      options,
      (after) => arrayCursor(sorted, after),
      async (key) => {
        const stored = objects.get(key);
        return stored && this.metaOf(key, stored);
      },
    );
  }

  async copy(from: ObjectRef, to: ObjectRef): Promise<PutResult> {
    assertObjectRef(from);
    assertObjectRef(to);
    const source = this.find(from);
    if (!source) {
      throw new StorageError(`memory-store: copy source ${from.bucket}/${from.key} does not exist`);
    }
    return this.store(to, source.bytes, source.options);
  }

  async delete(ref: ObjectRef): Promise<void> {
    assertObjectRef(ref);
    this.buckets.get(ref.bucket)?.delete(ref.key);
  }

  async putIfAbsent(ref: ObjectRef, body: ObjectBody, options?: PutOptions): Promise<PutResult> {
    assertObjectRef(ref);
    const bytes = isStreamBody(body) ? await collect(body) : toBuffer(body);
    // Checked once the whole body is in: the condition holds when the object appears.
    if (this.find(ref)) throw new ObjectConflictError(ref.bucket, ref.key, 'exists');
    return this.store(ref, bytes, options);
  }

  async putIfMatch(
    ref: ObjectRef,
    body: Uint8Array | string,
    etag: string,
    options?: PutOptions,
  ): Promise<PutResult> {
    assertObjectRef(ref);
    const current = this.find(ref);
    if (!current) throw new ObjectConflictError(ref.bucket, ref.key, 'missing');
    if (current.etag !== etag) throw new ObjectConflictError(ref.bucket, ref.key, 'etag-mismatch');
    return this.store(ref, toBuffer(body), options);
  }

  private find(ref: ObjectRef): StoredObject | undefined {
    return this.buckets.get(ref.bucket)?.get(ref.key);
  }

  private store(ref: ObjectRef, bytes: Buffer, options: PutOptions | undefined): PutResult {
    let objects = this.buckets.get(ref.bucket);
    if (!objects) {
      objects = new Map();
      this.buckets.set(ref.bucket, objects);
    }
    const etag = md5Etag(bytes);
    objects.set(ref.key, { bytes, etag, lastModified: new Date(), options: copyOptions(options) });
    return { etag };
  }

  private metaOf(key: string, stored: StoredObject): ObjectMeta {
    return { key, size: stored.bytes.length, etag: stored.etag, lastModified: stored.lastModified };
  }
}
