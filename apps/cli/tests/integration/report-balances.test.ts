import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Q1_SAMPLE, REPO, runCli, useTempLake } from '../support/cli-harness';

/* `ledgerlake report balances`: the reference report of docs/contract/tables.md, through the real command. */

const run = promisify(execFile);

interface BalanceRow {
  acct: string;
  balance: string | null;
  month: string;
  currency: string;
}

describe('ledgerlake report balances', () => {
  const dirs = useTempLake('ledgerlake-report-');

  async function report(from: string, to: string): Promise<BalanceRow[]> {
    const result = await runCli(['report', 'balances', '--from', from, '--to', to, '--json', '--lake', dirs.lake], dirs.work);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as BalanceRow[];
  }

  async function ingest(file: string): Promise<void> {
    const result = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work);
    expect(result.code).toBe(0);
  }

  it('gives the reference result for the Q1 2024 sample: ACC001 326.00 ×3, ACC002 NULL, -25.50, -125.50', async () => {
    await ingest(Q1_SAMPLE);

    expect(await report('2024-01', '2024-03')).toEqual([
      { acct: 'ACC001', balance: '326.00', month: '2024-01', currency: 'EUR' },
      { acct: 'ACC001', balance: '326.00', month: '2024-02', currency: 'EUR' },
      { acct: 'ACC001', balance: '326.00', month: '2024-03', currency: 'EUR' },
      { acct: 'ACC002', balance: null, month: '2024-01', currency: 'EUR' },
      { acct: 'ACC002', balance: '-25.50', month: '2024-02', currency: 'EUR' },
      { acct: 'ACC002', balance: '-125.50', month: '2024-03', currency: 'EUR' },
    ]);
  });

  it('moves every later month when a late transaction for January arrives, and Gold agrees', async () => {
    await ingest(Q1_SAMPLE);
    const late = join(dirs.work, 'late-january.csv');
    await writeFile(late, 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n9,ACC002,10.00,EUR,2024-01-15T09:00:00Z\n');
    await ingest(late);

    const rows = await report('2024-01', '2024-03');
    const gold = await runCli(
      [
        'query',
        'SELECT account_id AS acct, balance, as_of_month AS month, currency FROM gold.account_balances ORDER BY acct, month',
        '--json',
        '--lake',
        dirs.lake,
      ],
      dirs.work,
    );

    expect(rows.filter((row) => row.acct === 'ACC002')).toEqual([
      { acct: 'ACC002', balance: '10.00', month: '2024-01', currency: 'EUR' },
      { acct: 'ACC002', balance: '-15.50', month: '2024-02', currency: 'EUR' },
      { acct: 'ACC002', balance: '-115.50', month: '2024-03', currency: 'EUR' },
    ]);
    expect(rows.filter((row) => row.acct === 'ACC001').map((row) => row.balance)).toEqual(['326.00', '326.00', '326.00']);
    expect(JSON.parse(gold.stdout)).toEqual(rows);
  });

  it('carries balances into months after the last transaction and leaves out accounts that start later', async () => {
    await ingest(Q1_SAMPLE);

    expect(await report('2024-02', '2024-02')).toEqual([
      { acct: 'ACC001', balance: '326.00', month: '2024-02', currency: 'EUR' },
      { acct: 'ACC002', balance: '-25.50', month: '2024-02', currency: 'EUR' },
    ]);
    expect((await report('2024-05', '2024-06')).map((row) => [row.acct, row.balance, row.month])).toEqual([
      ['ACC001', '326.00', '2024-05'],
      ['ACC001', '326.00', '2024-06'],
      ['ACC002', '-125.50', '2024-05'],
      ['ACC002', '-125.50', '2024-06'],
    ]);
    expect(await report('2023-11', '2023-12')).toEqual([]);
  });

  it('prints a titled, aligned table without --json', async () => {
    await ingest(Q1_SAMPLE);

    const result = await runCli(['report', 'balances', '--from', '2024-01', '--to', '2024-03', '--lake', dirs.lake], dirs.work);

    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Month-end balances 2024-01 to 2024-03/);
    expect(lines.slice(1, 10)).toEqual([
      'acct    balance  month    currency',
      '------  -------  -------  --------',
      'ACC001   326.00  2024-01  EUR',
      'ACC001   326.00  2024-02  EUR',
      'ACC001   326.00  2024-03  EUR',
      'ACC002     NULL  2024-01  EUR',
      'ACC002   -25.50  2024-02  EUR',
      'ACC002  -125.50  2024-03  EUR',
      '(6 rows)',
    ]);
  });

  it('says so when no account has a transaction by the end of the range', async () => {
    const result = await runCli(['report', 'balances', '--from', '2024-01', '--to', '2024-03', '--lake', dirs.lake], dirs.work);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No account has a published transaction before the end of 2024-03.');
  });

  it.each([
    [['--from', '2024-03', '--to', '2024-01'], /--from 2024-03 is after --to 2024-01/],
    [['--from', '2024-13', '--to', '2024-12'], /expected a month YYYY-MM/],
    [['--from', '2024-1', '--to', '2024-12'], /expected a month YYYY-MM/],
    [['--to', '2024-12'], /required option '--from <YYYY-MM>' not specified/],
    [['--from', '2024-01'], /required option '--to <YYYY-MM>' not specified/],
  ])('is wrong usage (exit 2) with %j', async (args, message) => {
    const result = await runCli(['report', 'balances', ...args, '--lake', dirs.lake], dirs.work);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('--help names the options and the shipped SQL', async () => {
    const result = await runCli(['report', 'balances', '--help'], dirs.work);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--from <YYYY-MM>');
    expect(result.stdout).toContain('--to <YYYY-MM>');
    expect(result.stdout).toContain('sql/duckdb/reports/month-end-balances.sql');
  });

  it('works from the real bin run in another folder (the SQL is found beside the package, not the working directory)', async () => {
    await ingest(Q1_SAMPLE);

    const { stdout } = await run(
      process.execPath,
      [join(REPO, 'apps/cli/bin/ledgerlake.js'), 'report', 'balances', '--from', '2024-03', '--to', '2024-03', '--json'],
      { cwd: dirs.work, env: { ...process.env, LEDGERLAKE_LAKE: dirs.lake } },
    );

    expect(JSON.parse(stdout)).toEqual([
      { acct: 'ACC001', balance: '326.00', month: '2024-03', currency: 'EUR' },
      { acct: 'ACC002', balance: '-125.50', month: '2024-03', currency: 'EUR' },
    ]);
  });
});
