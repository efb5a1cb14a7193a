import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTransactionsCsv } from '@ledgerlake/testing';
import { runCli } from '../support/cli-harness';

/*
 * Gold (built by promotion in TypeScript) and the shipped report SQL (run by DuckDB over published
 * Silver) are two independent computations of the same balances: on 10,000 generated transactions
 * over many accounts, currencies and months they must agree row for row.
 */

const ROWS = 10_000;

interface BalanceRow {
  acct: string;
  balance: string | null;
  month: string;
  currency: string;
}

interface MonthlyRow {
  acct: string;
  currency: string;
  month: string;
  tx_count: number;
  credits: string;
  debits: string;
  net: string;
  closing_balance: string;
}

describe('Gold and the report SQL over Silver, on 10,000 generated transactions', () => {
  let work = '';
  let lake = '';
  let first = '';
  let last = '';
  let report: BalanceRow[] = [];

  async function queryJson<T>(sql: string): Promise<T[]> {
    const result = await runCli(['query', sql, '--json', '--lake', lake], work);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as T[];
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ledgerlake-gold-sql-'));
    lake = join(work, 'lake');
    const csv = join(work, 'generated.csv');
    await generateTransactionsCsv(csv, { rows: ROWS, seed: 2024, accounts: 400, from: '2023-01', to: '2024-06' });
    const ingest = await runCli(['ingest', csv, '--json', '--lake', lake], work);
    const [outcome] = JSON.parse(ingest.stdout) as { status: string; counts: { valid_rows: number } }[];
    expect(outcome?.status).toBe('PUBLISHED');
    expect(outcome?.counts.valid_rows).toBeGreaterThan(ROWS * 0.95);

    const [range] = await queryJson<{ first: string; last: string }>(
      "SELECT min(strftime(tx_date AT TIME ZONE 'UTC', '%Y-%m')) AS first, max(strftime(tx_date AT TIME ZONE 'UTC', '%Y-%m')) AS last " +
        'FROM silver.transactions',
    );
    first = range?.first ?? '';
    last = range?.last ?? '';
    const result = await runCli(['report', 'balances', '--from', first, '--to', last, '--json', '--lake', lake], work);
    expect(result.code).toBe(0);
    report = JSON.parse(result.stdout) as BalanceRow[];
  }, 180_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('spans many accounts, currencies and months', async () => {
    const [shape] = await queryJson<{ accounts: number; currencies: number; months: number; rows: number }>(
      'SELECT count(DISTINCT account_id) AS accounts, count(DISTINCT currency) AS currencies, ' +
        'count(DISTINCT year || month) AS months, count(*) AS rows FROM silver.transactions',
    );

    expect(shape?.accounts).toBeGreaterThan(100);
    expect(shape?.currencies).toBeGreaterThanOrEqual(5);
    expect(shape?.months).toBeGreaterThanOrEqual(18);
    expect(shape?.rows).toBeGreaterThan(ROWS * 0.95);
  });

  it('gold.account_balances equals the report, row for row, over the whole month range', async () => {
    const gold = await queryJson<BalanceRow>(
      'SELECT account_id AS acct, balance, as_of_month AS month, currency FROM gold.account_balances ORDER BY acct, month, currency',
    );

    expect(gold.length).toBeGreaterThan(1000);
    expect(report.filter((row) => row.balance !== null)).toEqual(gold);
  });

  it('the report has a row per account, currency and month, NULL exactly before the first transaction', async () => {
    const firsts = await queryJson<{ acct: string; currency: string; first_month: string }>(
      "SELECT account_id AS acct, currency, min(strftime(tx_date AT TIME ZONE 'UTC', '%Y-%m')) AS first_month " +
        'FROM silver.transactions GROUP BY 1, 2',
    );
    const firstMonth = new Map(firsts.map((row) => [`${row.acct}/${row.currency}`, row.first_month]));
    const months = new Set(report.map((row) => row.month));

    expect(months.size).toBe(monthCount(first, last));
    expect(report).toHaveLength(firsts.length * months.size);
    const wrong = report.filter((row) => {
      const starts = firstMonth.get(`${row.acct}/${row.currency}`);
      return starts === undefined || (row.balance === null) !== row.month < starts;
    });
    expect(report.some((row) => row.balance === null)).toBe(true);
    expect(wrong).toEqual([]);
  });

  it('gold.monthly_reports has the activity SQL computes over Silver and the report closing balance', async () => {
    const gold = await queryJson<MonthlyRow>(
      'SELECT account_id AS acct, currency, month, tx_count, credits, debits, net, closing_balance FROM gold.monthly_reports',
    );
    const activity = await queryJson<Omit<MonthlyRow, 'closing_balance'>>(
      "SELECT account_id AS acct, currency, strftime(tx_date AT TIME ZONE 'UTC', '%Y-%m') AS month, count(*) AS tx_count, " +
        'CAST(coalesce(sum(amount) FILTER (WHERE amount > 0), 0) AS DECIMAL(38,2)) AS credits, ' +
        'CAST(coalesce(-sum(amount) FILTER (WHERE amount < 0), 0) AS DECIMAL(38,2)) AS debits, ' +
        'CAST(sum(amount) AS DECIMAL(38,2)) AS net FROM silver.transactions GROUP BY 1, 2, 3',
    );
    const key = (row: { acct: string; currency: string; month: string }) => `${row.acct}/${row.currency}/${row.month}`;
    const active = new Map(activity.map((row) => [key(row), row]));
    const quiet = { tx_count: 0, credits: '0.00', debits: '0.00', net: '0.00' };
    const expected = report
      .filter((row) => row.balance !== null)
      .map((row) => ({
        acct: row.acct,
        currency: row.currency,
        month: row.month,
        ...quiet,
        ...active.get(key(row)),
        closing_balance: row.balance,
      }));
    const byKey = (a: { acct: string; currency: string; month: string }, b: { acct: string; currency: string; month: string }) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

    expect(activity.length).toBeGreaterThan(1000);
    expect([...gold].sort(byKey)).toEqual(expected.sort(byKey));
  });
});

function monthCount(from: string, to: string): number {
  const index = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7));
  return index(to) - index(from) + 1;
}
