import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TransientStorageError } from '@ledgerlake/domain';
import { FS_LOCKS_DIR, FsObjectStore, fsLockName } from '../../src/fs-object-store';
import type { WorkerCommand, WorkerMessage } from './fixtures/fs-store-worker';

// Real OS processes racing on one lake folder: what in-process concurrency cannot show.
const WORKSPACE = resolve(__dirname, '../../../..');
const WORKER = join(__dirname, 'fixtures', 'fs-store-worker.ts');
const SLOW_MS = 120_000;
const bucket = 'lake';
let root: string;

interface Worker {
  readonly child: ChildProcess;
  /** Resolves with the first message matching `predicate`. */
  next(predicate: (message: WorkerMessage) => boolean): Promise<WorkerMessage>;
  readonly exited: Promise<number | null>;
}

function startWorker(command: WorkerCommand): Worker {
  const child = fork(WORKER, [JSON.stringify(command)], {
    cwd: WORKSPACE,
    execArgv: ['--require', '@swc-node/register'],
    env: { ...process.env, SWC_NODE_PROJECT: join(WORKSPACE, 'libs/storage/tsconfig.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: WorkerMessage[] = [];
  const waiters: { predicate: (m: WorkerMessage) => boolean; resolve: (m: WorkerMessage) => void }[] = [];
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  child.on('message', (message: WorkerMessage) => {
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  return {
    child,
    exited,
    next: (predicate) =>
      new Promise((resolveMessage, reject) => {
        const seen = messages.find((m) => predicate(m) || 'error' in m);
        if (seen) return 'error' in seen ? reject(new Error(seen.error)) : resolveMessage(seen);
        waiters.push({
          predicate: (m) => predicate(m) || 'error' in m,
          resolve: (m) => ('error' in m ? reject(new Error(m.error)) : resolveMessage(m)),
        });
        void exited.then((code) => reject(new Error(`fs-store-worker exited with ${code} before answering`)));
      }),
  };
}

/** Starts all workers, waits until each is ready, then releases them at once. */
async function runTogether(commands: WorkerCommand[]): Promise<{ won: string[]; conflicts: number }[]> {
  const workers = commands.map(startWorker);
  await Promise.all(workers.map((w) => w.next((m) => 'ready' in m)));
  for (const worker of workers) worker.child.send({ go: true });
  const results = await Promise.all(workers.map((w) => w.next((m) => 'result' in m)));
  await Promise.all(workers.map((w) => w.exited));
  return results.map((m) => ('result' in m ? m.result : { won: [], conflicts: 0 }));
}

/** Starts a worker process that takes the key's lock and keeps it; resolves once it holds it. */
async function lockHolder(root: string, bucket: string, key: string): Promise<Worker> {
  const holder = startWorker({ kind: 'hold-lock', root, bucket, key });
  try {
    await holder.next((m) => 'ready' in m);
    holder.child.send({ go: true });
    await holder.next((m) => 'locked' in m);
    return holder;
  } catch (err) {
    await killed(holder);
    throw err;
  }
}

async function killed(worker: Worker): Promise<void> {
  worker.child.kill('SIGKILL');
  await worker.exited; // reaped: its pid is gone, not a zombie that still answers kill(pid, 0)
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ledgerlake-fs-processes-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FsObjectStore across processes', () => {
  it(
    'putIfAbsent: for every key raced by three processes exactly one wins, and its content stays',
    async () => {
      const keys = Array.from({ length: 120 }, (_, i) => `race/${i % 10}/key-${i}.json`);

      const results = await runTogether(
        ['p1', 'p2', 'p3'].map((label) => ({ kind: 'race-put-if-absent', root, bucket, keys, label }) as const),
      );

      const winners = new Map<string, string[]>();
      results.forEach((result, i) => {
        for (const key of result.won) winners.set(key, [...(winners.get(key) ?? []), `p${i + 1}`]);
      });
      expect([...winners.keys()].sort()).toEqual([...keys].sort());
      expect([...winners.values()].filter((labels) => labels.length !== 1)).toEqual([]);
      expect(results.reduce((sum, r) => sum + r.conflicts, 0)).toBe(2 * keys.length);
      const store = new FsObjectStore(root);
      for (const key of keys.slice(0, 20)) {
        const bytes = await store.getBytes({ bucket, key });
        expect(Buffer.from(bytes ?? []).toString()).toBe(winners.get(key)?.[0]);
      }
    },
    SLOW_MS,
  );

  it(
    'putIfMatch: two processes incrementing one counter by compare-and-swap reach the exact total',
    async () => {
      const store = new FsObjectStore(root);
      const ref = { bucket, key: 'control/counter.json' };
      await store.put(ref, '0');

      const results = await runTogether([
        { kind: 'count', root, bucket, key: ref.key, increments: 150 },
        { kind: 'count', root, bucket, key: ref.key, increments: 150 },
      ]);

      expect(Buffer.from((await store.getBytes(ref)) ?? []).toString()).toBe('300');
      // The processes really did contend: some compare-and-swaps lost and were retried.
      expect(results.reduce((sum, r) => sum + r.conflicts, 0)).toBeGreaterThan(0);
    },
    SLOW_MS,
  );

  it(
    'a lock left by a killed process does not block later writes (its pid is gone)',
    async () => {
      const ref = { bucket, key: 'locked/object.json' };
      const holder = await lockHolder(root, bucket, ref.key);
      await killed(holder);
      // Age alone would not free the lock for a minute: only the dead pid can explain a quick write.
      const store = new FsObjectStore(root, { lockStaleMs: 60_000, lockTimeoutMs: 10_000 });

      const started = Date.now();
      const first = await store.put(ref, 'after the crash');
      const second = await store.putIfMatch(ref, 'and again', first.etag);
      await store.delete(ref);

      expect(Date.now() - started).toBeLessThan(5_000);
      expect(second.etag).not.toBe(first.etag);
      expect(await store.head(ref)).toBeUndefined();
    },
    SLOW_MS,
  );

  it(
    'a lock held by a live process makes writers wait, then fail with TransientStorageError',
    async () => {
      const ref = { bucket, key: 'locked/object.json' };
      const holder = await lockHolder(root, bucket, ref.key);
      try {
        const store = new FsObjectStore(root, { lockStaleMs: 60_000, lockTimeoutMs: 300 });

        const attempt = store.put(ref, 'blocked');

        await expect(attempt).rejects.toBeInstanceOf(TransientStorageError);
        await expect(attempt).rejects.toThrow(`held by pid ${holder.child.pid}`);
        expect(await store.head(ref)).toBeUndefined();
      } finally {
        await killed(holder);
      }
    },
    SLOW_MS,
  );

  it(
    'a lock held by a live process for longer than lockStaleMs is taken over',
    async () => {
      const ref = { bucket, key: 'locked/object.json' };
      const holder = await lockHolder(root, bucket, ref.key);
      try {
        const store = new FsObjectStore(root, { lockStaleMs: 300, lockTimeoutMs: 10_000 });

        // Staleness is the lock file's age (its ctime), not the time since this call began.
        const lockedAt = (await stat(join(root, FS_LOCKS_DIR, fsLockName(ref)))).ctimeMs;
        await store.put(ref, 'taken over');

        expect(Date.now() - lockedAt).toBeGreaterThanOrEqual(300);
        expect(Buffer.from((await store.getBytes(ref)) ?? []).toString()).toBe('taken over');
      } finally {
        await killed(holder);
      }
    },
    SLOW_MS,
  );
});
