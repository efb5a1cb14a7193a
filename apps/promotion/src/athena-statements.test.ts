import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type AthenaClient } from '@aws-sdk/client-athena';
import { TransientStorageError } from '@ledgerlake/domain';
import { athenaStatements } from './athena-statements';

/** An Athena client answering from a script: the states a statement goes through, then result pages. */
function scriptedClient(states: readonly { State: string; StateChangeReason?: string; category?: number }[], pages: readonly { rows: string[][]; next?: string }[] = []) {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  let look = 0;
  let page = 0;
  const client = {
    send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      sent.push({ name: command.constructor.name, input: command.input });
      if (command instanceof StartQueryExecutionCommand) return Promise.resolve({ QueryExecutionId: 'q-1' });
      if (command instanceof GetQueryExecutionCommand) {
        const state = states[Math.min(look++, states.length - 1)];
        return Promise.resolve({
          QueryExecution: {
            Status: { State: state?.State, StateChangeReason: state?.StateChangeReason, AthenaError: { ErrorCategory: state?.category } },
          },
        });
      }
      if (command instanceof GetQueryResultsCommand) {
        const current = pages[page++];
        return Promise.resolve({
          ResultSet: { Rows: (current?.rows ?? []).map((row) => ({ Data: row.map((value) => ({ VarCharValue: value })) })) },
          NextToken: current?.next,
        });
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    },
  };
  return { client: client as unknown as AthenaClient, sent };
}

const waits: number[] = [];
const polling = { firstMs: 100, maxMs: 300, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };

beforeEach(() => {
  waits.length = 0;
});

describe('athenaStatements', () => {
  it('starts the statement in the workgroup, polls with a growing wait until it succeeds, and reads every page without the header', async () => {
    const { client, sent } = scriptedClient(
      [{ State: 'QUEUED' }, { State: 'RUNNING' }, { State: 'RUNNING' }, { State: 'RUNNING' }, { State: 'SUCCEEDED' }],
      [{ rows: [['month', '_col1'], ['2024-01', '3']], next: 't1' }, { rows: [['2024-02', '5']] }],
    );

    const rows = await athenaStatements(client, 'ledgerlake-ci', polling).run('SELECT month, count(*) FROM t GROUP BY month');

    expect(rows).toEqual([['2024-01', '3'], ['2024-02', '5']]);
    expect(sent[0]).toEqual({ name: 'StartQueryExecutionCommand', input: { QueryString: 'SELECT month, count(*) FROM t GROUP BY month', WorkGroup: 'ledgerlake-ci' } });
    expect(waits).toEqual([100, 200, 300, 300]);
    expect(sent.filter((call) => call.name === 'GetQueryResultsCommand').map((call) => call.input['NextToken'])).toEqual([undefined, 't1']);
  });

  it('reads no results of a statement that is not a SELECT', async () => {
    const { client, sent } = scriptedClient([{ State: 'SUCCEEDED' }]);

    await expect(athenaStatements(client, 'wg', polling).run("UNLOAD (SELECT 1) TO 's3://b/k/' WITH (format = 'PARQUET')")).resolves.toEqual([]);
    expect(sent.map((call) => call.name)).toEqual(['StartQueryExecutionCommand', 'GetQueryExecutionCommand']);
  });

  it("fails with Athena's reason: a statement error for good, a system error as transient", async () => {
    const failed = scriptedClient([{ State: 'FAILED', StateChangeReason: "line 1:8: Column 'x' cannot be resolved", category: 2 }]);
    const system = scriptedClient([{ State: 'FAILED', StateChangeReason: 'Internal error', category: 1 }]);

    const bad = athenaStatements(failed.client, 'wg', polling).run('SELECT x');
    await expect(bad).rejects.toThrow("gold: Athena statement q-1 FAILED: line 1:8: Column 'x' cannot be resolved");
    await expect(bad).rejects.not.toBeInstanceOf(TransientStorageError);
    await expect(athenaStatements(system.client, 'wg', polling).run('SELECT 1')).rejects.toBeInstanceOf(TransientStorageError);
  });
});
