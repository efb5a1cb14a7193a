import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, useTempLake } from '../support/cli-harness';

/*
 * Row rules set in the environment reach validation, and the partition writer writes exactly what
 * validation decided (it checks no row itself: there is nothing for a second function to decide
 * differently).
 */

const dirs = useTempLake('ledgerlake-settings-');
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';

interface Outcome {
  status: string;
  counts: Record<string, number>;
  quarantine_by_reason: Record<string, number>;
  critical_errors?: string[];
}

async function ingest(rows: readonly string[], env: Record<string, string>): Promise<Outcome> {
  const file = join(dirs.work, 'mixed.csv');
  await writeFile(file, `${[HEADER, ...rows].join('\n')}\n`);
  const result = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work, { env });
  return (JSON.parse(result.stdout) as Outcome[])[0] as Outcome;
}

async function quarantineDetails(): Promise<string[]> {
  const result = await runCli(['query', 'SELECT error_detail FROM quarantine.rows', '--json', '--lake', dirs.lake], dirs.work);
  return (JSON.parse(result.stdout) as { error_detail: string }[]).map((row) => row.error_detail);
}

const ONE_PERCENT = { status: 'PUBLISHED', counts: { input_rows: 100, valid_rows: 99, quarantined_rows: 1, condemned_rows: 0 } };

describe('settings from the environment reach every function that needs them', () => {
  it('CURRENCY_ALLOWLIST=EUR,GBP: a file with 1 % USD rows is published, the USD rows quarantined', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i + 1},ACC${i % 9},${i + 1}.00,${i === 50 ? 'USD' : i % 2 === 0 ? 'EUR' : 'GBP'},2024-01-05T09:00:00Z`);

    const outcome = await ingest(rows, { CURRENCY_ALLOWLIST: 'EUR,GBP' });

    expect(outcome).toMatchObject({ ...ONE_PERCENT, quarantine_by_reason: { CURRENCY_ERROR: 1 } });
  });

  it('ACCOUNT_ID_PATTERN=ACC\\d{3}: a file with 1 % rows failing the pattern is published, those rows quarantined TYPE_ERROR', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i + 1},${i === 50 ? 'CUST-7' : `ACC${String(i % 9).padStart(3, '0')}`},${i + 1}.00,EUR,2024-01-05T09:00:00Z`);

    const outcome = await ingest(rows, { ACCOUNT_ID_PATTERN: 'ACC\\d{3}' });

    expect(outcome).toMatchObject({ ...ONE_PERCENT, quarantine_by_reason: { TYPE_ERROR: 1 } });
    expect(await quarantineDetails()).toEqual(['CustomerID "CUST-7": does not match the account id pattern ACC\\d{3}']);
  });

  it('ACCOUNT_ID_MAX_LENGTH=6: a file with 1 % longer ids is published, those rows quarantined TYPE_ERROR', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i + 1},${i === 50 ? 'ACC0001' : `ACC00${i % 9}`},${i + 1}.00,EUR,2024-01-05T09:00:00Z`);

    const outcome = await ingest(rows, { ACCOUNT_ID_MAX_LENGTH: '6' });

    expect(outcome).toMatchObject({ ...ONE_PERCENT, quarantine_by_reason: { TYPE_ERROR: 1 } });
  });

  it('TX_DATE_MIN=2020-01-01: a file with 1 % rows from 2019 is published, those rows quarantined TIMESTAMP_ERROR', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i + 1},ACC${i % 9},${i + 1}.00,EUR,${i === 50 ? '2019-12-31T23:59:59Z' : '2024-01-05T09:00:00Z'}`);

    const outcome = await ingest(rows, { TX_DATE_MIN: '2020-01-01' });

    expect(outcome).toMatchObject({ ...ONE_PERCENT, quarantine_by_reason: { TIMESTAMP_ERROR: 1 } });
    expect((await quarantineDetails())[0]).toMatch(/plausibility window 2020-01-01T00:00:00Z to .* \(not before 2020-01-01, /);
  });

  it('TX_DATE_MAX_FUTURE_DAYS=30: a row dated a week ahead is published, one two months ahead quarantined', async () => {
    const ahead = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 19) + 'Z';
    const rows = Array.from({ length: 100 }, (_, i) => `${i + 1},ACC${i % 9},${i + 1}.00,EUR,${i === 50 ? ahead(60) : i === 51 ? ahead(7) : '2024-01-05T09:00:00Z'}`);

    const outcome = await ingest(rows, { TX_DATE_MAX_FUTURE_DAYS: '30' });

    expect(outcome).toMatchObject({ ...ONE_PERCENT, quarantine_by_reason: { TIMESTAMP_ERROR: 1 } });
    expect((await quarantineDetails())[0]).toMatch(/at most 30 days after the run started\)$/);
  });

  it('an ACCOUNT_ID_PATTERN that is not a regular expression is one configuration error naming the key (exit 2)', async () => {
    const file = join(dirs.work, 'one.csv');
    await writeFile(file, `${HEADER}\n1,ACC001,1.00,EUR,2024-01-05T09:00:00Z\n`);

    const result = await runCli(['ingest', file, '--lake', dirs.lake], dirs.work, { env: { ACCOUNT_ID_PATTERN: '(ACC' } });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^ledgerlake: .*ACCOUNT_ID_PATTERN \(invalid, expected a regular expression with the u flag; it is not a valid regular expression \(Unterminated group\)\)/),
    ]);
  });
});
