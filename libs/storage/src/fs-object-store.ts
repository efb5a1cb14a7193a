import { createHash, randomBytes } from 'node:crypto';
import { constants, type BigIntStats } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, readdir, rename, rm, rmdir, stat, unlink, utimes } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { ObjectConflictError, StorageError } from '@ledgerlake/domain';
import { resolveByteRange } from './byte-range';
import { errorCode, translateFsError } from './fs-errors';
import { FsKeyCursor } from './fs-key-cursor';
import { withLock, type FsLockOptions } from './fs-lock';
import { buildListPage } from './list-page';
import { isStreamBody } from './object-store';
import { assertBucketName, assertListPrefix, assertObjectRef } from './object-key';
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

/** Tuning of the filesystem adapter. */
export interface FsObjectStoreOptions {
  /** fsync each object's bytes and its folder before reporting the write done (crash durability). Default true. */
  readonly fsync?: boolean;
  /** A per-key lock older than this is taken over even if its holder process still exists. Default 20 s. */
  readonly lockStaleMs?: number;
  /** How long a write waits for a per-key lock before failing with `TransientStorageError`. Default 30 s. */
  readonly lockTimeoutMs?: number;
}

/** Folder under the lake root for objects being written (same filesystem, so `rename` is atomic). */
export const FS_TMP_DIR = '.tmp';
/** Folder under the lake root for per-key lock files. */
export const FS_LOCKS_DIR = '.locks';

const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR']);
const ENOENT_RETRIES = 5;

/** The lock file name of a key under `<root>/.locks/`: a hash, so any key gives a short flat name. */
export function fsLockName(ref: ObjectRef): string {
  return `${createHash('sha256').update(`${ref.bucket}\n${ref.key}`).digest('hex')}.lock`;
}

/** Cheap, never-reused-in-practice ETag: inode, size and nanosecond mtime; no content hashing. */
function etagOf(stats: BigIntStats): string {
  return `"${stats.ino.toString(16)}-${stats.size.toString(16)}-${stats.mtimeNs.toString(16)}"`;
}

function metaOf(key: string, stats: BigIntStats): ObjectMeta {
  const lastModified = new Date(Number(stats.mtimeNs / 1_000_000n));
  return { key, size: Number(stats.size), etag: etagOf(stats), lastModified };
}

/** Wall-clock time in microseconds with sub-millisecond digits from the monotonic clock. */
function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n + (process.hrtime.bigint() / 1000n) % 1000n;
}

function toBuffer(chunk: unknown, ref: ObjectRef): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new StorageError(`fs-store: putStream to ${ref.bucket}/${ref.key} got a ${typeof chunk} chunk; expected bytes`);
}

/**
 * `ObjectStore` over a local lake folder: bucket = first-level folder, key = relative path. Content
 * type and metadata are not stored (the port never reads them back).
 *
 * Atomicity: every write goes to `<root>/.tmp/` first and becomes visible with one `rename` (or
 * `link`) on the same filesystem, so readers see the old object or the new one, never a part.
 * `putIfAbsent` commits with `link`, which fails with EEXIST if the key exists: atomic across
 * processes. `put`, `putIfMatch`, `copy` and `delete` commit under a per-key lock file in
 * `<root>/.locks/` (see `fs-lock.ts`), so the ETag check and the rename of `putIfMatch` cannot
 * interleave with another writer. Each commit stamps the new file's mtime strictly after the replaced
 * object's, so the ETag (inode, size, mtime ns) changes on every write even when the kernel's coarse
 * clock would repeat a timestamp and a freed inode number is reused.
 */
export class FsObjectStore implements ObjectStore {
  /** Absolute path of the lake folder. */
  readonly root: string;
  private readonly fsync: boolean;
  private readonly lockOptions: FsLockOptions;

  constructor(root: string, options: FsObjectStoreOptions = {}) {
    this.root = resolve(root);
    this.fsync = options.fsync ?? true;
    this.lockOptions = {
      locksDir: join(this.root, FS_LOCKS_DIR),
      tmpDir: join(this.root, FS_TMP_DIR),
      staleMs: options.lockStaleMs ?? 20_000,
      timeoutMs: options.lockTimeoutMs ?? 30_000,
    };
  }

  async head(ref: ObjectRef): Promise<ObjectMeta | undefined> {
    assertObjectRef(ref);
    const stats = await this.statObject(ref);
    return stats && metaOf(ref.key, stats);
  }

  async getStream(ref: ObjectRef, range?: ByteRange): Promise<Readable | undefined> {
    assertObjectRef(ref);
    const handle = await this.openObject(ref);
    if (!handle) return undefined;
    try {
      const { size } = await handle.stat();
      const { start, end } = resolveByteRange(ref, size, range);
      if (end < start) {
        await handle.close();
        return Readable.from([], { objectMode: false });
      }
      // The stream reads the inode opened here: a concurrent replace does not change what it yields.
      return handle.createReadStream({ start, end });
    } catch (error) {
      await handle.close();
      throw translateFsError(error, 'read', this.pathOf(ref));
    }
  }

  async getBytes(ref: ObjectRef): Promise<Uint8Array | undefined> {
    assertObjectRef(ref);
    const handle = await this.openObject(ref);
    if (!handle) return undefined;
    try {
      return await handle.readFile();
    } catch (error) {
      throw translateFsError(error, 'read', this.pathOf(ref));
    } finally {
      await handle.close();
    }
  }

  async put(ref: ObjectRef, body: Uint8Array | string, _options?: PutOptions): Promise<PutResult> {
    assertObjectRef(ref);
    return this.commit(ref, await this.writeTemp(ref, [toBuffer(body, ref)]), undefined);
  }

  async putStream(
    ref: ObjectRef,
    body: Readable | AsyncIterable<Uint8Array>,
    _options?: PutOptions,
  ): Promise<PutResult> {
    assertObjectRef(ref);
    return this.commit(ref, await this.writeTemp(ref, body), undefined);
  }

  async list(bucket: string, prefix: string, options: ListOptions = {}): Promise<ListPage> {
    assertBucketName(bucket);
    assertListPrefix(bucket, prefix);
    const bucketDir = join(this.root, bucket);
    return buildListPage(
      bucket,
      prefix,
      options,
      (after) => new FsKeyCursor(bucketDir, prefix, after),
      async (key) => {
        const stats = await this.statObject({ bucket, key });
        return stats && metaOf(key, stats);
      },
    );
  }

  async copy(from: ObjectRef, to: ObjectRef): Promise<PutResult> {
    assertObjectRef(from);
    assertObjectRef(to);
    const missing = () => new StorageError(`fs-store: copy source ${from.bucket}/${from.key} does not exist`);
    if (!(await this.statObject(from))) throw missing();
    const { temp, handle } = await this.createTemp();
    await handle.close();
    try {
      // COPYFILE_FICLONE: a copy-on-write clone where the filesystem can, a plain copy elsewhere.
      await copyFile(this.pathOf(from), temp, constants.COPYFILE_FICLONE);
      if (this.fsync) await this.syncPath(temp, 'r+');
    } catch (error) {
      await rm(temp, { force: true });
      if (MISSING_CODES.has(errorCode(error) ?? '')) throw missing();
      throw translateFsError(error, 'copy', `${this.pathOf(from)} -> ${this.pathOf(to)}`);
    }
    return this.commit(to, temp, undefined);
  }

  async delete(ref: ObjectRef): Promise<void> {
    assertObjectRef(ref);
    const target = this.pathOf(ref);
    await withLock(fsLockName(ref), this.lockOptions, async () => {
      try {
        await unlink(target);
      } catch (error) {
        const code = errorCode(error) ?? '';
        if (MISSING_CODES.has(code) || code === 'EISDIR') return; // a folder is not an object
        if (code === 'EPERM' && (await lstat(target).catch(() => undefined))?.isDirectory()) return;
        throw translateFsError(error, 'delete', target);
      }
    });
    await this.removeEmptyParents(ref);
  }

  async putIfAbsent(ref: ObjectRef, body: ObjectBody, _options?: PutOptions): Promise<PutResult> {
    assertObjectRef(ref);
    const temp = await this.writeTemp(ref, isStreamBody(body) ? body : [toBuffer(body, ref)]);
    try {
      const etag = await this.stamp(temp, undefined);
      // link() creates the name only if it does not exist: atomic create-if-absent across processes.
      await this.placeAt(ref, () => link(temp, this.pathOf(ref)), 'create');
      return { etag };
    } finally {
      await rm(temp, { force: true });
    }
  }

  async putIfMatch(
    ref: ObjectRef,
    body: Uint8Array | string,
    etag: string,
    _options?: PutOptions,
  ): Promise<PutResult> {
    assertObjectRef(ref);
    return this.commit(ref, await this.writeTemp(ref, [toBuffer(body, ref)]), etag);
  }

  /**
   * Deletes files in `<root>/.tmp/` not modified for `olderThanMs` (what writers killed mid-write
   * leave behind). They are never visible as objects, only using disk space. Returns how many went.
   */
  async removeStaleTemporaryFiles(olderThanMs = 24 * 60 * 60 * 1000): Promise<number> {
    const tmpDir = this.lockOptions.tmpDir;
    const names = await readdir(tmpDir).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return [];
      throw translateFsError(error, 'list', tmpDir);
    });
    let removed = 0;
    for (const name of names) {
      const path = join(tmpDir, name);
      const stats = await lstat(path).catch(() => undefined);
      if (stats && Date.now() - stats.mtimeMs > olderThanMs) {
        await rm(path, { force: true, recursive: true });
        removed += 1;
      }
    }
    return removed;
  }

  /** The absolute path of an object's file. */
  pathOf(ref: ObjectRef): string {
    return join(this.root, ref.bucket, ...ref.key.split('/'));
  }

  private newTempPath(): string {
    return join(this.lockOptions.tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}.tmp`);
  }

  /** Creates a new temporary file (and `.tmp/` when it is missing). */
  private async createTemp(): Promise<{ temp: string; handle: FileHandle }> {
    const temp = this.newTempPath();
    try {
      return { temp, handle: await open(temp, 'wx') };
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw translateFsError(error, 'create', temp);
    }
    try {
      await mkdir(this.lockOptions.tmpDir, { recursive: true });
      return { temp, handle: await open(temp, 'wx') };
    } catch (error) {
      throw translateFsError(error, 'create', temp);
    }
  }

  /** Streams `chunks` into a new temporary file (bytes go to disk as they come, never buffered whole). */
  private async writeTemp(ref: ObjectRef, chunks: Iterable<unknown> | AsyncIterable<unknown>): Promise<string> {
    const { temp, handle } = await this.createTemp();
    try {
      let position = 0;
      for await (const chunk of chunks) {
        const bytes = toBuffer(chunk, ref);
        position += await this.writeAll(handle, bytes, position, temp);
      }
      if (this.fsync) {
        await handle.sync().catch((error: unknown) => Promise.reject(translateFsError(error, 'sync', temp)));
      }
      await handle.close();
      return temp;
    } catch (error) {
      // A failing source stream propagates as is: it is the caller's error, not storage's.
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw error;
    }
  }

  private async writeAll(handle: FileHandle, bytes: Buffer, position: number, temp: string): Promise<number> {
    let written = 0;
    while (written < bytes.length) {
      try {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
        written += bytesWritten;
      } catch (error) {
        throw translateFsError(error, 'write', temp);
      }
    }
    return written;
  }

  /**
   * Makes a finished temporary file the object, under the key's lock: checks the ETag when `ifMatch`
   * is given, stamps the mtime past the replaced object's, renames into place.
   */
  private async commit(ref: ObjectRef, temp: string, ifMatch: string | undefined): Promise<PutResult> {
    const target = this.pathOf(ref);
    let etag: string;
    try {
      etag = await withLock(fsLockName(ref), this.lockOptions, async () => {
        const current = await this.statObject(ref, true);
        if (ifMatch !== undefined) {
          if (!current) throw new ObjectConflictError(ref.bucket, ref.key, 'missing');
          if (etagOf(current) !== ifMatch) throw new ObjectConflictError(ref.bucket, ref.key, 'etag-mismatch');
        }
        const stamped = await this.stamp(temp, current?.mtimeNs);
        await this.placeAt(ref, () => rename(temp, target), 'write');
        return stamped;
      });
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    // The rename is durable only once the folder entry is on disk.
    if (this.fsync) await this.syncPath(dirname(target), 'r').catch(() => undefined);
    return { etag };
  }

  /**
   * Sets the temporary file's mtime to now, but at least 2 µs after `previousNs` (2 µs covers the
   * sub-microsecond rounding of `utimes`), and returns its ETag; rename/link keep inode, size and mtime.
   */
  private async stamp(temp: string, previousNs: bigint | undefined): Promise<string> {
    let micros = nowMicros();
    if (previousNs !== undefined && micros < previousNs / 1000n + 2n) micros = previousNs / 1000n + 2n;
    const seconds = Number(micros) / 1e6;
    try {
      await utimes(temp, seconds, seconds);
      return etagOf(await stat(temp, { bigint: true }));
    } catch (error) {
      throw translateFsError(error, 'stamp', temp);
    }
  }

  /** Runs the rename/link that publishes an object, creating parent folders and translating conflicts. */
  private async placeAt(ref: ObjectRef, place: () => Promise<void>, operation: 'write' | 'create'): Promise<void> {
    const target = this.pathOf(ref);
    for (let attempt = 0; ; attempt += 1) {
      try {
        // First try without mkdir: the parent folder usually exists already.
        if (attempt > 0) await mkdir(dirname(target), { recursive: true });
        await place();
        return;
      } catch (error) {
        const code = errorCode(error);
        // ENOENT: the parent folder is missing, or a concurrent delete removed it (then empty)
        // between our mkdir and place: create it and try again.
        if (code === 'ENOENT' && attempt < ENOENT_RETRIES) continue;
        if (code === 'ENOTDIR' || (code === 'EEXIST' && (await this.isFileAbove(ref)))) {
          throw new StorageError(
            `fs-store: cannot ${operation} ${ref.bucket}/${ref.key}: a parent of the key is an object (${target})`,
            { cause: error },
          );
        }
        if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
          if ((await lstat(target).catch(() => undefined))?.isDirectory()) {
            throw new StorageError(
              `fs-store: cannot ${operation} ${ref.bucket}/${ref.key}: other keys live under it as a folder (${target})`,
              { cause: error },
            );
          }
          if (operation === 'create' && code === 'EEXIST') {
            throw new ObjectConflictError(ref.bucket, ref.key, 'exists', { cause: error });
          }
        }
        throw translateFsError(error, operation, target);
      }
    }
  }

  /** Whether some parent path of the key exists as a file (so the key cannot be a file below it). */
  private async isFileAbove(ref: ObjectRef): Promise<boolean> {
    const segments = ref.key.split('/').slice(0, -1);
    let path = join(this.root, ref.bucket);
    for (const segment of segments) {
      path = join(path, segment);
      const stats = await lstat(path).catch(() => undefined);
      if (!stats) return false;
      if (!stats.isDirectory()) return true;
    }
    return false;
  }

  /** Stats of the object's file; `undefined` if it does not exist or is a folder (unless `failOnFolder`). */
  private async statObject(ref: ObjectRef, failOnFolder = false): Promise<BigIntStats | undefined> {
    const path = this.pathOf(ref);
    let stats: BigIntStats;
    try {
      stats = await stat(path, { bigint: true });
    } catch (error) {
      if (MISSING_CODES.has(errorCode(error) ?? '')) return undefined;
      throw translateFsError(error, 'stat', path);
    }
    if (stats.isFile()) return stats;
    if (failOnFolder) {
      throw new StorageError(`fs-store: ${ref.bucket}/${ref.key} is a folder of other keys, not an object (${path})`);
    }
    return undefined;
  }

  private async openObject(ref: ObjectRef): Promise<FileHandle | undefined> {
    const path = this.pathOf(ref);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      const code = errorCode(error) ?? '';
      if (MISSING_CODES.has(code) || code === 'EISDIR') return undefined;
      throw translateFsError(error, 'open', path);
    }
    const stats = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw translateFsError(error, 'stat', path);
    });
    if (!stats.isFile()) {
      await handle.close();
      return undefined;
    }
    return handle;
  }

  private async syncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
    const handle = await open(path, flags);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Removes the folders a delete left empty, up to (not including) the bucket folder. */
  private async removeEmptyParents(ref: ObjectRef): Promise<void> {
    const bucketDir = join(this.root, ref.bucket);
    let dir = dirname(this.pathOf(ref));
    while (dir.startsWith(bucketDir + sep)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or gone, or not ours to remove): stop climbing
      }
      dir = dirname(dir);
    }
  }
}
