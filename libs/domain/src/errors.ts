import type { RowErrorCode } from './error-codes';

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

/** At most this many header columns are listed in a message; a wide header would drown the missing ones. */
const MAX_LISTED_COLUMNS = 20;

/** A file's header lacks required columns: the whole file is rejected before any row is read. */
export class MissingColumnsError extends LedgerLakeError {
  override readonly name = 'MissingColumnsError' as const;
  readonly retryable = false;
  constructor(
    /** The file, e.g. `s3://bronze/mortgages/transactions/ingest_date=2024-01-05/x.csv`. */
    readonly file: string,
    readonly missing: readonly string[],
    readonly present: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `enrichment: ${file} is missing required column(s) ${missing.join(', ')} (header has: ${listColumns(present)})`,
      options,
    );
  }
}

/** Where in a file an `InvalidInputError` was found, when known. */
export interface InputLocation {
  /** 1-based line number. */
  line?: number;
  column?: string;
  value?: string;
}

/** A whole file is unusable: empty, no header, not UTF-8, corrupt gzip. No row of it is processed. */
export class InvalidInputError extends LedgerLakeError {
  override readonly name = 'InvalidInputError' as const;
  readonly retryable = false;
  readonly line: number | undefined;
  readonly column: string | undefined;
  readonly value: string | undefined;
  constructor(
    readonly file: string,
    /** What is wrong, e.g. `is empty` or `is not valid UTF-8`. */
    readonly problem: string,
    location: InputLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`enrichment: ${file} ${problem}${describeLocation(location)}`, options);
    this.line = location.line;
    this.column = location.column;
    this.value = location.value;
  }
}

/**
 * The circuit breaker is open (docs/contract/rules.md, "Circuit breaker"): one error code failed too many rows in the window.
 * Not retryable: the breaker stays open until a person resets it.
 */
export class CircuitBreakerOpenError extends LedgerLakeError {
  override readonly name = 'CircuitBreakerOpenError' as const;
  readonly retryable = false;
  constructor(
    /** The error code that tripped the breaker. */
    readonly code: RowErrorCode,
    /** Rows that failed with `code` in the window. */
    readonly failed: number,
    /** Rows processed in the window. */
    readonly processed: number,
    readonly windowMinutes: number,
    options?: { cause?: unknown },
  ) {
    super(
      `circuit-breaker: open: ${failed} row(s) failed with ${code} out of ${processed} processed ` +
        `(${percent(failed, processed)}) in the last ${windowMinutes} minutes; a person must reset it`,
      options,
    );
  }
}

/**
 * A Task's event is not of its state's shape (docs/contract/orchestration.md): the state machine
 * and the function disagree, or a person sent a hand-made event. Names the state and every problem.
 */
export class InvalidEventError extends LedgerLakeError {
  override readonly name = 'InvalidEventError' as const;
  readonly retryable = false;
  constructor(
    /** The state (or states) whose event it was meant to be, e.g. `ValidatePart`. */
    readonly state: string,
    /** Each problem: where in the event, and what is wrong. */
    readonly problems: readonly string[],
  ) {
    super(`${state}: the event is not valid: ${problems.join('; ')}`);
  }
}

/**
 * What the lake holds contradicts what the run's state says, or an object the run depends on is
 * missing or malformed: a work file or manifest gone, a Map's results incomplete, a part's rows
 * miscounted, a ledger entry held by another run. Not retryable: the same call reads the same
 * objects; a person looks (the run fails and is recorded, its claim released).
 */
export class LakeStateError extends LedgerLakeError {
  override readonly name = 'LakeStateError' as const;
  readonly retryable = false;
}

/**
 * The code broke one of its own rules (a writer used after it failed, a column of the wrong type,
 * a library without the API this code is written against): a bug, not bad input nor a fault.
 */
export class InternalError extends LedgerLakeError {
  override readonly name = 'InternalError' as const;
  readonly retryable = false;
}

/** A run cannot be promoted as asked (no manifest, no `_SUCCESS`, nothing for that month, a dry run): retrying will not help. */
export class PromotionError extends LedgerLakeError {
  override readonly name = 'PromotionError' as const;
  readonly retryable = false;
}

/** The promotion gate refused the run: nothing of it may be published (`ledgerlake promote` of a blocked run). */
export class RunBlockedError extends LedgerLakeError {
  override readonly name = 'RunBlockedError' as const;
  readonly retryable = false;
  constructor(
    readonly runId: string,
    readonly reasons: readonly string[],
  ) {
    super(`promotion: run ${runId} is blocked by the promotion gate: ${reasons.join('; ')}`);
  }
}

/** A runbook operation refused: the rows were already retried or decided, or the request is incomplete. */
export class RunbookRefusedError extends LedgerLakeError {
  override readonly name = 'RunbookRefusedError' as const;
  readonly retryable = false;
}

/**
 * A run names a dataset the deployment does not know (dataset-spec.ts, `DATASETS`): nothing of it
 * can be read or written, since its columns and keys are unknown. Not retryable.
 */
export class UnknownDatasetError extends LedgerLakeError {
  override readonly name = 'UnknownDatasetError' as const;
  readonly retryable = false;
  constructor(
    readonly dataset: string,
    readonly known: readonly string[],
  ) {
    super(`dataset: ${JSON.stringify(dataset)} is not a known dataset (known: ${known.join(', ') || 'none'})`);
  }
}

/**
 * Every error a LedgerLake Task can end with, keyed by its `name` (what Step Functions `ErrorEquals`
 * matches and the run record keeps). The one registry: `ERROR_NAMES` and `ErrorName` derive from it;
 * a test checks that every class's `name` is its key, and the state machine's test that every name
 * its `Retry`/`Catch` use is here and that every retryable one is retried.
 */
export const ERROR_CLASSES = {
  TransientStorageError,
  StorageError,
  ObjectConflictError,
  ConfigError,
  MissingColumnsError,
  InvalidInputError,
  CircuitBreakerOpenError,
  InvalidEventError,
  LakeStateError,
  InternalError,
  PromotionError,
  RunBlockedError,
  RunbookRefusedError,
  UnknownDatasetError,
} as const;

/** The `name` of a LedgerLake error, as Step Functions `ErrorEquals` sees it. */
export type ErrorName = keyof typeof ERROR_CLASSES;

/** Every error name of the registry. */
export const ERROR_NAMES = Object.keys(ERROR_CLASSES) as readonly ErrorName[];

/** Whether `err` is a LedgerLake error that may pass on retry; anything unknown is not retried. */
export function isRetryable(err: unknown): boolean {
  return err instanceof LedgerLakeError && err.retryable;
}

function listColumns(columns: readonly string[]): string {
  if (columns.length === 0) return 'no columns';
  const listed = columns.slice(0, MAX_LISTED_COLUMNS).map((column) => (column === '' ? '""' : column));
  const more = columns.length - listed.length;
  return more > 0 ? `${listed.join(', ')} and ${more} more` : listed.join(', ');
}

function describeLocation({ line, column, value }: InputLocation): string {
  const parts: string[] = [];
  if (line !== undefined) parts.push(`line ${line}`);
  if (column !== undefined) parts.push(`column ${column}`);
  if (value !== undefined) parts.push(`value ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(2)} %` : 'n/a %';
}
