import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { STAGE, type StageHarness, startStage } from '../support/stage-harness';

const DATASET = TRANSACTIONS_DATASET.path;

/*
 * The runbook on a deployed stage (tests/support/stage-harness.ts): the stage's buckets in s3rver,
 * Step Functions mocked so that the starter's own StartRun names and starts the real row-pipeline
 * definition with the real handlers over those buckets, as the stage would.
 */

const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
type Json = Record<string, unknown>;

let harness: StageHarness;
let work = '';
let layout: StageHarness['layout'];
let started: StageHarness['started'];

beforeAll(async () => {
  harness = await startStage();
  ({ work, layout, started } = harness);
}, 60_000);

afterAll(async () => harness?.stop());

beforeEach(() => {
  harness.reset();
  started.length = 0;
});

const stage = (...argv: string[]) => harness.cli(argv);
const json = (text: string): Json => JSON.parse(text) as Json;

async function landAndRun(name: string, lines: string[]): Promise<string> {
  return (await harness.landAndRun(name, `${[HEADER, ...lines].join('\n')}\n`)).run_id;
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

    expect(result).toMatchObject({ code: 0, stderr: '' });
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
    harness.sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
    const file = join(work, 'nov.csv');
    await writeFile(file, `${HEADER}\n4001,ACC001,10.00,EUR,2023-11-05T08:00:00Z\n`);

    const result = await stage('backfill', '--month', '2023-11', file);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `ledgerlake: Stage ${STAGE} has no state machine ledgerlake-${STAGE} and ledgerlake-${STAGE}-starter: deploy its infra (docs/deploy.md, "First deploy of a stage") or check --region.\n`,
    );
  });
});
