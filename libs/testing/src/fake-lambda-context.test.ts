import { fakeLambdaContext } from './fake-lambda-context';

describe('fakeLambdaContext', () => {
  it('gives a complete context with every field the runtime sets', () => {
    const context = fakeLambdaContext();

    expect(context).toMatchObject({
      callbackWaitsForEmptyEventLoop: true,
      functionName: 'ledgerlake-test-function',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ledgerlake-test-function',
      memoryLimitInMB: '1024',
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      logGroupName: '/aws/lambda/ledgerlake-test-function',
      logStreamName: expect.any(String),
    });
    expect(context.getRemainingTimeInMillis()).toBe(300_000);
    expect(() => {
      context.done();
      context.fail('x');
      context.succeed({});
    }).not.toThrow();
  });

  it('derives the ARN and log group from an overridden function name', () => {
    const context = fakeLambdaContext({ functionName: 'silver-writer' });

    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:silver-writer');
    expect(context.logGroupName).toBe('/aws/lambda/silver-writer');
  });

  it('lets any field be overridden', () => {
    const context = fakeLambdaContext({ awsRequestId: 'req-2', getRemainingTimeInMillis: () => 1000 });

    expect(context.awsRequestId).toBe('req-2');
    expect(context.getRemainingTimeInMillis()).toBe(1000);
  });
});
