/**
 * The Lambda context object, as the runtime passes it to a handler.
 *
 * Declared here because the workspace does not depend on `@types/aws-lambda`; it mirrors that
 * package's `Context`, so a real context (or `fakeLambdaContext()` from `@ledgerlake/testing`)
 * satisfies it.
 */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  identity?: { cognitoIdentityId: string; cognitoIdentityPoolId: string };
  clientContext?: unknown;
  tenantId?: string;
  getRemainingTimeInMillis(): number;
  done(error?: Error, result?: unknown): void;
  fail(error: Error | string): void;
  succeed(messageOrObject: unknown): void;
}

/** A Lambda handler in promise style: what `withObservability` wraps. */
export type LambdaHandler<TEvent, TResult> = (event: TEvent, context: LambdaContext) => Promise<TResult>;
