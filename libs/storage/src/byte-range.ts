import { StorageError } from '@ledgerlake/domain';
import type { ByteRange, ObjectRef } from './object-store';

/** An inclusive byte range already checked against an object's size. */
export interface ResolvedRange {
  readonly start: number;
  /** Inclusive; `start - 1` for the empty read of an empty object. */
  readonly end: number;
}

/**
 * Checks `range` against an object of `size` bytes with HTTP `Range` semantics: `end` past the last
 * byte is clamped; a `start` at or past the end (or a malformed range) throws `StorageError`, as S3
 * answers 416 / 400. No range means the whole object.
 */
export function resolveByteRange(ref: ObjectRef, size: number, range: ByteRange | undefined): ResolvedRange {
  if (range === undefined) return { start: 0, end: size - 1 };
  const { start, end } = range;
  const where = `${ref.bucket}/${ref.key}`;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new StorageError(
      `storage: invalid byte range ${JSON.stringify(range)} for ${where} (integers, 0 <= start <= end)`,
    );
  }
  if (start >= size) {
    throw new StorageError(`storage: byte range start ${start} is not within ${where} (${size} bytes)`);
  }
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}
