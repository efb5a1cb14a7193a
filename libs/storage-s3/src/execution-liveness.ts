import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';

/**
 * Whether the holder of a claim or a pending promotion is known dead, in the cloud
 * (docs/exactly-once.md): its Step Functions execution is no longer RUNNING (succeeded, failed,
 * timed out, aborted) or does not exist. An answer that cannot be had (throttling, an outage)
 * is "not known dead": the claim's lease then expires on its own.
 */
export class StepFunctionsLiveness {
  constructor(private readonly sfn: Pick<SFNClient, 'send'>) {}

  async isDead(holder: { readonly execution_arn: string }): Promise<boolean> {
    try {
      const execution = await this.sfn.send(new DescribeExecutionCommand({ executionArn: holder.execution_arn }));
      return execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE';
    } catch (error) {
      return (error as { name?: unknown } | undefined)?.name === 'ExecutionDoesNotExist';
    }
  }
}
