import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode, translateFsError } from './fs-errors';
import type { KeyCursor } from './list-page';
import { compareKeys } from './object-key';

interface Entry {
  /** The key of a file, or the key prefix (ending in `/`) of a folder. */
  readonly path: string;
  readonly isFolder: boolean;
}

/**
 * Walks a bucket folder lazily and yields its keys in UTF-8 byte order. A folder sorts as its name
 * plus `/`, which is exactly where all its keys fall among its siblings (`a-c` < `a/b` < `a0`).
 * Only folders that can hold keys at or after the resume position, matching the prefix and not
 * skipped are read, so a page costs roughly the folders it touches, not the whole bucket.
 */
export class FsKeyCursor implements KeyCursor {
  private skipPrefix: string | undefined;
  private readonly keys: AsyncGenerator<string>;

  constructor(
    private readonly bucketDir: string,
    private readonly prefix: string,
    private readonly after: string | undefined,
  ) {
    // Start in the deepest folder the prefix names completely.
    this.keys = this.walk(prefix.slice(0, prefix.lastIndexOf('/') + 1));
  }

  async next(): Promise<string | undefined> {
    const result = await this.keys.next();
    return result.done ? undefined : result.value;
  }

  skip(prefix: string): void {
    this.skipPrefix = prefix;
  }

  private async *walk(folder: string): AsyncGenerator<string> {
    for (const entry of await this.entriesOf(folder)) {
      if (!this.wanted(entry)) continue;
      if (entry.isFolder) yield* this.walk(entry.path);
      else yield entry.path;
    }
  }

  private wanted({ path, isFolder }: Entry): boolean {
    const { prefix, after, skipPrefix } = this;
    if (!(path.startsWith(prefix) || (isFolder && prefix.startsWith(path)))) return false;
    if (skipPrefix !== undefined && path.startsWith(skipPrefix)) return false;
    if (after !== undefined) {
      // Every key in a folder starts with its path: a folder entirely before `after` is skipped.
      if (isFolder) return !(compareKeys(path, after) < 0 && !after.startsWith(path));
      return compareKeys(path, after) > 0;
    }
    return true;
  }

  private async entriesOf(folder: string): Promise<Entry[]> {
    const dir = join(this.bucketDir, ...folder.split('/').filter(Boolean));
    let dirents: Dirent[];
    try {
      dirents = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw translateFsError(error, 'list', dir);
    }
    const entries: Entry[] = [];
    for (const dirent of dirents) {
      let isFolder = dirent.isDirectory();
      let isFile = dirent.isFile();
      if (dirent.isSymbolicLink()) {
        const target = await stat(join(dir, dirent.name)).catch(() => undefined);
        isFolder = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isFolder) entries.push({ path: `${folder}${dirent.name}/`, isFolder: true });
      else if (isFile) entries.push({ path: `${folder}${dirent.name}`, isFolder: false });
    }
    return entries.sort((a, b) => compareKeys(a.path, b.path));
  }
}
