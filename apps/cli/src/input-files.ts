import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { isRunbookFileName } from '@ledgerlake/storage';
import { CliError, EXIT } from './cli-error';

/* The user's input files, checked before anything lands (`ingest`, `backfill`). */

/** A file on disk, checked readable, ready to land (streamed: its size is not limited by memory). */
export interface InputFile {
  /** As the user typed it. */
  readonly path: string;
  /** Where it is. */
  readonly absolutePath: string;
  /** Its size in bytes when it was checked. */
  readonly size: number;
}

/** The file's bytes as a stream, 1 MiB at a time. */
export function openInputFile(file: InputFile): Readable {
  return createReadStream(file.absolutePath, { highWaterMark: 1 << 20 });
}

/** Checks every input file before anything is ingested: one unreadable file stops the command with one sentence. */
export async function checkInputFiles(paths: readonly string[], cwd: string): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const path of paths) {
    const absolutePath = resolve(cwd, path);
    try {
      const handle = await open(absolutePath, 'r');
      try {
        const stats = await handle.stat();
        if (stats.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
        files.push({ path, absolutePath, size: stats.size });
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new CliError(`Cannot read ${path}: ${describeReadError(error)}; nothing was ingested.`);
    }
  }
  return files;
}

/**
 * Refuses a file whose name is one the runbook gives its own Bronze files (`retry-<run id>.csv`,
 * `backfill-<YYYY-MM>-<run id>.csv`): no trigger would ever run it again, in the cloud or by `watch`.
 */
export function checkLandingNames(files: readonly InputFile[]): void {
  const taken = files.find((file) => isRunbookFileName(basename(file.path)));
  if (taken !== undefined) {
    throw new CliError(
      `${taken.path} is named like a file the runbook lands itself (retry-<run id>.csv, backfill-<YYYY-MM>-<run id>.csv); rename it and ingest it again. Nothing was ingested.`,
      EXIT.usage,
    );
  }
}

function describeReadError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
