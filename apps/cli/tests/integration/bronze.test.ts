import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CliIo } from '../../src/cli-io';
import { jsonLines, Q1_SAMPLE, REPO, runCli, useTempLake, type Captured } from '../support/cli-harness';

/*
 * A Bronze object whose run ended BLOCKED or FAILED is dealt with: watch and the daily sweep never
 * run it again by themselves, a plain ingest of the same bytes is SKIPPED, and only a person's
 * request (`runs rerun`, `ingest --force`) runs it again; `bronze ignore` takes an object out for
 * good. No quarantined row is ever OPEN twice.
 */

const dirs = useTempLake('ledgerlake-bronze-');
const APRIL = join(REPO, 'samples/transactions-2024-04-with-errors.csv');
const BLOCKED_KEY = 'mortgages/transactions/ingest_date=2024-04-01/april.csv';
const FAILED_KEY = 'mortgages/transactions/ingest_date=2024-04-01/no-currency.csv';

type Json = Record<string, unknown>;
const run = (argv: string[], extra: Partial<CliIo> = {}): Promise<Captured> => runCli([...argv, '--lake', dirs.lake], dirs.work, extra);

async function dropIntoBronze(key: string, from: string): Promise<void> {
  const path = join(dirs.lake, 'bronze', key);
  await mkdir(dirname(path), { recursive: true });
  await copyFile(from, path);
}

async function ingest(...argv: string[]): Promise<{ code: number; outcomes: Json[] }> {
  const result = await run(['ingest', ...argv, '--json']);
  return { code: result.code, outcomes: JSON.parse(result.stdout) as Json[] };
}

async function openRows(): Promise<Json[]> {
  const result = await run(['quarantine', 'list', '--json']);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as Json)['rows'] as Json[];
}

/** The run folders (not the runs' report index beside them). */
const runDirs = async (): Promise<string[]> => (await readdir(join(dirs.lake, 'artifacts/runs'))).filter((name) => !name.startsWith('index.')).sort();

describe('watch and the daily sweep do not run a BLOCKED or FAILED Bronze object again', () => {
  it('a second watch --once starts no run, sends no alert, and leaves the OPEN rows as they were', async () => {
    await dropIntoBronze(BLOCKED_KEY, APRIL);
    const noCurrency = join(dirs.work, 'no-currency.csv');
    await writeFile(noCurrency, 'TransactionID,CustomerID,TransactionAmount,TransactionTimestamp\n1,ACC001,1.00,2024-01-05T09:00:00Z\n');
    await dropIntoBronze(FAILED_KEY, noCurrency);

    const first = await run(['watch', '--once', '--json']);

    expect(first.code).toBe(1);
    expect(jsonLines(first.stdout).map((line) => [line['file'], line['status']])).toEqual([
      [BLOCKED_KEY, 'BLOCKED'],
      [FAILED_KEY, 'FAILED'],
    ]);
    expect(first.stderr).not.toBe('');
    const runsBefore = await runDirs();
    const openBefore = await openRows();
    expect(openBefore).toHaveLength(4);

    const second = await run(['watch', '--once', '--json']);

    expect(second).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await runDirs()).toEqual(runsBefore);
    expect(await openRows()).toEqual(openBefore);
    const listed = JSON.parse((await run(['bronze', 'list', '--json'])).stdout) as Json[];
    expect(listed.map((object) => [object['key'], object['state']])).toEqual([
      [BLOCKED_KEY, 'BLOCKED'],
      [FAILED_KEY, 'FAILED'],
    ]);
  });

  it('runs rerun runs the object again as a new run that supersedes the first: its rows are OPEN once', async () => {
    await dropIntoBronze(BLOCKED_KEY, APRIL);
    const [blocked] = jsonLines((await run(['watch', '--once', '--json'])).stdout);
    const first = String(blocked?.['run_id']);

    const rerun = await run(['runs', 'rerun', first, '--json'], { env: { GATE_MAX_QUARANTINE_RATE: '0.9' } });

    expect(rerun.code).toBe(0);
    const outcome = JSON.parse(rerun.stdout) as Json;
    expect(outcome).toMatchObject({ status: 'PUBLISHED', rerun_of: first, file: BLOCKED_KEY, counts: { input_rows: 8, valid_rows: 3, quarantined_rows: 4 } });
    const open = await openRows();
    expect(open.map((row) => row['run_id'])).toEqual(Array(4).fill(outcome['run_id']));
    const again = await run(['runs', 'rerun', first]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`ledgerlake: ${BLOCKED_KEY} was run again since, as run ${String(outcome['run_id'])} (PUBLISHED); re-run that one. Nothing was run.\n`);
    const published = await run(['runs', 'rerun', String(outcome['run_id'])]);
    expect(published.stderr).toMatch(/was PUBLISHED: its file is processed, there is nothing to re-run\.\n$/);
    expect((await run(['watch', '--once'])).stdout).toBe('');
  });
});

describe('ingest of a file already seen', () => {
  it('the npm start sequence twice: the blocked file is SKIPPED the second time, its four rows OPEN once', async () => {
    const first = await ingest(Q1_SAMPLE, APRIL);
    expect(first.outcomes.map((o) => o['status'])).toEqual(['PUBLISHED', 'BLOCKED']);

    const second = await ingest(Q1_SAMPLE, APRIL);

    expect(second.code).toBe(0);
    expect(second.outcomes).toMatchObject([
      { status: 'SKIPPED', duplicate_status: 'processed' },
      { status: 'SKIPPED', duplicate_of: first.outcomes[1]?.['run_id'], duplicate_status: 'blocked' },
    ]);
    expect(await openRows()).toHaveLength(4);
    const text = await run(['ingest', APRIL]);
    expect(text.stdout).toContain(`already ended BLOCKED by run ${String(first.outcomes[1]?.['run_id'])} (same content): not run again unless asked`);
  });

  it('--force runs a BLOCKED file again (its rows OPEN once, from the new run), and leaves a PUBLISHED one SKIPPED', async () => {
    const first = await ingest(Q1_SAMPLE, APRIL);
    const blocked = String(first.outcomes[1]?.['run_id']);

    const forced = await ingest('--force', Q1_SAMPLE, APRIL);

    expect(forced.code).toBe(3);
    expect(forced.outcomes).toMatchObject([
      { status: 'SKIPPED', duplicate_status: 'processed' },
      { status: 'BLOCKED', rerun_of: blocked },
    ]);
    const open = await openRows();
    expect(open.map((row) => row['run_id'])).toEqual(Array(4).fill(forced.outcomes[1]?.['run_id']));
    const sql = await run(['query', 'SELECT count(*) AS n FROM quarantine.rows', '--json']);
    expect(JSON.parse(sql.stdout)).toEqual([{ n: 4 }]);
  });
});

describe('ledgerlake bronze ignore', () => {
  it('records who, when and why; watch, ingest and runs rerun then never run the object', async () => {
    const [blocked] = (await ingest(APRIL)).outcomes;
    const key = String((blocked?.['source'] as Json)['key']);
    const unsigned = await run(['bronze', 'ignore', key, '--reason', 'bad export']);
    expect(unsigned.code).toBe(2);

    const ignored = await run(['bronze', 'ignore', key, '--by', 'dq-lead', '--reason', 'superseded by a corrected export', '--json']);

    expect(ignored.code).toBe(0);
    const record = JSON.parse(ignored.stdout) as Json;
    expect(record).toEqual({ bronze_key: key, by: 'dq-lead', reason: 'superseded by a corrected export', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), last_run_id: blocked?.['run_id'] });
    expect(JSON.parse(await readFile(join(dirs.lake, 'artifacts/control/bronze/ignored', `${key}.json`), 'utf8'))).toEqual(record);
    expect(JSON.parse((await run(['bronze', 'list', '--json'])).stdout)).toEqual([
      { key, state: 'IGNORED', last_run: { run_id: blocked?.['run_id'], status: 'BLOCKED' }, ignored: record },
    ]);
    const runsBefore = await runDirs();
    expect((await run(['watch', '--once'])).stdout).toBe('');
    const forced = await ingest('--force', APRIL);
    expect(forced).toEqual({ code: 0, outcomes: [expect.objectContaining({ status: 'SKIPPED', run_id: null, ignored: record })] });
    const rerun = await run(['runs', 'rerun', String(blocked?.['run_id'])]);
    expect(rerun.stderr).toBe(`ledgerlake: ${key} is ignored by dq-lead at ${String(record['at'])} (superseded by a corrected export); nothing was run.\n`);
    expect(await runDirs()).toEqual(runsBefore);
    const twice = await run(['bronze', 'ignore', key, '--by', 'other', '--reason', 'again']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/was already ignored by dq-lead at .* \(superseded by a corrected export\); nothing was recorded\.\n$/);
  });

  it('refuses a key that is not in Bronze', async () => {
    const result = await run(['bronze', 'ignore', 'mortgages/transactions/ingest_date=2024-04-01/nope.csv', '--by', 'a', '--reason', 'b']);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('ledgerlake: Bronze has no file mortgages/transactions/ingest_date=2024-04-01/nope.csv (see `ledgerlake bronze list`); nothing was recorded.\n');
  });
});
