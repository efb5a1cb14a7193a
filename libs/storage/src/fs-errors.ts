import { ObjectConflictError, StorageError, TransientStorageError } from '@ledgerlake/domain';

/** Error codes that may clear up when the same call is tried again. */
const TRANSIENT_CODES = new Set(['EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN', 'EWOULDBLOCK', 'EINTR', 'ETIMEDOUT']);
const DENIED_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);

/** The `code` of a Node.js system error (`ENOENT`, ...), or `undefined`. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Translates a filesystem error at the adapter boundary: too many open files, busy or interrupted →
 * `TransientStorageError`; permission denied and everything else → `StorageError`. The message names
 * the operation and the path. Storage errors already translated pass through unchanged.
 */
export function translateFsError(error: unknown, operation: string, path: string): Error {
  if (
    error instanceof StorageError ||
    error instanceof TransientStorageError ||
    error instanceof ObjectConflictError
  ) {
    return error;
  }
  const code = errorCode(error) ?? 'UNKNOWN';
  const detail = error instanceof Error ? error.message : String(error);
  if (TRANSIENT_CODES.has(code)) {
    return new TransientStorageError(`fs-store: ${operation} ${path} failed, may pass on retry (${code}): ${detail}`, {
      cause: error,
    });
  }
  if (DENIED_CODES.has(code)) {
    return new StorageError(`fs-store: ${operation} ${path} failed: permission denied (${code}): ${detail}`, {
      cause: error,
    });
  }
  return new StorageError(`fs-store: ${operation} ${path} failed (${code}): ${detail}`, { cause: error });
}
