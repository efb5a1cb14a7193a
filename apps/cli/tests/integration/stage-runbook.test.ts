import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, ExecutionDoesNotExist, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DATASET } from '@ledgerlake/domain';
import type { CatalogPartition, PartitionCatalog } from '@ledgerlake/pipeline';
import type { LocalRunResult } from '@ledgerlake/state-machine';
import { createLakeLayout, LAKE_BUCKET_NAMES, stageBuckets } from '@ledgerlake/storage';
import { S3ObjectStore } from '@ledgerlake/storage-s3';
import { startS3rver, type S3rverHandle } from '@ledgerlake/testing';
import { mockClient } from 'aws-sdk-client-mock';
import jsonata from 'jsonata';
import { runBronzeObject } from '../../src/ingest';
import { localDefinition, localGoldEngine, type LocalLake } from '../../src/local-lake';
import type { CliIo } from '../../src/main';
import { REPO, runCli } from '../support/cli-harness';

/*
 * The runbook on a deployed stage: the stage's buckets in s3rver; Step Functions through
 * aws-sdk-client-mock, where StartExecution of the starter evaluates the starter's own StartRun
 * (infra/starter.asl.json: the execution's name and input, as Step Functions would) and runs the
 * real row-pipeline definition with the real handlers over those buckets, as the stage would.
 */

const STAGE = 'test';
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const layout = createLakeLayout(stageBuckets(`ledgerlake-${STAGE}`));
const PIPELINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ledgerlake-${STAGE}`;
const STARTER_ARN = `${PIPELINE_ARN}-starter`;
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
const STARTER = JSON.parse(readFileSync(join(REPO, 'infra/starter.asl.json'), 'utf8')) as {
  States: Record<string, { Arguments?: { Name: string; Input: string } }>;
};

type Json = Record<string, unknown>;

let s3: S3rverHandle;
let work = '';
let lake: LocalLake;
const sfn = mockClient(SFNClient);
const executions = new Map<string, LocalRunResult>();
const started: { name: string; input: Json; pipelineInput: Json }[] = [];
const registered = new Map<string, CatalogPartition>();
const catalog: PartitionCatalog = {
  registerPartition: async (entry) => void registered.set(`${entry.table} ${entry.partition}`, entry),
  registeredVersion: async (table, month) => registered.get(`${table} ${month.year}-${String(month.month).padStart(2, '0')}`)?.version,
};

/** A starter expression (`{% … %}`) evaluated as Step Functions evaluates it. */
async function evaluate(field: string, input: unknown): Promise<unknown> {
  const value: unknown = await jsonata(field.slice(2, -2)).evaluate({}, {
    states: { input, context: { State: { EnteredTime: new Date().toISOString() } } },
    uuid: () => '0f8fad5b-d9cb-469f-a165-70867728950e',
  });
  return JSON.parse(JSON.stringify(value));
}

/** The row pipeline, started as the starter's StartRun would start it. */
async function runPipeline(name: string, input: Json): Promise<void> {
  const { mode, source, backfill_month, approval_id, rerun_of } = input as {
    mode: 'ingest' | 'retry' | 'backfill';
    source: { bucket: string; key: string };
    backfill_month?: string;
    approval_id?: string;
    rerun_of?: string;
  };
  await runBronzeObject(lake, source, source.key, {
    definition: localDefinition(),
    now: () => new Date(),
    wiring: { catalog, gold: (store) => localGoldEngine(lake, store) },
    run: { runId: name, mode, ...(backfill_month === undefined ? {} : { backfill_month }), ...(approval_id === undefined ? {} : { approval_id }), ...(rerun_of === undefined ? {} : { rerun_of }) },
    onExecutionEnded: (result) => void executions.set(`${PIPELINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`, result),
  });
}

beforeAll(async () => {
  s3 = await startS3rver();
  for (const name of LAKE_BUCKET_NAMES) await s3.createBucket(layout.buckets[name]);
  work = await mkdtemp(join(tmpdir(), 'ledgerlake-stage-runbook-'));
  lake = { root: work, store: new S3ObjectStore(s3.createClient()), layout };
}, 60_000);

afterAll(async () => {
  await s3?.stop();
  await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  sfn.reset();
  sfn.on(ListStateMachinesCommand).resolves({
    stateMachines: [
      { name: `ledgerlake-${STAGE}`, stateMachineArn: PIPELINE_ARN, type: 'STANDARD', creationDate: new Date() },
      { name: `ledgerlake-${STAGE}-starter`, stateMachineArn: STARTER_ARN, type: 'STANDARD', creationDate: new Date() },
    ],
  });
  sfn.on(StartExecutionCommand).callsFake(async (request: { stateMachineArn: string; name: string; input: string }) => {
    expect(request.stateMachineArn).toBe(STARTER_ARN);
    const input = JSON.parse(request.input) as Json;
    const args = STARTER.States['StartRun']?.Arguments as { Name: string; Input: string };
    const name = String(await evaluate(args.Name, input));
    const pipelineInput = (await evaluate(args.Input, input)) as Json;
    started.push({ name: request.name, input, pipelineInput });
    await runPipeline(name, pipelineInput);
    return { executionArn: `${STARTER_ARN.replace(':stateMachine:', ':execution:')}:${request.name}`, startDate: new Date() };
  });
  sfn.on(DescribeExecutionCommand).callsFake(async ({ executionArn }: { executionArn: string }) => {
    const result = executions.get(executionArn);
    if (result === undefined) throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${executionArn}'`, $metadata: {} });
    return result.status === 'SUCCEEDED'
      ? { executionArn, status: 'SUCCEEDED', output: JSON.stringify(result.output), startDate: new Date(), stateMachineArn: PIPELINE_ARN }
      : { executionArn, status: 'FAILED', error: result.status === 'FAILED' ? result.error : 'States.Aborted', startDate: new Date(), stateMachineArn: PIPELINE_ARN };
  });
  started.length = 0;
});

const io = (): Partial<CliIo> => ({
  aws: { s3: () => s3.createClient(), sfn: () => new SFNClient({ region: REGION, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }), pollMs: 10 },
});
const stage = (...argv: string[]) => runCli([...argv, '--stage', STAGE], work, io());
const json = (text: string): Json => JSON.parse(text) as Json;

async function landAndRun(name: string, lines: string[]): Promise<string> {
  const source = layout.bronze.file('2024-02-01', name);
  await lake.store.put(source, `${[HEADER, ...lines].join('\n')}\n`);
  const runId = `20240201T0900${String(started.length + executions.size).padStart(2, '0')}Z`;
  await runPipeline(runId, { mode: 'ingest', source });
  return runId;
}

describe('the runbook on a deployed stage (Step Functions through the starter)', () => {
  it('quarantine retry with a fix starts the retry run through the starter, named with its run id, and it is published', async () => {
    const good = Array.from({ length: 30 }, (_, i) => `${2000 + i},ACC00${i % 3},${i + 1}.25,EUR,2024-01-${String((i % 28) + 1).padStart(2, '0')}T08:00:00Z`);
    const runId = await landAndRun('jan.csv', [...good, '99,ACC009,12.34,eur,2024-01-15T10:00:00Z']);
    const listing = json((await stage('quarantine', 'list', '--json')).stdout);
    const [row] = listing['rows'] as Json[];
    expect(row).toMatchObject({ run_id: runId, status: 'OPEN', validation_error: 'CURRENCY_ERROR' });
    const fixes = join(work, 'fixes.csv');
    await writeFile(fixes, `row_hash,${HEADER}\n${String(row?.['row_hash'])},99,ACC009,12.34,EUR,2024-01-15T10:00:00Z\n`);

    const retried = await stage('quarantine', 'retry', '--run', runId, '--fixes', fixes, '--by', 'dq-analyst', '--json');

    expect(retried).toMatchObject({ code: 0, stderr: '' });
    const outcome = json(retried.stdout);
    expect(outcome).toMatchObject({ status: 'PUBLISHED', retry_of: runId, counts: { input_rows: 1, valid_rows: 1 }, partitions: [{ partition: '2024-01', version: 2, rows: 1 }] });
    expect(started).toHaveLength(1);
    const [start] = started;
    expect(start?.name).toBe(outcome['run_id']);
    expect(start?.input).toMatchObject({ mode: 'retry', run_id: outcome['run_id'], source: { bucket: layout.buckets.bronze, key: expect.stringMatching(/\/retry-[^/]+\.csv$/) } });
    expect(start?.pipelineInput).toEqual({ dataset: DATASET, mode: 'retry', source: (start?.input as Json)['source'] });
    const after = json((await stage('quarantine', 'list', '--all', '--json')).stdout);
    expect((after['rows'] as Json[]).find((r) => r['row_hash'] === row?.['row_hash'])).toMatchObject({ status: 'RESOLVED', retry_run_id: outcome['run_id'] });
  });

  it('backfill lands its file in the stage and starts a backfill run that carries backfill_month', async () => {
    const file = join(work, 'dec.csv');
    await writeFile(file, `${HEADER}\n3001,ACC001,10.00,EUR,2023-12-05T08:00:00Z\n3002,ACC002,20.00,EUR,2023-12-06T08:00:00Z\n`);

    const result = await stage('backfill', '--month', '2023-12', file, '--json');

    expect(result).toMatchObject({ code: 0 });
    const outcome = json(result.stdout);
    expect(outcome).toMatchObject({ status: 'PUBLISHED', backfill_month: '2023-12', partitions: [{ partition: '2023-12' }] });
    expect(started).toHaveLength(1);
    expect(started[0]?.name).toBe(outcome['run_id']);
    expect(started[0]?.pipelineInput).toMatchObject({ mode: 'backfill', backfill_month: '2023-12' });
  });

  it('condemned approve starts the retry run with its approval_id (loop prevention lets the rows past the limit once), and it is published', async () => {
    const good = Array.from({ length: 30 }, (_, i) => `${5000 + i},ACC00${i % 3},${i + 1}.50,EUR,2024-03-${String((i % 28) + 1).padStart(2, '0')}T08:00:00Z`);
    let source = await landAndRun('mar.csv', [...good, '77,ACC007,5.00,eur,2024-03-16T10:00:00Z']);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const retried = json((await stage('quarantine', 'retry', '--run', source, '--json')).stdout);
      source = String(retried['run_id']);
    }
    const [row] = json((await stage('condemned', 'list', '--run', source, '--json')).stdout)['rows'] as Json[];
    expect(row).toMatchObject({ status: 'CONDEMNED', validation_error: 'MAX_ATTEMPTS' });
    const fixes = join(work, 'approve-fixes.csv');
    await writeFile(fixes, `row_hash,${HEADER}\n${String(row?.['row_hash'])},77,ACC007,5.00,EUR,2024-03-16T10:00:00Z\n`);
    started.length = 0;

    const approved = await stage('condemned', 'approve', '--run', source, '--by', 'alice', '--reason', 'currency confirmed by the desk', '--fixes', fixes, '--json');

    expect(approved).toMatchObject({ code: 0, stderr: '' });
    const outcome = json(approved.stdout);
    expect(outcome).toMatchObject({ status: 'PUBLISHED', counts: { input_rows: 1, valid_rows: 1 }, decision: { decision: 'approve', by: 'alice', retry_run_id: outcome['run_id'] } });
    expect(started.map(({ name, pipelineInput }) => [name, pipelineInput['mode'], pipelineInput['approval_id']])).toEqual([
      [outcome['run_id'], 'retry', outcome['approval_id']],
    ]);
    expect(outcome['approval_id']).toEqual(expect.any(String));
  });

  it('a stage without its state machines names them', async () => {
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
    const file = join(work, 'nov.csv');
    await writeFile(file, `${HEADER}\n4001,ACC001,10.00,EUR,2023-11-05T08:00:00Z\n`);

    const result = await stage('backfill', '--month', '2023-11', file);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `ledgerlake: Stage ${STAGE} has no state machine ledgerlake-${STAGE} and ledgerlake-${STAGE}-starter: deploy its infra (docs/deploy.md, "First deploy of a stage") or check --region.\n`,
    );
  });
});
