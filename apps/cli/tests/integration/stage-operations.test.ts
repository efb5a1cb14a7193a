import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, GetQueryResultsCommand as GetLogsQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import type { ObjectStore } from '@ledgerlake/storage';
import { crashAtKey, FaultInjectingStore } from '@ledgerlake/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { Q1_SAMPLE, REPO } from '../support/cli-harness';
import { REGION, STAGE, type StageHarness, startStage } from '../support/stage-harness';

const DATASET = TRANSACTIONS_DATASET.path;

/*
 * The commands of a deployed stage beyond its buckets (tests/support/stage-harness.ts): `ingest`
 * lands in Bronze and follows the run the Object Created rule starts; `runs` adds the executions'
 * status; `logs` is one Logs Insights query; `query` and `report balances` run on Athena in the
 * stage's workgroup. Athena and CloudWatch Logs are aws-sdk-client-mock with the requests asserted.
 */

type Json = Record<string, unknown>;
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const athena = mockClient(AthenaClient);
const logs = mockClient(CloudWatchLogsClient);
const clients = {
  athena: () => new AthenaClient({ region: REGION, credentials }),
  logs: () => new CloudWatchLogsClient({ region: REGION, credentials }),
};

let harness: StageHarness;
let runId = '';

beforeAll(async () => {
  harness = await startStage();
  runId = (await harness.landAndRun('q1.csv', await readFile(Q1_SAMPLE, 'utf8'))).run_id;
}, 120_000);

afterAll(async () => {
  athena.restore();
  logs.restore();
  await harness?.stop();
});

beforeEach(() => {
  harness.reset();
  athena.reset();
  logs.reset();
});

const stage = (...argv: string[]) => harness.cli(argv, clients);
const json = (text: string): unknown => JSON.parse(text);

describe('ingest FILE --stage', () => {
  it('uploads the file to Bronze under today\'s ingest date and follows the run the Object Created rule started', async () => {
    const file = join(harness.work, 'may.csv');
    await writeFile(file, `${HEADER}\n7001,ACC001,10.00,EUR,2024-05-05T08:00:00Z\n7002,ACC002,20.50,EUR,2024-05-06T08:00:00Z\n`);

    const result = await stage('ingest', file, '--json');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [outcome] = json(result.stdout) as Json[];
    const today = new Date().toISOString().slice(0, 10);
    const key = `${DATASET}/ingest_date=${today}/may.csv`;
    expect(outcome).toMatchObject({ file, status: 'PUBLISHED', source: { bucket: harness.layout.buckets.bronze, key }, counts: { input_rows: 2, valid_rows: 2 } });
    // The run is the one the rule's starter execution started, named as the starter names it; the command started none itself.
    const triggered = harness.executions.find((e) => e.machine.endsWith('-starter') && (e.input['source'] as Json)['key'] === key);
    expect(triggered?.output).toEqual({ run_id: outcome?.['run_id'], execution_arn: expect.stringContaining(`:execution:ledgerlake-${STAGE}:${String(outcome?.['run_id'])}`) });
    expect(harness.started).toEqual([]);
    expect(Buffer.from((await harness.lake.store.getBytes({ bucket: harness.layout.buckets.bronze, key })) ?? []).toString()).toBe(await readFile(file, 'utf8'));
  });

  it('never overwrites a Bronze object: the same name with other content lands as name-2; the same content is run again through the starter and skipped', async () => {
    const file = join(harness.work, 'jun.csv');
    await writeFile(file, `${HEADER}\n8001,ACC001,1.00,EUR,2024-06-05T08:00:00Z\n`);
    const first = (json((await stage('ingest', file, '--json')).stdout) as Json[])[0];
    const again = await stage('ingest', file, '--json');
    await writeFile(file, `${HEADER}\n8002,ACC002,2.00,EUR,2024-06-06T08:00:00Z\n`);
    const other = await stage('ingest', file, '--json');

    expect(first).toMatchObject({ status: 'PUBLISHED' });
    const [skipped] = json(again.stdout) as Json[];
    expect(skipped).toMatchObject({ status: 'SKIPPED', duplicate_of: first?.['run_id'], source: first?.['source'] });
    expect(harness.started.map((s) => s.input['source'])).toEqual([expect.objectContaining({ key: (first?.['source'] as Json)['key'] })]);
    const [second] = json(other.stdout) as Json[];
    expect(second).toMatchObject({ status: 'PUBLISHED', source: { key: expect.stringMatching(/\/jun-2\.csv$/) } });
  });

  it('a file no run starts for within the wait says where to look', async () => {
    const file = join(harness.work, 'jul.csv');
    await writeFile(file, `${HEADER}\n9001,ACC001,1.00,EUR,2024-07-05T08:00:00Z\n`);
    // A rule that never fires: the starter's listing stays empty.
    harness.sfn.on(ListExecutionsCommand).resolves({ executions: [] });

    const result = await harness.cli(['ingest', file], { ...clients, startTimeoutMs: 50 });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^ledgerlake: No run of stage test started for s3:\/\/ledgerlake-test-bronze\/mortgages\/transactions\/ingest_date=\d{4}-\d{2}-\d{2}\/jul\.csv within 0 s: check the Bronze Object Created rule and the triggers' dead-letter queue/,
    );
  });
});

describe('runs --stage with the executions', () => {
  it('adds a run only its execution knows of (RUNNING), and runs show of it reads the execution', async () => {
    harness.running('20240601T120000Z-running01');

    const runs = await stage('runs', '--json');
    const shown = await stage('runs', 'show', '20240601T120000Z-running01', '--json');
    const known = await stage('runs', 'show', runId, '--json');

    expect(runs).toMatchObject({ code: 0, stderr: '' });
    const listed = json(runs.stdout) as Json[];
    expect(listed.find((r) => r['run_id'] === '20240601T120000Z-running01')).toMatchObject({ status: 'RUNNING', execution: { status: 'RUNNING', stopped_at: null } });
    expect(listed.find((r) => r['run_id'] === runId)).toMatchObject({ status: 'PUBLISHED', execution: { status: 'SUCCEEDED' } });
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(json(shown.stdout)).toMatchObject({ run_id: '20240601T120000Z-running01', status: 'RUNNING', execution: { status: 'RUNNING' } });
    expect(json(known.stdout)).toMatchObject({ run_id: runId, status: 'PUBLISHED', execution: { status: 'SUCCEEDED' } });
  });
});

describe('logs RUN_ID --stage', () => {
  it("runs one Logs Insights query filtered on run_id over every function's log group that exists, for the run's window", async () => {
    logs.on(DescribeLogGroupsCommand).resolves({
      logGroups: ['enrichment', 'loop-prevention', 'validation', 'partition-writer', 'promotion', 'run-recorder'].map((fn) => ({ logGroupName: `/aws/lambda/ledgerlake-${STAGE}-${fn}` })),
    });
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    const line = { level: 'INFO', message: 'rows validated', timestamp: '2024-02-01T09:00:02.000Z', service: 'validation', run_id: runId, valid_rows: 8 };
    logs
      .on(GetLogsQueryResultsCommand)
      .resolvesOnce({ status: 'Running' })
      .resolves({ status: 'Complete', results: [[{ field: '@timestamp', value: '2024-02-01 09:00:02.000' }, { field: '@message', value: JSON.stringify(line) }]] });

    const result = await stage('logs', runId, '--level', 'info');
    const asJson = await stage('logs', runId, '--function', 'validation', '--json');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^2024-02-01T09:00:02\.000Z\s+INFO\s+validation\s+rows validated {2}valid_rows=8\n$/);
    const [all, one] = logs.commandCalls(StartQueryCommand).map((call) => call.args[0].input);
    expect(all?.logGroupNames).toEqual(['enrichment', 'loop-prevention', 'validation', 'partition-writer', 'promotion', 'run-recorder'].map((fn) => `/aws/lambda/ledgerlake-${STAGE}-${fn}`));
    expect(all?.queryString).toBe(`fields @timestamp, @message | filter run_id = "${runId}" | filter level in ["INFO", "WARN", "ERROR", "CRITICAL"] | sort @timestamp asc | limit 10000`);
    // The window: from before the run id's second to after the run's recorded end.
    const runStart = Date.UTC(2024, 1, 1, 9, 0, 1) / 1000;
    expect(all?.startTime).toBeLessThan(runStart);
    expect(all?.endTime).toBeGreaterThan(runStart);
    expect(one?.logGroupNames).toEqual([`/aws/lambda/ledgerlake-${STAGE}-validation`]);
    expect(one?.queryString).not.toContain('level');
    expect(json(asJson.stdout)).toEqual([line]);
  });

  it('an unknown function or a malformed run id is wrong usage; access denied names the log groups and the policies', async () => {
    const unknown = await stage('logs', runId, '--function', 'nope');
    const malformed = await stage('logs', 'not-a-run');
    logs.on(DescribeLogGroupsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const denied = await stage('logs', runId);

    expect(unknown).toMatchObject({ code: 2, stderr: 'ledgerlake: Unknown function nope (expected one of enrichment, loop-prevention, validation, partition-writer, promotion, run-recorder, alert-consumer).\n' });
    expect(malformed.code).toBe(2);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toBe(
      `ledgerlake: Access denied to the log groups /aws/lambda/ledgerlake-${STAGE}-* of stage ${STAGE}: your role needs the stage's ledgerlake-${STAGE}-auditor (read) or ledgerlake-${STAGE}-operator (runbook) policy (docs/deploy.md, "Operating a stage from the command line").\n`,
    );
  });
});

describe('query and report balances --stage', () => {
  const columns = [
    { Name: 'acct', Type: 'varchar' },
    { Name: 'balance', Type: 'decimal', Precision: 38, Scale: 2 },
    { Name: 'n', Type: 'bigint' },
  ];
  const page = (values: (string | undefined)[][], header: boolean, next?: string) => ({
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: columns },
      Rows: [...(header ? [{ Data: columns.map((c) => ({ VarCharValue: c.Name })) }] : []), ...values.map((row) => ({ Data: row.map((v) => (v === undefined ? {} : { VarCharValue: v })) }))],
    },
    ...(next === undefined ? {} : { NextToken: next }),
  });
  const succeeded = (bytes: number) => ({ QueryExecution: { Status: { State: 'SUCCEEDED' as const }, Statistics: { DataScannedInBytes: bytes } } });

  beforeEach(() => {
    athena.on(GetWorkGroupCommand).resolves({ WorkGroup: { Name: `ledgerlake-${STAGE}`, Configuration: { BytesScannedCutoffPerQuery: 10 * 1024 ** 3 } } });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'athena-1' });
  });

  it("runs the SQL in the stage's workgroup with the schemas read as the stage's databases, reads every page, keeps decimals exact and reports the scan", async () => {
    athena.on(GetQueryExecutionCommand).resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } }).resolves(succeeded(3 * 1024 ** 2));
    athena.on(GetQueryResultsCommand).resolves(page([['ACC001', '12345678901234567.89', '2']], true, 'p2'));
    athena.on(GetQueryResultsCommand, { NextToken: 'p2' }).resolves(page([['ACC002', undefined, '9007199254740993']], false));
    const sql = "SELECT acct, sum(amount) AS balance, count(*) AS n FROM silver.transactions JOIN gold.account_balances USING (acct) WHERE note <> 'silver.x' -- quarantine.rows\nGROUP BY 1";

    const result = await stage('query', sql, '--json');
    const table = await stage('query', sql);

    expect(result.code).toBe(0);
    expect(json(result.stdout)).toEqual([
      { acct: 'ACC001', balance: '12345678901234567.89', n: 2 },
      { acct: 'ACC002', balance: null, n: '9007199254740993' },
    ]);
    expect(result.stderr).toBe(`Athena query athena-1 on stage ${STAGE}: 2 rows, scanned 3.0 MB of the workgroup's limit of 10 GB per query.\n`);
    const [request] = athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);
    expect(request?.WorkGroup).toBe(`ledgerlake-${STAGE}`);
    expect(request?.QueryString).toBe(
      `SELECT acct, sum(amount) AS balance, count(*) AS n FROM silver_${STAGE}.transactions JOIN gold_${STAGE}.account_balances USING (acct) WHERE note <> 'silver.x' -- quarantine.rows\nGROUP BY 1`,
    );
    expect(table.stdout).toContain('12345678901234567.89');
    expect(table.stdout).toContain('(2 rows)');
  });

  it("report balances runs the shipped Athena report for the stage with the months as execution parameters", async () => {
    athena.on(GetQueryExecutionCommand).resolves(succeeded(1024));
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'acct', Type: 'varchar' }, { Name: 'balance', Type: 'decimal', Precision: 38, Scale: 2 }, { Name: 'month', Type: 'varchar' }, { Name: 'currency', Type: 'varchar' }] },
        Rows: [{ Data: [{ VarCharValue: 'acct' }, { VarCharValue: 'balance' }, { VarCharValue: 'month' }, { VarCharValue: 'currency' }] }, { Data: [{ VarCharValue: 'ACC001' }, { VarCharValue: '326.00' }, { VarCharValue: '2024-01' }, { VarCharValue: 'EUR' }] }],
      },
    });

    const result = await stage('report', 'balances', '--from', '2024-01', '--to', '2024-03', '--json');

    expect(result.code).toBe(0);
    expect(json(result.stdout)).toEqual([{ acct: 'ACC001', balance: '326.00', month: '2024-01', currency: 'EUR' }]);
    const [request] = athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);
    expect(request?.ExecutionParameters).toEqual(["'2024-01'", "'2024-03'"]);
    expect(request?.QueryString).toContain(`FROM silver_${STAGE}.transactions AS t`);
    expect(request?.QueryString).not.toContain('${stage}');
  });

  it("a query stopped by the workgroup's scan cut-off says so, with what it scanned and how to narrow it", async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled! : Bytes scanned limit was exceeded' }, Statistics: { DataScannedInBytes: 10 * 1024 ** 3 } },
    });

    const result = await stage('query', 'SELECT * FROM silver.transactions');

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `ledgerlake: The query was stopped by workgroup ledgerlake-${STAGE}'s scan limit of 10 GB per query on stage ${STAGE} after scanning 10 GB (Athena query athena-1): filter on the partition columns (silver.transactions: year, month; gold: as_of_month or month; quarantine: ingest_date).\n`,
    );
  });
});

describe('promote and recover --stage: operations the starter runs in the promotion function', () => {
  it('promote starts the starter with the restore request, named with the operation id; a blocked run is exit 3 with the gate\'s reasons', async () => {
    const blocked = await harness.landAndRun('april.csv', await readFile(join(REPO, 'samples/transactions-2024-04-with-errors.csv'), 'utf8'));
    expect(blocked.status).toBe('BLOCKED');

    const result = await stage('promote', '--run', blocked.run_id, '--partition', '2024-04', '--by', 'ana', '--reason', 'try it', '--json');

    expect(result.code).toBe(3);
    expect(json(result.stdout)).toEqual({ error: { code: 'blocked', message: expect.stringMatching(new RegExp(`^Run ${blocked.run_id} is blocked by the promotion gate: quarantine rate .+\\.$`)), exit_code: 3 } });
    const operation = harness.executions.find((e) => e.machine.endsWith('-starter') && e.input['restore'] !== undefined);
    expect(operation?.input).toEqual({
      restore: { run_id: blocked.run_id, partition: '2024-04', by: 'ana', reason: 'try it', operation_id: operation?.name, at: expect.any(String) },
    });
    expect(operation?.name).toMatch(/^\d{8}T\d{6}Z-p[0-9a-f]{5}$/);
    // The function's error reached the command as the execution's output, not as a failed execution (no alert).
    expect(operation).toMatchObject({ status: 'SUCCEEDED', output: { operation_failed: { error: 'RunBlockedError' } } });
  });

  it('recover starts the starter with {recover: {force}} and prints what the promotion function recovered', async () => {
    const result = await stage('recover', '--force', '--json');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(json(result.stdout)).toEqual({ recovered: [], live: [], failed: [] });
    const operation = harness.executions.find((e) => e.machine.endsWith('-starter') && e.input['recover'] !== undefined);
    expect(operation?.input).toEqual({ recover: { force: true } });
  });

  it('recover completes a promotion a crash left pending on the stage (its execution has ended), once', async () => {
    const q1 = await readFile(Q1_SAMPLE, 'utf8');
    const crash = (store: ObjectStore) => new FaultInjectingStore(store, crashAtKey(/month=02\/schema_v=v1\/_LATEST\.json$/));
    const crashed = await harness.landAndRun('q1-crashed.csv', q1.replace(/^(\d+),/gm, (_, id: string) => `${Number(id) + 100},`), '2024-02-02', crash);
    expect(crashed.status).toBe('PROMOTING');
    expect(json((await stage('runs', 'show', crashed.run_id, '--json')).stdout)).toMatchObject({ status: 'PROMOTING' });

    const result = await stage('recover', '--json');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(json(result.stdout)).toEqual({ recovered: [crashed.run_id], live: [], failed: [] });
    expect(json((await stage('recover', '--json')).stdout)).toEqual({ recovered: [], live: [], failed: [] });
    const shown = json((await stage('runs', 'show', crashed.run_id, '--json')).stdout) as { status: string; partitions: { partition: string; version: number | null }[] };
    expect(shown.status).toBe('PUBLISHED');
    expect(shown.partitions.map((p) => [p.partition, p.version !== null])).toEqual([
      ['2024-01', true],
      ['2024-02', true],
      ['2024-03', true],
    ]);
  });
});

describe('Step Functions refusals on a stage', () => {
  it('a role that may not start the starter gets one sentence naming the stage, the state machine and the policies', async () => {
    harness.sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('User is not authorized to perform: states:StartExecution'), { name: 'AccessDeniedException' }));

    const result = await stage('recover');

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `ledgerlake: Access denied to state machine ledgerlake-${STAGE}-starter of stage ${STAGE}: your role needs the stage's ledgerlake-${STAGE}-auditor (read) or ledgerlake-${STAGE}-operator (runbook) policy (docs/deploy.md, "Operating a stage from the command line").\n`,
    );
  });
});
