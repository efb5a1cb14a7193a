import {
  LedgerLakeError,
  ObjectConflictError,
  StorageError,
  TransientStorageError,
} from '@ledgerlake/domain';

/** The `ObjectStore` operation an S3 call was made for; named in every translated error. */
export type S3Operation =
  | 'head'
  | 'getStream'
  | 'getBytes'
  | 'put'
  | 'putStream'
  | 'list'
  | 'copy'
  | 'delete'
  | 'putIfAbsent'
  | 'putIfMatch';

/**
 * What an S3 (or network) error means to LedgerLake:
 * `not-found` (no such key), `precondition-failed` (HTTP 412), `conditional-conflict`
 * (HTTP 409 `ConditionalRequestConflict`), `transient` (may pass on retry), `permanent`.
 */
export type S3ErrorKind =
  | 'not-found'
  | 'precondition-failed'
  | 'conditional-conflict'
  | 'transient'
  | 'permanent';

/** Where the failed call was aimed, for the message of the translated error. */
export interface S3ErrorContext {
  readonly operation: S3Operation;
  readonly bucket: string;
  /** The object key (for `list`, the prefix). */
  readonly key: string;
  /** The copy destination, for `copy`. */
  readonly destination?: { readonly bucket: string; readonly key: string };
  /**
   * The call was a conditional write: `if-none-match` (`putIfAbsent`) or `if-match`
   * (`putIfMatch`). Decides how 412/409/404 become an `ObjectConflictError`.
   */
  readonly condition?: 'if-none-match' | 'if-match';
}

// Mirrors @smithy/service-error-classification (THROTTLING_ERROR_CODES, TRANSIENT_ERROR_CODES)
// plus the S3-specific codes of https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html.
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'ProvisionedThroughputExceededException',
  'PriorRequestNotComplete',
  'TransactionInProgressException',
  'EC2ThrottledException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  // 409 "A conflicting conditional operation is currently in progress against this resource. Try again."
  'OperationAborted',
]);

// Socket-level failures of the Node HTTP handler: the request may not have reached S3 at all.
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
]);

const TRANSIENT_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['NoSuchKey', 'NotFound']);

interface ErrorFacts {
  readonly name?: string;
  readonly code?: string;
  readonly status?: number;
  readonly retryable: boolean;
  readonly message?: string;
}

function readFacts(error: unknown): ErrorFacts {
  if (typeof error !== 'object' || error === null) {
    return { retryable: false, message: String(error) };
  }
  const e = error as Record<string, unknown>;
  const metadata = e['$metadata'] as Record<string, unknown> | undefined;
  const status = metadata?.['httpStatusCode'];
  const response = e['$response'] as Record<string, unknown> | undefined;
  const code = typeof e['Code'] === 'string' ? e['Code'] : typeof e['code'] === 'string' ? e['code'] : undefined;
  return {
    name: typeof e['name'] === 'string' ? e['name'] : undefined,
    code,
    status:
      typeof status === 'number'
        ? status
        : typeof response?.['statusCode'] === 'number'
          ? response['statusCode']
          : undefined,
    // The SDK marks errors it considers retryable (throttling, clock skew, transient) with `$retryable`.
    retryable: e['$retryable'] !== undefined && e['$retryable'] !== null,
    message: typeof e['message'] === 'string' ? e['message'] : undefined,
  };
}

/** Classifies an error thrown by an `S3Client` call (or by the socket under it). */
export function classifyS3Error(error: unknown): S3ErrorKind {
  const { name, code, status, retryable, message } = readFacts(error);
  const codes = [name, code].filter((c): c is string => c !== undefined);

  if (status === 412 || codes.includes('PreconditionFailed')) return 'precondition-failed';
  if (codes.includes('ConditionalRequestConflict')) return 'conditional-conflict';
  if (codes.some((c) => NOT_FOUND_CODES.has(c))) return 'not-found';
  // A missing bucket is a misconfiguration, not a missing object.
  if (status === 404 && !codes.includes('NoSuchBucket')) return 'not-found';
  if (retryable) return 'transient';
  if (codes.some((c) => TRANSIENT_CODES.has(c) || TRANSIENT_NETWORK_CODES.has(c))) return 'transient';
  if (status !== undefined && TRANSIENT_STATUS.has(status)) return 'transient';
  if (status === undefined && hasNetworkFailure(error, message)) return 'transient';
  return 'permanent';
}

const NETWORK_CODE_IN_TEXT = new RegExp(`\\b(${[...TRANSIENT_NETWORK_CODES].join('|')})\\b`);

/**
 * A socket error can reach us without its `code`: wrapped in a `cause`, or rebuilt by the SDK's
 * retry middleware as "AWS SDK error wrapper for Error: connect ECONNREFUSED ..." when the
 * original failed its `instanceof Error` check (an error from another realm, e.g. under Jest's
 * VM sandbox). Only errors without an HTTP status get here, so S3's own messages never do.
 */
function hasNetworkFailure(error: unknown, message: string | undefined, depth = 0): boolean {
  if (message !== undefined && NETWORK_CODE_IN_TEXT.test(message)) return true;
  if (depth >= 3 || typeof error !== 'object' || error === null) return false;
  const cause = (error as { cause?: unknown }).cause;
  if (cause === undefined || cause === null) return false;
  const facts = readFacts(cause);
  if (facts.code !== undefined && TRANSIENT_NETWORK_CODES.has(facts.code)) return true;
  return hasNetworkFailure(cause, facts.message, depth + 1);
}

/** Whether an error means "the object (key) does not exist" — the call site returns `undefined`. */
export function isS3NotFound(error: unknown): boolean {
  return classifyS3Error(error) === 'not-found';
}

function describeTarget(context: S3ErrorContext): string {
  const what = context.operation === 'list' ? 'prefix' : 'key';
  const source = `bucket "${context.bucket}" ${what} "${context.key}"`;
  if (context.destination === undefined) return source;
  return `${source} to bucket "${context.destination.bucket}" key "${context.destination.key}"`;
}

function describeCause(error: unknown): string {
  const { name, code, status, message } = readFacts(error);
  const label = [name, code !== name ? code : undefined, status !== undefined ? `HTTP ${status}` : undefined]
    .filter((part) => part !== undefined && part !== '')
    .join(', ');
  if (message === undefined || message === '') return label;
  return label === '' ? message : `${label}: ${message}`;
}

/**
 * Translates an error thrown by an S3 call into a LedgerLake error, at the adapter boundary:
 * a conditional write that lost becomes `ObjectConflictError`, throttling / 5xx / network errors
 * become `TransientStorageError`, everything else `StorageError`. The original error is the
 * `cause`. Errors that already are LedgerLake errors pass through unchanged. "Not found" is not
 * special here: call sites that map it to `undefined` check {@link isS3NotFound} first.
 */
export function translateS3Error(error: unknown, context: S3ErrorContext): LedgerLakeError {
  if (error instanceof LedgerLakeError) return error;
  const kind = classifyS3Error(error);
  const target = context.destination ?? context;

  if (context.condition !== undefined) {
    if (kind === 'precondition-failed' || kind === 'conditional-conflict') {
      const reason = context.condition === 'if-none-match' ? 'exists' : 'etag-mismatch';
      return new ObjectConflictError(target.bucket, target.key, reason, { cause: error });
    }
    // S3 answers `If-Match` on a missing key with 404 NoSuchKey.
    if (kind === 'not-found' && context.condition === 'if-match') {
      return new ObjectConflictError(target.bucket, target.key, 'missing', { cause: error });
    }
  }

  const message = `storage-s3: ${context.operation} failed for ${describeTarget(context)}: ${describeCause(error)}`;
  return kind === 'transient'
    ? new TransientStorageError(message, { cause: error })
    : new StorageError(message, { cause: error });
}
