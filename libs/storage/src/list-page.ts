import { StorageError } from '@ledgerlake/domain';
import type { ListOptions, ListPage, ObjectMeta } from './object-store';

/** The S3 maximum (and default) page size. */
export const MAX_LIST_LIMIT = 1000;

/**
 * Keys of one bucket that start with the listing prefix, in ascending byte order, beginning after
 * the position the cursor was opened at. `skip` drops every later key that starts with `prefix`:
 * a common prefix already reported is not walked again.
 */
export interface KeyCursor {
  next(): Promise<string | undefined>;
  skip(prefix: string): void;
}

/** Where a listing resumes: after `after`, and past every key under it when it was a common prefix. */
export interface ListPosition {
  readonly after: string;
  readonly isPrefix: boolean;
}

/** Encodes a resume position as an opaque continuation token. */
export function encodeListToken(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, a: position.after, p: position.isPrefix }), 'utf8').toString('base64url');
}

/** Decodes a continuation token; throws `StorageError` for anything not made by `encodeListToken`. */
export function decodeListToken(bucket: string, token: string): ListPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const candidate = parsed as { v?: unknown; a?: unknown; p?: unknown } | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    candidate.v !== 1 ||
    typeof candidate.a !== 'string' ||
    typeof candidate.p !== 'boolean'
  ) {
    throw new StorageError(`storage: invalid continuation token ${JSON.stringify(token)} for bucket ${bucket}`);
  }
  return { after: candidate.a, isPrefix: candidate.p };
}

/**
 * The page size to use: `limit`, clamped to 1000 as S3 does; throws `StorageError` when it is not a
 * positive integer.
 */
export function resolveListLimit(bucket: string, limit: number | undefined): number {
  if (limit === undefined) return MAX_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new StorageError(`storage: invalid list limit ${String(limit)} for bucket ${bucket} (a positive integer)`);
  }
  return Math.min(limit, MAX_LIST_LIMIT);
}

/**
 * Builds one S3-style page (ListObjectsV2 semantics) from a key cursor: objects and common prefixes
 * both count towards the limit; `nextToken` is set only when another item follows.
 */
export async function buildListPage(
  bucket: string,
  prefix: string,
  options: ListOptions,
  openCursor: (after: string | undefined) => KeyCursor,
  describe: (key: string) => Promise<ObjectMeta | undefined>,
): Promise<ListPage> {
  const limit = resolveListLimit(bucket, options.limit);
  const delimiter = options.delimiter === '' ? undefined : options.delimiter;
  const start = options.token === undefined ? undefined : decodeListToken(bucket, options.token);
  const cursor = openCursor(start?.after);
  if (start?.isPrefix) cursor.skip(start.after);

  const objects: ObjectMeta[] = [];
  const prefixes: string[] = [];
  let last: ListPosition | undefined;
  for (;;) {
    const key = await cursor.next();
    if (key === undefined) return { objects, prefixes };
    if (objects.length + prefixes.length === limit && last) {
      return { objects, prefixes, nextToken: encodeListToken(last) };
    }
    const at = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
    if (delimiter !== undefined && at >= 0) {
      const common = key.slice(0, at + delimiter.length);
      prefixes.push(common);
      cursor.skip(common);
      last = { after: common, isPrefix: true };
      continue;
    }
    const meta = await describe(key);
    if (meta === undefined) continue; // deleted while listing
    objects.push(meta);
    last = { after: key, isPrefix: false };
  }
}
