import { DescribeExecutionCommand, ExecutionDoesNotExist, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createLakeLayout, MemoryObjectStore, stageBuckets } from '@ledgerlake/storage';
import { mockClient } from 'aws-sdk-client-mock';
import { cloudRunStarter } from './cloud-runs';
import { localDefinition } from './local-lake';

const PIPELINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ledgerlake-test';
const RUN = '20240105T090000Z-abc123';
const sfn = mockClient(SFNClient);
const layout = createLakeLayout(stageBuckets('ledgerlake-test'));
const lake = { root: '/nowhere', store: new MemoryObjectStore(), layout };
const source = layout.bronze.file('2024-01-05', 'q1.csv');

beforeEach(() => {
  sfn.reset();
  sfn.on(ListStateMachinesCommand).resolves({
    stateMachines: [
      { name: 'ledgerlake-test', stateMachineArn: PIPELINE, type: 'STANDARD', creationDate: new Date() },
      { name: 'ledgerlake-test-starter', stateMachineArn: `${PIPELINE}-starter`, type: 'STANDARD', creationDate: new Date() },
    ],
  });
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${PIPELINE}-starter:${RUN}`, startDate: new Date() });
});

function starter(lines: string[]) {
  return cloudRunStarter({ target: { kind: 'stage', stage: 'test' }, sfn: () => new SFNClient({ region: 'eu-west-1' }), pollMs: 1, onProgress: (line) => lines.push(line) });
}
const options = { definition: localDefinition(), now: () => new Date('2024-01-05T09:00:00Z'), run: { runId: RUN } };

describe('cloudRunStarter', () => {
  it('follows the execution from before the starter started it to its end, then clears the progress line', async () => {
    const notYet = new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });
    const executionArn = `${PIPELINE.replace(':stateMachine:', ':execution:')}:${RUN}`;
    sfn
      .on(DescribeExecutionCommand, { executionArn })
      .rejectsOnce(notYet)
      .resolvesOnce({ executionArn, status: 'RUNNING', startDate: new Date(), stateMachineArn: PIPELINE })
      .resolves({ executionArn, status: 'TIMED_OUT', startDate: new Date(), stateMachineArn: PIPELINE });
    const lines: string[] = [];

    const outcome = await starter(lines)(lake, source, 'q1.csv', options);

    expect(lines.map((line) => line.replace(/ \d+ s$/, ''))).toEqual([
      `run ${RUN} on stage test: STARTING`,
      `run ${RUN} on stage test: RUNNING`,
      `run ${RUN} on stage test: TIMED_OUT`,
      '',
    ]);
    // Past every Catch: no run record, the execution's own status is the error.
    expect(outcome).toMatchObject({ run_id: RUN, status: 'FAILED', error: { name: 'States.TIMED_OUT', state: null } });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toMatchObject({ stateMachineArn: `${PIPELINE}-starter`, name: RUN });
  });

  it('reads a skipped run (no record) from the execution output', async () => {
    const output = {
      run: { run_id: RUN, execution_arn: 'arn', execution_name: RUN, started_at: '2024-01-05T09:00:00.000Z', dataset: 'mortgages/transactions/', mode: 'ingest', source },
      loop_prevention: { status: 'DUPLICATE_FILE', duplicate_of: '20240104T090000Z', duplicate_status: 'processed', condemned_rows: 0, condemned_by_reason: {} },
    };
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: 'x', status: 'SUCCEEDED', output: JSON.stringify(output), startDate: new Date(), stateMachineArn: PIPELINE });

    const outcome = await starter([])(lake, source, 'q1.csv', options);

    expect(outcome).toMatchObject({ status: 'SKIPPED', duplicate_of: '20240104T090000Z', duplicate_status: 'processed' });
  });
});
