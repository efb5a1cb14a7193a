import { readdir } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, useTempLake } from '../support/cli-harness';

/*
 * Hostile values end to end: account ids a spreadsheet or a terminal would misread, and
 * timestamps far outside the business's history, are quarantined with a detail naming the
 * problem — and a year-0001 row no longer makes Gold walk two thousand years of months.
 */

const dirs = useTempLake('ledgerlake-values-');
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
// A permissive gate: these files are mostly bad rows on purpose, and they must still publish.
const PERMISSIVE = { GATE_MAX_QUARANTINE_RATE: '1' };

interface Outcome {
  status: string;
  run_id: string;
  counts: Record<string, number>;
  quarantine_by_reason: Record<string, number>;
}

async function ingest(name: string, text: string, env: Record<string, string> = PERMISSIVE): Promise<Outcome> {
  const file = join(dirs.work, name);
  await writeFile(file, text);
  const result = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work, { env });
  return (JSON.parse(result.stdout) as Outcome[])[0] as Outcome;
}

async function query<T>(sql: string): Promise<T[]> {
  const result = await runCli(['query', sql, '--json', '--lake', dirs.lake], dirs.work);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as T[];
}

describe('hostile account ids', () => {
  it('quarantines a newline, a comma, U+200B, a NUL and a formula as TYPE_ERROR, each detail naming the character', async () => {
    const lines = [
      HEADER,
      '1,ACC001,10.00,EUR,2024-01-05T09:00:00Z',
      '2,"ACC\n002",10.00,EUR,2024-01-05T09:00:00Z',
      '3,"ACC,003",10.00,EUR,2024-01-05T09:00:00Z',
      '4,ACC\u200b004,10.00,EUR,2024-01-05T09:00:00Z',
      '5,ACC\u0000005,10.00,EUR,2024-01-05T09:00:00Z',
      '6,"=HYPERLINK(""x"")",10.00,EUR,2024-01-05T09:00:00Z',
    ];

    const outcome = await ingest('hostile.csv', `${lines.join('\n')}\n`);

    expect(outcome).toMatchObject({
      status: 'PUBLISHED',
      counts: { input_rows: 6, valid_rows: 1, quarantined_rows: 5, condemned_rows: 0 },
      quarantine_by_reason: { TYPE_ERROR: 5 },
    });
    const rejected = await query<{ transaction_id: string; validation_error: string; error_detail: string }>(
      'SELECT transaction_id, validation_error, error_detail FROM quarantine.rows ORDER BY transaction_id',
    );
    expect(rejected.map((row) => [row.transaction_id, row.validation_error])).toEqual([
      ['2', 'TYPE_ERROR'],
      ['3', 'TYPE_ERROR'],
      ['4', 'TYPE_ERROR'],
      ['5', 'TYPE_ERROR'],
      ['6', 'TYPE_ERROR'],
    ]);
    const details = rejected.map((row) => row.error_detail);
    expect(details[0]).toMatch(/^CustomerID "ACC\\n002": contains U\+000A LINE FEED at position 4/);
    expect(details[1]).toMatch(/^CustomerID "ACC,003": does not match the account id pattern/);
    expect(details[2]).toMatch(/^CustomerID "ACC\\u200b004": contains U\+200B ZERO WIDTH SPACE at position 4/);
    expect(details[3]).toMatch(/^CustomerID "ACC\\u0000005": contains U\+0000 NULL at position 4/);
    expect(details[4]).toMatch(/^CustomerID "=HYPERLINK\(\\"x\\"\)": starts with '='/);
    expect(await query('SELECT account_id FROM silver.transactions')).toEqual([{ account_id: 'ACC001' }]);
  });
});

describe('implausible transaction dates', () => {
  it('quarantines a year-0001 row as TIMESTAMP_ERROR, and Gold holds the data month only', async () => {
    const started = Date.now();
    const outcome = await ingest(
      'two-rows.csv',
      `${HEADER}\n1,ACC001,10.00,EUR,0001-01-01T00:00:00Z\n2,ACC001,20.00,EUR,2024-01-05T09:00:00Z\n`,
    );

    expect(outcome).toMatchObject({
      status: 'PUBLISHED',
      counts: { input_rows: 2, valid_rows: 1, quarantined_rows: 1 },
      quarantine_by_reason: { TIMESTAMP_ERROR: 1 },
    });
    const [rejected] = await query<{ error_detail: string }>('SELECT error_detail FROM quarantine.rows');
    expect(rejected?.error_detail).toMatch(
      /^TransactionTimestamp "0001-01-01T00:00:00Z": is outside the plausibility window 1970-01-01T00:00:00Z to \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z \(not before 1970-01-01, at most 1 day after the run started\)$/,
    );
    expect(await readdir(join(dirs.lake, 'gold/finance/account_balances/schema_v=v1'))).toEqual(['as_of_month=2024-01']);
    expect(await query('SELECT as_of_month, balance FROM gold.account_balances')).toEqual([{ as_of_month: '2024-01', balance: '20.00' }]);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('quarantines a row dated more than a day after the run started', async () => {
    const tomorrowAndABit = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 19) + 'Z';

    const outcome = await ingest('future.csv', `${HEADER}\n1,ACC001,10.00,EUR,2024-01-05T09:00:00Z\n2,ACC001,20.00,EUR,${tomorrowAndABit}\n`);

    expect(outcome).toMatchObject({ status: 'PUBLISHED', quarantine_by_reason: { TIMESTAMP_ERROR: 1 } });
  });
});
