import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO, Q1_SAMPLE, runCli, useTempLake, type Captured } from '../support/cli-harness';

const dirs = useTempLake('ledgerlake-promote-');
const run = (...argv: string[]): Promise<Captured> => runCli(argv, dirs.work);
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';

async function ingest(file: string): Promise<Record<string, unknown>> {
  const result = await run('ingest', file, '--json', '--lake', dirs.lake);
  return (JSON.parse(result.stdout) as Record<string, unknown>[])[0] as Record<string, unknown>;
}

async function latest(month: string): Promise<{ version: number; runs: { run_id: string }[]; files: string[] }> {
  const path = join(dirs.lake, `silver/mortgages/transactions/year=2024/month=${month}/schema_v=v1/_LATEST.json`);
  return JSON.parse(await readFile(path, 'utf8')) as { version: number; runs: { run_id: string }[]; files: string[] };
}

describe('ledgerlake promote', () => {
  it('rolls a month back to its state right after an earlier run, as a new version, and rebuilds Gold', async () => {
    const first = await ingest(Q1_SAMPLE);
    const late = join(dirs.work, 'late.csv');
    await writeFile(late, `${HEADER}\n9,ACC002,10.00,EUR,2024-01-15T12:00:00Z\n`);
    const second = await ingest(late);
    expect((await latest('01')).runs.map((r) => r.run_id)).toEqual([first['run_id'], second['run_id']]);

    const result = await run('promote', '--run', String(first['run_id']), '--partition', '2024-01', '--json', '--lake', dirs.lake);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      run_id: first['run_id'],
      partition: '2024-01',
      action: 'rollback',
      version: 3,
      restored_version: 1,
      rows: 2,
      gold_months: ['2024-01', '2024-02', '2024-03'],
    });
    expect((await latest('01')).runs.map((r) => r.run_id)).toEqual([first['run_id']]);
    const balances = JSON.parse(
      await readFile(join(dirs.lake, 'gold/finance/account_balances/schema_v=v1/as_of_month=2024-01/_LATEST.json'), 'utf8'),
    ) as { built_from: Record<string, number> };
    expect(balances.built_from).toEqual({ '2024-01': 3 });
  });

  it('refuses a blocked run with exit 3 and the gate\'s reasons', async () => {
    const blocked = await ingest(join(REPO, 'samples/transactions-2024-04-with-errors.csv'));
    expect(blocked['status']).toBe('BLOCKED');

    const result = await run('promote', '--run', String(blocked['run_id']), '--partition', '2024-04', '--lake', dirs.lake);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^ledgerlake: Run \S+ is blocked by the promotion gate: quarantine rate 50\.00 %/);
  });

  it.each([
    [['promote', '--run', '20240101T000000Z', '--partition', '2024-13'], /expected a month YYYY-MM, got '2024-13'/],
    [['promote', '--partition', '2024-01'], /required option '--run <run_id>' not specified/],
    [['promote', '--run', 'nope', '--partition', '2024-01'], /"nope" is not a run id/],
  ])('exits 2 on wrong usage: %j', async (argv, message) => {
    const result = await run(...argv, '--lake', dirs.lake);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('says in one sentence that an unknown run has no output to promote', async () => {
    const result = await run('promote', '--run', '20240101T000000Z-abcdef', '--partition', '2024-01', '--lake', dirs.lake);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'ledgerlake: run 20240101T000000Z-abcdef has no manifest (runs/20240101T000000Z-abcdef/manifest.json): it never finished writing its output\n',
    );
  });
});
