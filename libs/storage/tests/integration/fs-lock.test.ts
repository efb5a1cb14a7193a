import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, type FsLockOptions, isProcessAlive, withLock } from '../../src/fs-lock';

const DEAD_PID = 2 ** 22 + 54_321; // above Linux's pid_max ceiling
let root: string;
let options: FsLockOptions;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ledgerlake-fs-lock-'));
  options = { locksDir: join(root, '.locks'), tmpDir: join(root, '.tmp'), staleMs: 60_000, timeoutMs: 10_000 };
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs `count` contenders for one lock; returns the most that were ever inside at once. */
async function maxInside(count: number): Promise<{ max: number; done: number }> {
  let inside = 0;
  let max = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: count }, () =>
      withLock('shared.lock', options, async () => {
        inside += 1;
        max = Math.max(max, inside);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inside -= 1;
        done += 1;
      }),
    ),
  );
  return { max, done };
}

describe('fs lock', () => {
  it('lets one holder in at a time', async () => {
    expect(await maxInside(12)).toEqual({ max: 1, done: 12 });
  });

  it('lets one holder in at a time while many contenders break the same dead lock', async () => {
    await mkdir(options.locksDir, { recursive: true });
    await writeFile(
      join(options.locksDir, 'shared.lock'),
      JSON.stringify({ pid: DEAD_PID, host: hostname(), nonce: 'dead' }),
    );

    expect(await maxInside(12)).toEqual({ max: 1, done: 12 });
  });

  it('leaves no lock, break or staging file behind', async () => {
    await maxInside(5);

    expect(await readdir(options.locksDir)).toEqual([]);
    expect(await readdir(options.tmpDir)).toEqual([]);
  });

  it('releases the lock when the action throws', async () => {
    await expect(
      withLock('shared.lock', options, async () => {
        throw new Error('inside');
      }),
    ).rejects.toThrow('inside');

    await expect(withLock('shared.lock', { ...options, timeoutMs: 100 }, async () => 'again')).resolves.toBe('again');
  });

  it('does not remove a lock that another holder took over after this one was broken', async () => {
    const held = await acquireLock('shared.lock', options);
    const path = join(options.locksDir, 'shared.lock');
    await rm(path);
    await writeFile(path, JSON.stringify({ pid: process.pid, host: hostname(), nonce: 'successor' }));

    await held.release();

    expect(await readdir(options.locksDir)).toEqual(['shared.lock']);
  });
});

describe('isProcessAlive', () => {
  it('is true for this process and false for a pid that cannot exist', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(DEAD_PID)).toBe(false);
  });
});
