import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { StepFunctionsLiveness } from './execution-liveness';

const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-prod:20240105T090000Z-abc123';

describe('StepFunctionsLiveness', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());
  const probe = () => new StepFunctionsLiveness(new SFNClient({ region: 'eu-west-1' }));

  it.each([
    ['RUNNING', false],
    ['PENDING_REDRIVE', false],
    ['SUCCEEDED', true],
    ['FAILED', true],
    ['TIMED_OUT', true],
    ['ABORTED', true],
  ] as const)('an execution %s is dead: %s', async (status, dead) => {
    sfn.on(DescribeExecutionCommand, { executionArn: ARN }).resolves({ status });

    expect(await probe().isDead({ execution_arn: ARN })).toBe(dead);
  });

  it('an execution that does not exist is dead', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));

    expect(await probe().isDead({ execution_arn: ARN })).toBe(true);
  });

  it('an execution it cannot ask about is not known dead (the lease expires instead)', async () => {
    sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    expect(await probe().isDead({ execution_arn: ARN })).toBe(false);
  });
});
