/**
 * Error classes of LedgerLake.
 *
 * Every class sets a string-literal `name`: Step Functions `ErrorEquals` matches on it, and a
 * minifier may rename classes. `retryable` tells the state machine (and callers) whether the
 * same call may succeed when tried again.
 */

/** Base class of every error LedgerLake raises on purpose. */
export abstract class LedgerLakeError extends Error {
  abstract override readonly name: string;
  /** Whether trying the same operation again may succeed. */
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A storage call failed for a reason that may pass on retry (throttling, 5xx, a network error). */
export class TransientStorageError extends LedgerLakeError {
  override readonly name = 'TransientStorageError' as const;
  readonly retryable = true;
}

/** A storage call failed for a reason that will not pass on retry (access denied, bad request). */
export class StorageError extends LedgerLakeError {
  override readonly name = 'StorageError' as const;
  readonly retryable = false;
}

/**
 * A conditional write lost: create-if-absent found the object, or replace-if-unchanged found a
 * different ETag (or no object). The caller decides: re-read and retry, or treat as "already done".
 */
export class ObjectConflictError extends LedgerLakeError {
  override readonly name = 'ObjectConflictError' as const;
  readonly retryable = false;
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly reason: 'exists' | 'etag-mismatch' | 'missing',
    options?: { cause?: unknown },
  ) {
    super(`storage: conditional write to ${bucket}/${key} lost (${reason})`, options);
  }
}

/** Configuration (environment) is missing or malformed; names every bad key, never a value. */
export class ConfigError extends LedgerLakeError {
  override readonly name = 'ConfigError' as const;
  readonly retryable = false;
  constructor(
    message: string,
    readonly issues: readonly { key: string; problem: string }[],
  ) {
    super(message);
  }
}
