import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBreakerState } from '@ledgerlake/ledgers';
import { createLakeLayout, stageBuckets } from '@ledgerlake/storage';
import type { CliIo } from '../../src/cli-io';
import { Q1_SAMPLE, REPO, runCli } from '../support/cli-harness';
import { STAGE, type StageHarness, startStage } from '../support/stage-harness';

/*
 * The command line on a deployed stage (tests/support/stage-harness.ts): its buckets in a local
 * S3-compatible server (s3rver, with the S3 semantics it lacks emulated on the client), filled by
 * a real run of the definition over the S3 adapter, then read and changed by the same commands a lake folder takes, with --stage,
 * LEDGERLAKE_STAGE or ledgerlake.config.json.
 */

const layout = createLakeLayout(stageBuckets(`ledgerlake-${STAGE}`));
const ERRORS_SAMPLE = join(REPO, 'samples/transactions-2024-04-with-errors.csv');

let harness: StageHarness;
let work = '';
let runId = '';
let blockedRunId = '';
let quarantined = 0;

beforeAll(async () => {
  harness = await startStage();
  work = harness.work;
  // What the stage's state machine would have done: a run of the definition over the S3 adapter.
  const runFile = async (path: string) => harness.landAndRun(path.split('/').at(-1) as string, await readFile(path, 'utf8'), '2024-04-30');
  const published = await runFile(Q1_SAMPLE);
  const blocked = await runFile(ERRORS_SAMPLE);
  expect([published.status, blocked.status]).toEqual(['PUBLISHED', 'BLOCKED']);
  runId = published.run_id;
  blockedRunId = blocked.run_id;
  quarantined = blocked.counts?.quarantined_rows ?? 0;
  expect(quarantined).toBeGreaterThan(0);
}, 120_000);

afterAll(async () => harness?.stop());

const io = (): Partial<CliIo> => harness.io();
const run = (argv: string[], extra: Partial<CliIo> = {}) => runCli(argv, work, { ...io(), ...extra });
const json = (text: string): unknown => JSON.parse(text);

describe('ledgerlake --stage: the read commands on a deployed stage', () => {
  it("runs and runs show read the stage's run records", async () => {
    const runs = await run(['runs', '--stage', STAGE, '--json']);
    const shown = await run(['runs', 'show', blockedRunId, '--stage', STAGE, '--json']);

    expect(runs).toMatchObject({ code: 0, stderr: '' });
    expect(json(runs.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ run_id: runId, status: 'PUBLISHED' }), expect.objectContaining({ run_id: blockedRunId, status: 'BLOCKED' })]),
    );
    expect(json(runs.stdout)).toHaveLength(2);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(json(shown.stdout)).toMatchObject({ run_id: blockedRunId, status: 'BLOCKED', counts: { quarantined_rows: quarantined } });
  });

  it('quarantine list, condemned list, bronze list, breaker status and partitions history read the same objects a lake folder holds', async () => {
    const quarantine = await run(['quarantine', 'list', '--stage', STAGE, '--json']);
    const condemned = await run(['condemned', 'list', '--stage', STAGE, '--json']);
    const bronze = await run(['bronze', 'list', '--stage', STAGE, '--json']);
    const breaker = await run(['breaker', 'status', '--stage', STAGE, '--json']);
    const history = await run(['partitions', 'history', '2024-01', '--stage', STAGE, '--json']);

    for (const result of [quarantine, condemned, bronze, breaker, history]) expect(result).toMatchObject({ code: 0, stderr: '' });
    const listing = json(quarantine.stdout) as { rows: { run_id: string }[] };
    expect(listing.rows).toHaveLength(quarantined);
    expect(new Set(listing.rows.map((row) => row.run_id))).toEqual(new Set([blockedRunId]));
    expect(json(bronze.stdout)).toEqual([
      expect.objectContaining({ key: 'mortgages/transactions/ingest_date=2024-04-30/transactions-2024-04-with-errors.csv', state: 'BLOCKED' }),
      expect.objectContaining({ key: 'mortgages/transactions/ingest_date=2024-04-30/transactions-2024-q1.csv', state: 'PUBLISHED' }),
    ]);
    expect(json(history.stdout)).toMatchObject({ versions: [expect.objectContaining({ run_id: runId })] });
  });

  it('LEDGERLAKE_STAGE and ledgerlake.config.json (found in a parent folder) name the same stage', async () => {
    const byOption = await run(['runs', '--stage', STAGE, '--json']);
    const byEnv = await run(['runs', '--json'], { env: { LEDGERLAKE_STAGE: STAGE } });
    const project = await mkdtemp(join(work, 'project-'));
    await writeFile(join(project, 'ledgerlake.config.json'), JSON.stringify({ stage: STAGE, stages: { [STAGE]: { region: 'eu-west-1' } } }));
    const nested = join(project, 'sub');
    await mkdir(nested);
    const byConfig = await runCli(['runs', '--json'], nested, io());

    expect(byOption.code).toBe(0);
    expect(byEnv.stdout).toBe(byOption.stdout);
    expect(byConfig.stdout).toBe(byOption.stdout);
  });

  it('breaker reset writes its record in the stage, as on a lake folder', async () => {
    const reset = await run(['breaker', 'reset', '--by', 'ana', '--reason', 'checked the feed', '--stage', STAGE, '--json']);

    expect(reset).toMatchObject({ code: 0, stderr: '' });
    const state = await readBreakerState(harness.lake.store, layout);
    expect(state).toMatchObject({ state: 'closed', reset: [expect.objectContaining({ by: 'ana', reason: 'checked the feed' })] });
    expect(json(reset.stdout)).toEqual(JSON.parse(JSON.stringify(state)));
  });
});

describe('ledgerlake --stage: what it refuses, in one sentence', () => {
  it('watch and ingest --dry-run say why they do not take --stage and what happens on a stage instead', async () => {
    const watch = await run(['watch', '--once', '--stage', STAGE]);
    const dryRun = await run(['ingest', ERRORS_SAMPLE, '--dry-run', '--stage', STAGE]);

    for (const result of [watch, dryRun]) {
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(watch.stderr).toMatch(/^ledgerlake: `ledgerlake watch` does not take --stage \(stage test\): on a stage, Bronze's Object Created rule starts a run for every landed file/);
    expect(dryRun.stderr).toMatch(/^ledgerlake: `ingest --dry-run` does not take --stage \(stage test\): a file landed in its Bronze starts a real run\./);
    // Nothing was landed.
    expect(harness.executions.filter((e) => e.machine.endsWith('-starter'))).toEqual([]);
  });

  it('a stage that is not deployed names its bucket and what to check', async () => {
    const result = await run(['runs', '--stage', 'absent']);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'ledgerlake: Stage absent is not deployed here (bucket ledgerlake-absent-artifacts does not exist): check the stage name, --region and the account of your credentials.\n',
    );
  });

  it('a bad stage name, or --lake with --stage, is wrong usage', async () => {
    const bad = await run(['runs', '--stage', 'Prod_1']);
    const both = await run(['runs', '--stage', STAGE, '--lake', work]);

    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--stage names stage "Prod_1": a stage name is a lowercase letter');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Give either --lake (a local lake folder) or --stage (a deployed stage), not both.');
  });
});
