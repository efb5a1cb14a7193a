import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ObjectConflictError, StorageError } from '@ledgerlake/domain';
import { FS_LOCKS_DIR, FS_TMP_DIR, FsObjectStore, fsLockName } from '../../src/fs-object-store';

// Filesystem specifics beyond the shared contract (libs/testing runs that against FsObjectStore).
const bucket = 'lake';
let root: string;
let store: FsObjectStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ledgerlake-fs-store-'));
  store = new FsObjectStore(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const ref = (key: string) => ({ bucket, key });
const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString());

/** An async iterable that yields `first`, then waits for `release()` before yielding `second`. */
function pausedBody(first: string, second: string) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let paused!: () => void;
  const reachedGate = new Promise<void>((resolve) => (paused = resolve));
  async function* body(): AsyncGenerator<Uint8Array> {
    yield Buffer.from(first);
    paused();
    await gate;
    yield Buffer.from(second);
  }
  return { body: body(), reachedGate, release };
}

async function tmpFiles(): Promise<string[]> {
  return readdir(join(root, FS_TMP_DIR)).catch(() => []);
}

describe('FsObjectStore layout on disk', () => {
  it('stores an object as <root>/<bucket>/<key>', async () => {
    await store.put(ref('a/b/c.txt'), 'on disk');

    expect(await stat(join(root, bucket, 'a', 'b', 'c.txt'))).toMatchObject({ size: 7 });
    expect(store.pathOf(ref('a/b/c.txt'))).toBe(join(root, bucket, 'a', 'b', 'c.txt'));
  });

  it('sees files put into the lake folder by other means', async () => {
    await mkdir(join(root, bucket, 'dropped'), { recursive: true });
    await writeFile(join(root, bucket, 'dropped', 'by-hand.csv'), 'a,b\n');

    expect(await store.head(ref('dropped/by-hand.csv'))).toMatchObject({ size: 4 });
    expect((await store.list(bucket, 'dropped/')).objects.map((o) => o.key)).toEqual(['dropped/by-hand.csv']);
  });

  it('removes the folders a delete leaves empty, up to but not including the bucket folder', async () => {
    await store.put(ref('x/y/z/only.txt'), '1');
    await store.put(ref('x/keep.txt'), '2');

    await store.delete(ref('x/y/z/only.txt'));

    expect(await readdir(join(root, bucket, 'x'))).toEqual(['keep.txt']);
    await store.delete(ref('x/keep.txt'));
    expect(await readdir(join(root, bucket))).toEqual([]);
  });

  it('works without fsync', async () => {
    const quick = new FsObjectStore(root, { fsync: false });

    await quick.put(ref('quick.txt'), 'fast');

    expect(text(await quick.getBytes(ref('quick.txt')))).toBe('fast');
  });
});

describe('FsObjectStore ETags', () => {
  it('changes the ETag on every write, even of identical content in quick succession', async () => {
    const etags = new Set<string>();

    for (let i = 0; i < 25; i += 1) etags.add((await store.put(ref('same.txt'), 'same bytes')).etag);

    expect(etags.size).toBe(25);
  });

  it('changes the ETag when an object is deleted and created again with the same content', async () => {
    const first = await store.putIfAbsent(ref('again.txt'), 'same');
    await store.delete(ref('again.txt'));

    const second = await store.putIfAbsent(ref('again.txt'), 'same');

    expect(second.etag).not.toBe(first.etag);
    await expect(store.putIfMatch(ref('again.txt'), 'x', first.etag)).rejects.toMatchObject({
      reason: 'etag-mismatch',
    });
  });

  it('derives the ETag from file metadata without reading the content', async () => {
    const { etag } = await store.put(ref('meta.bin'), Buffer.alloc(1000));
    const stats = await stat(store.pathOf(ref('meta.bin')), { bigint: true });

    expect(etag).toBe(`"${stats.ino.toString(16)}-${(1000).toString(16)}-${stats.mtimeNs.toString(16)}"`);
    expect((await store.head(ref('meta.bin')))?.etag).toBe(etag);
  });
});

describe('FsObjectStore atomic writes', () => {
  it('streams to a temporary file while the body arrives; the key appears only when it is complete', async () => {
    const { body, reachedGate, release } = pausedBody('first half|', 'second half');

    const writing = store.putStream(ref('slow/stream.txt'), body);
    await reachedGate;
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(await store.head(ref('slow/stream.txt'))).toBeUndefined();
    expect((await store.list(bucket, '')).objects).toEqual([]);
    const temps = await tmpFiles();
    expect(temps).toHaveLength(1);
    expect((await stat(join(root, FS_TMP_DIR, temps[0] as string))).size).toBe('first half|'.length);
    release();
    await writing;
    expect(text(await store.getBytes(ref('slow/stream.txt')))).toBe('first half|second half');
    expect(await tmpFiles()).toEqual([]);
  });

  it('keeps serving the old object while a replacement is being written', async () => {
    await store.put(ref('doc.txt'), 'old');
    const { body, reachedGate, release } = pausedBody('n', 'ew');

    const writing = store.putStream(ref('doc.txt'), body);
    await reachedGate;

    expect(text(await store.getBytes(ref('doc.txt')))).toBe('old');
    release();
    await writing;
    expect(text(await store.getBytes(ref('doc.txt')))).toBe('new');
  });

  it('a stream opened before an overwrite yields the old content', async () => {
    await store.put(ref('doc.txt'), 'old content');
    const reader = (await store.getStream(ref('doc.txt'))) as Readable;

    await store.put(ref('doc.txt'), 'new content!');

    const chunks: Buffer[] = [];
    for await (const chunk of reader) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('old content');
  });

  it('a failing source stream leaves no object and no temporary file, and its error surfaces', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('partial');
      throw new Error('source went away');
    }

    await expect(store.putStream(ref('broken.bin'), failing())).rejects.toThrow('source went away');

    expect(await store.head(ref('broken.bin'))).toBeUndefined();
    expect(await tmpFiles()).toEqual([]);
  });

  it('rejects a putStream chunk that is not bytes', async () => {
    const objects = Readable.from([{ not: 'bytes' }]);

    await expect(store.putStream(ref('objects.bin'), objects)).rejects.toThrow(
      'fs-store: putStream to lake/objects.bin got a object chunk; expected bytes',
    );
  });

  it('survives a concurrent delete removing the parent folder between mkdir and rename', async () => {
    for (let i = 0; i < 60; i += 1) {
      await store.put(ref('busy/other.txt'), 'x');

      await Promise.all([store.put(ref(`busy/new-${i}.txt`), 'y'), store.delete(ref('busy/other.txt'))]);

      expect(text(await store.getBytes(ref(`busy/new-${i}.txt`)))).toBe('y');
      await store.delete(ref(`busy/new-${i}.txt`));
    }
  });
});

describe('FsObjectStore after a crash', () => {
  it('ignores and can sweep temporary files a killed writer left behind', async () => {
    await mkdir(join(root, FS_TMP_DIR), { recursive: true });
    const leftover = join(root, FS_TMP_DIR, '99999-deadbeef.tmp');
    await writeFile(leftover, 'half an object');
    const old = (Date.now() - 2 * 24 * 60 * 60 * 1000) / 1000;
    await utimes(leftover, old, old);

    await store.put(ref('after.txt'), 'fine');
    const fresh = join(root, FS_TMP_DIR, 'fresh.tmp');
    await writeFile(fresh, 'in progress');

    expect((await store.list(bucket, '')).objects.map((o) => o.key)).toEqual(['after.txt']);
    expect(await store.removeStaleTemporaryFiles()).toBe(1);
    expect(await tmpFiles()).toEqual(['fresh.tmp']);
  });

  it('breaks a lock file whose holder process no longer exists', async () => {
    await mkdir(join(root, FS_LOCKS_DIR), { recursive: true });
    const deadPid = 2 ** 22 + 12_345; // above Linux's pid_max ceiling: no such process
    await writeFile(
      join(root, FS_LOCKS_DIR, fsLockName(ref('k.json'))),
      JSON.stringify({ pid: deadPid, host: (await import('node:os')).hostname(), nonce: 'crashed' }),
    );
    const patient = new FsObjectStore(root, { lockStaleMs: 60_000, lockTimeoutMs: 2_000 });

    await patient.put(ref('k.json'), 'written');

    expect(text(await patient.getBytes(ref('k.json')))).toBe('written');
    expect(await readdir(join(root, FS_LOCKS_DIR))).toEqual([]);
  });

  it('breaks an unreadable lock file once it is older than lockStaleMs', async () => {
    await mkdir(join(root, FS_LOCKS_DIR), { recursive: true });
    await writeFile(join(root, FS_LOCKS_DIR, fsLockName(ref('k.json'))), 'not json');
    const impatient = new FsObjectStore(root, { lockStaleMs: 200, lockTimeoutMs: 5_000 });

    const started = Date.now();
    await impatient.put(ref('k.json'), 'written');

    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(text(await impatient.getBytes(ref('k.json')))).toBe('written');
  });
});

describe('FsObjectStore key safety', () => {
  it.each(['../escape.txt', 'a/../../escape.txt', '/etc/passwd', 'a//b', 'a/./b', 'trailing/'])(
    'refuses the key %j and writes nothing',
    async (key) => {
      await expect(store.put(ref(key), 'x')).rejects.toThrow(StorageError);
      await expect(store.put(ref(key), 'x')).rejects.toThrow(`invalid key ${JSON.stringify(key)}`);

      expect(await readdir(root)).not.toContain('escape.txt');
      expect(await readdir(root).then((names) => names.filter((n) => n !== FS_TMP_DIR))).toEqual([]);
    },
  );

  it.each(['..', '.tmp', '.locks', 'a/b'])('refuses the bucket %j', async (name) => {
    await expect(store.put({ bucket: name, key: 'x' }, 'x')).rejects.toThrow('invalid bucket name');
    await expect(store.list(name, '')).rejects.toThrow('invalid bucket name');
  });

  it('refuses a list prefix that climbs out of the bucket', async () => {
    await expect(store.list(bucket, '../')).rejects.toThrow('invalid list prefix "../"');
  });
});

describe('FsObjectStore keys that are folders', () => {
  beforeEach(async () => {
    await store.put(ref('folder/inner.txt'), 'inner');
  });

  it('a folder is not an object: head and get are undefined, list shows only real objects', async () => {
    expect(await store.head(ref('folder'))).toBeUndefined();
    expect(await store.getBytes(ref('folder'))).toBeUndefined();
    expect(await store.getStream(ref('folder'))).toBeUndefined();
    expect((await store.list(bucket, 'fold')).objects.map((o) => o.key)).toEqual(['folder/inner.txt']);
  });

  it('deleting a folder key is a no-op that keeps its objects', async () => {
    await store.delete(ref('folder'));

    expect(text(await store.getBytes(ref('folder/inner.txt')))).toBe('inner');
  });

  it('writing an object where a folder of keys is refuses clearly', async () => {
    await expect(store.put(ref('folder'), 'x')).rejects.toThrow(
      'fs-store: lake/folder is a folder of other keys, not an object',
    );
    await expect(store.putIfAbsent(ref('folder'), 'x')).rejects.toThrow('other keys live under it as a folder');
    await expect(store.putIfAbsent(ref('folder'), 'x')).rejects.not.toBeInstanceOf(ObjectConflictError);
  });

  it('writing under an object as if it were a folder refuses clearly', async () => {
    await expect(store.put(ref('folder/inner.txt/below'), 'x')).rejects.toThrow(
      'fs-store: cannot write lake/folder/inner.txt/below: a parent of the key is an object',
    );
    await expect(store.putIfAbsent(ref('folder/inner.txt/below'), 'x')).rejects.toThrow(
      'a parent of the key is an object',
    );
  });

  it('copy of a missing source names it', async () => {
    await expect(store.copy(ref('nope.txt'), ref('to.txt'))).rejects.toThrow(
      'fs-store: copy source lake/nope.txt does not exist',
    );
    expect(await tmpFiles()).toEqual([]);
  });
});
