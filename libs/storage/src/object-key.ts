import { StorageError } from '@ledgerlake/domain';
import type { ObjectRef } from './object-store';

/**
 * The key rules every local adapter enforces: an S3-compatible subset that also maps safely onto a
 * filesystem. Enforcing them in the in-memory store too means a key that works in unit tests works
 * in the local lake.
 */

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

/** Throws `StorageError` unless `bucket` is a valid bucket name (S3 rules: 3–63 of `a-z 0-9 . -`, alphanumeric ends). */
export function assertBucketName(bucket: string): void {
  if (typeof bucket !== 'string' || !BUCKET_PATTERN.test(bucket) || bucket.includes('..')) {
    throw new StorageError(
      `storage: invalid bucket name ${JSON.stringify(bucket)} ` +
        "(3-63 characters of a-z, 0-9, '.', '-', starting and ending alphanumeric)",
    );
  }
}

/** Why a path segment is unusable, or `undefined` when it is fine. */
function segmentProblem(segment: string): string | undefined {
  if (segment === '') return 'an empty path segment';
  if (segment === '.' || segment === '..') return `a "${segment}" path segment`;
  return undefined;
}

/**
 * Throws `StorageError` unless `key` is a valid object key: 1–1024 UTF-8 bytes, no NUL, not absolute,
 * no empty, `.` or `..` segments (so no trailing `/`).
 */
export function assertObjectKey(bucket: string, key: string): void {
  const fail = (why: string): never => {
    throw new StorageError(`storage: invalid key ${JSON.stringify(key)} in bucket ${bucket}: ${why}`);
  };
  if (typeof key !== 'string' || key.length === 0) fail('the key is empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) fail(`longer than ${MAX_KEY_BYTES} UTF-8 bytes`);
  if (key.includes('\0')) fail('contains a NUL character');
  if (key.startsWith('/')) fail('absolute keys are not allowed');
  for (const segment of key.split('/')) {
    const problem = segmentProblem(segment);
    if (problem) fail(`contains ${problem}`);
  }
}

/** Throws `StorageError` unless `ref` names a valid bucket and key. */
export function assertObjectRef(ref: ObjectRef): void {
  assertBucketName(ref.bucket);
  assertObjectKey(ref.bucket, ref.key);
}

/**
 * Throws `StorageError` unless `prefix` can start a valid key: it may be empty or end anywhere, but its
 * complete segments (those followed by `/`) obey the key rules.
 */
export function assertListPrefix(bucket: string, prefix: string): void {
  const fail = (why: string): never => {
    throw new StorageError(`storage: invalid list prefix ${JSON.stringify(prefix)} in bucket ${bucket}: ${why}`);
  };
  if (typeof prefix !== 'string') fail('not a string');
  if (prefix.includes('\0')) fail('contains a NUL character');
  if (prefix.startsWith('/')) fail('absolute prefixes are not allowed');
  const complete = prefix.split('/').slice(0, -1);
  for (const segment of complete) {
    const problem = segmentProblem(segment);
    if (problem) fail(`contains ${problem}`);
  }
}

/** Compares two keys in ascending UTF-8 byte order (the order S3 lists keys in). */
export function compareKeys(a: string, b: string): number {
  // UTF-8 byte order equals code point order; plain `<` compares UTF-16 code units, which puts
  // astral characters (surrogates, 0xD800..) before U+E000..U+FFFF.
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
