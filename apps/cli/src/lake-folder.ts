import { constants } from 'node:fs';
import { access, mkdir, readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Lake } from '@ledgerlake/runbook';
import { createLakeLayout, FsObjectStore, localBuckets } from '@ledgerlake/storage';
import { CliError } from './cli-error';

/*
 * A lake folder as a command opens it, without loading the functions (local-lake.ts wires them for
 * a run): `runs`, listings and `query` need only this.
 */

/** The lake folder when neither `--lake` nor `LEDGERLAKE_LAKE` is given. */
export const DEFAULT_LAKE_DIR = 'lake';

/**
 * An opened local lake: the folder, the filesystem object store over it and the key layout. A run
 * uses `root` only for scratch space (DuckDB's Gold work folder) and for its Map worker threads,
 * which reopen the lake as a filesystem store over `root` with `layout`'s buckets: a lake whose
 * store is not its folder (in memory, say a stage's buckets) runs its Map iterations in-process.
 */
export interface LocalLake extends Lake {
  readonly root: string;
}

/**
 * Opens the lake folder. To write (`ingest`, `promote`, the runbook's changes) it is created if
 * needed and must be writable; to read (`runs`, `logs`, `query`, listings) it must already be a
 * lake — an empty folder, or one holding at least one of the lake's bucket folders — and nothing
 * is created or asked of write access. Anything else is a `CliError` naming the path.
 */
export async function openLake(dir: string, mode: 'read' | 'write' = 'write'): Promise<LocalLake> {
  const root = resolve(dir);
  const existing = await stat(root).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new CliError(`The lake folder ${root} exists but is not a directory.`);
  }
  const buckets = localBuckets();
  const lake = { root, store: new FsObjectStore(root), layout: createLakeLayout(buckets) };
  if (mode === 'read') {
    if (existing === undefined) throw new CliError(`There is no lake at ${root} (no such folder): check --lake or LEDGERLAKE_LAKE.`);
    const names = Object.values(buckets);
    const held = await Promise.all(names.map((name) => stat(resolve(root, name)).then((s) => s.isDirectory(), () => false)));
    if (!held.some(Boolean) && (await readdir(root)).length > 0) {
      throw new CliError(
        `${root} is not a lake folder (it has none of ${names.map((name) => `${name}/`).join(', ')}): check --lake or LEDGERLAKE_LAKE.`,
      );
    }
    return lake;
  }
  if (existing === undefined) {
    await mkdir(root, { recursive: true }).catch((error: unknown) => {
      throw new CliError(`Cannot create the lake folder ${root}: ${describeFsError(error)}.`);
    });
  }
  await access(root, constants.W_OK | constants.X_OK).catch(() => {
    throw new CliError(`The lake folder ${root} is not writable.`);
  });
  return lake;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a parent is not a directory';
  return error instanceof Error ? error.message : String(error);
}
