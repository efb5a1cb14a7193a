import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { LambdaContext } from './lambda-context';

/** Message of the one error line an invocation that throws writes. */
export const INVOCATION_FAILED_MESSAGE = 'invocation failed';

/**
 * Middleware that logs the invocation's error once, at error level, and leaves it in place:
 * middy then rethrows it unchanged, so Step Functions matches its original `name`.
 *
 * Powertools formats an `Error` with its `name`, `message`, `stack`, `cause` and own fields, so a
 * `LedgerLakeError` shows its `retryable` flag (and, e.g., an `ObjectConflictError` its key).
 */
export function logErrors(logger: Logger): MiddlewareObj<unknown, unknown, Error, LambdaContext> {
  return {
    onError: (request) => {
      const { error } = request;
      if (error instanceof Error) {
        logger.error(INVOCATION_FAILED_MESSAGE, { error });
      } else {
        // Something that is not an Error was thrown: record what it was, the rethrow is middy's.
        logger.error(INVOCATION_FAILED_MESSAGE, { error: { name: 'NonError', message: String(error) } });
      }
    },
  };
}
