import type { LambdaContext } from '@ledgerlake/observability';

const DEFAULT_FUNCTION_NAME = 'ledgerlake-test-function';
const DEFAULT_REMAINING_MS = 300_000;

/**
 * A complete Lambda context for tests. Names, ARN and log group follow `functionName`, so
 * `fakeLambdaContext({ functionName: 'silver-writer' })` stays self-consistent. The time left is
 * a constant (5 min) unless overridden: middy arms its timeout from it.
 */
export function fakeLambdaContext(overrides: Partial<LambdaContext> = {}): LambdaContext {
  const functionName = overrides.functionName ?? DEFAULT_FUNCTION_NAME;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/01/14/[$LATEST]abcdef0123456789abcdef0123456789',
    getRemainingTimeInMillis: () => DEFAULT_REMAINING_MS,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
