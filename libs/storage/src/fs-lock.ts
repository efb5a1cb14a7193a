import { randomUUID } from 'node:crypto';
import { link, lstat, mkdir, open, rm, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TransientStorageError } from '@ledgerlake/domain';
import { errorCode, translateFsError } from './fs-errors';

/** Where and how long to lock. */
export interface FsLockOptions {
  /** Folder of the lock files. */
  readonly locksDir: string;
  /** Folder for staging lock content; must be on the same filesystem as `locksDir`. */
  readonly tmpDir: string;
  /** A lock untouched for this long is taken over even when its holder seems alive. */
  readonly staleMs: number;
  /** Give up waiting (with `TransientStorageError`) after this long. */
  readonly timeoutMs: number;
}

/** A lock this process holds. */
export interface HeldLock {
  /** Removes the lock file if it is still ours; never throws (a leftover lock is recovered as stale). */
  release(): Promise<void>;
}

/** What a lock file says about its holder. */
interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly nonce: string;
}

interface LockFileState {
  readonly info: LockInfo | undefined;
  readonly ino: bigint;
  /** When the lock file was last linked/unlinked (ctime): the moment it was taken. */
  readonly changedMs: number;
}

const BREAK_SUFFIX = '.break';

function parseLockInfo(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockInfo>;
    return typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.nonce === 'string'
      ? { pid: value.pid, host: value.host, nonce: value.nonce }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a lock file in one open (content and inode agree), or `undefined` when there is none. */
async function readLockFile(path: string): Promise<LockFileState | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw translateFsError(error, 'read lock', path);
  }
  try {
    const stats = await handle.stat({ bigint: true });
    const text = await handle.readFile('utf8');
    return { info: parseLockInfo(text), ino: stats.ino, changedMs: Number(stats.ctimeNs / 1_000_000n) };
  } finally {
    await handle.close();
  }
}

/** Whether a process with this id exists on this machine (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

function isStale(state: LockFileState, staleMs: number): boolean {
  if (state.info && state.info.host === hostname() && !isProcessAlive(state.info.pid)) return true;
  return Date.now() - state.changedMs > staleMs;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Removes a stale lock, but only the very lock judged stale: a second, short-lived `.break` lock
 * (O_EXCL) serialises breakers, and the inode and nonce are checked again under it, so a breaker
 * that lost the race cannot delete the lock a faster breaker has just taken.
 * @returns whether the caller should retry at once (false: another breaker is at work, back off).
 */
async function breakStaleLock(lockPath: string, stale: LockFileState, staleMs: number): Promise<boolean> {
  const breakPath = lockPath + BREAK_SUFFIX;
  let breaker;
  try {
    breaker = await open(breakPath, 'wx');
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw translateFsError(error, 'break lock', breakPath);
    const other = await readLockFile(breakPath);
    if (other && Date.now() - other.changedMs > staleMs) await rm(breakPath, { force: true });
    return false;
  }
  try {
    await breaker.close();
    const current = await readLockFile(lockPath);
    if (current && current.ino === stale.ino && current.info?.nonce === stale.info?.nonce) {
      await rm(lockPath, { force: true });
    }
    return true;
  } finally {
    await rm(breakPath, { force: true });
  }
}

/**
 * Takes an exclusive lock that works across processes: the lock content (pid, host, nonce) is staged
 * in `tmpDir` and hard-linked to `<locksDir>/<name>`; `link` fails with EEXIST while another holder
 * has it, so exactly one process wins and a lock file is never seen half-written. A lock whose
 * holder died (same host, pid gone) or that was taken more than `staleMs` ago is broken. The staging
 * file stays until release: it pins the lock's inode, which is how release recognises its own lock.
 */
export async function acquireLock(name: string, options: FsLockOptions): Promise<HeldLock> {
  const lockPath = join(options.locksDir, name);
  const info: LockInfo = { pid: process.pid, host: hostname(), nonce: randomUUID() };
  const staged = join(options.tmpDir, `${name}.${info.nonce}.tmp`);
  const ino = await stageLockContent(staged, info, options.tmpDir);
  const deadline = Date.now() + options.timeoutMs;
  let delayMs = 2;
  let acquired = false;
  try {
    for (;;) {
      try {
        await link(staged, lockPath);
        acquired = true;
        return { release: () => releaseLock(lockPath, staged, ino) };
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOENT') {
          await mkdir(options.locksDir, { recursive: true });
          continue;
        }
        if (code !== 'EEXIST') throw translateFsError(error, 'lock', lockPath);
      }
      const holder = await readLockFile(lockPath);
      if (holder === undefined) continue;
      if (isStale(holder, options.staleMs) && (await breakStaleLock(lockPath, holder, options.staleMs))) continue;
      if (Date.now() > deadline) {
        const who = holder.info ? `pid ${holder.info.pid} on ${holder.info.host}` : 'an unknown holder';
        throw new TransientStorageError(
          `fs-store: lock ${lockPath} still held by ${who} after ${options.timeoutMs} ms`,
        );
      }
      await sleep(delayMs + Math.random() * delayMs);
      delayMs = Math.min(delayMs * 1.5, 50);
    }
  } finally {
    if (!acquired) await rm(staged, { force: true });
  }
}

/** Writes the lock content to a staging file and returns its inode (the lock file's, once linked). */
async function stageLockContent(staged: string, info: LockInfo, tmpDir: string): Promise<bigint> {
  const content = JSON.stringify({ ...info, since: new Date().toISOString() });
  let handle;
  try {
    handle = await open(staged, 'wx');
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw translateFsError(error, 'stage lock', staged);
    await mkdir(tmpDir, { recursive: true });
    handle = await open(staged, 'wx').catch((again: unknown) =>
      Promise.reject(translateFsError(again, 'stage lock', staged)),
    );
  }
  try {
    await handle.writeFile(content, 'utf8');
    return (await handle.stat({ bigint: true })).ino;
  } catch (error) {
    throw translateFsError(error, 'stage lock', staged);
  } finally {
    await handle.close();
  }
}

async function releaseLock(lockPath: string, staged: string, ino: bigint): Promise<void> {
  try {
    // The staging link keeps our inode allocated until after this check, so no new lock file can
    // reuse its number: same inode = still our lock (if ours was broken as stale, a successor's differs).
    if ((await lstat(lockPath, { bigint: true })).ino === ino) await unlink(lockPath);
  } catch {
    // The write this lock protected has already happened; a lock left behind is broken as stale
    // by the next writer, so failing the caller here would only report a success as a failure.
  } finally {
    await rm(staged, { force: true }).catch(() => undefined);
  }
}

/** Runs `action` while holding the lock `name`, releasing it afterwards whatever happens. */
export async function withLock<T>(name: string, options: FsLockOptions, action: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(name, options);
  try {
    return await action();
  } finally {
    await lock.release();
  }
}
