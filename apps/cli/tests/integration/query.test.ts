import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Q1_SAMPLE, REPO, runCli, useTempLake } from '../support/cli-harness';

/* `ledgerlake query`: SQL over the lake's tables, exact JSON, clear errors. */

const APRIL_SAMPLE = join(REPO, 'samples/transactions-2024-04-with-errors.csv');
const TABLES = ['silver.transactions', 'gold.account_balances', 'gold.monthly_reports', 'quarantine.rows', 'quarantine.condemned'];

describe('ledgerlake query', () => {
  const dirs = useTempLake('ledgerlake-query-');

  const query = (sql: string, ...more: string[]) => runCli(['query', sql, ...more, '--lake', dirs.lake], dirs.work);
  const queryJson = async (sql: string): Promise<Record<string, unknown>[]> => {
    const result = await query(sql, '--json');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as Record<string, unknown>[];
  };

  it('answers on an empty lake: every table exists, with no rows', async () => {
    for (const table of TABLES) {
      expect(await queryJson(`SELECT count(*) AS n FROM ${table}`)).toEqual([{ n: 0 }]);
    }
  });

  it('prints decimals as strings with their exact digits, integers as numbers, timestamps as ISO-8601 UTC', async () => {
    expect((await runCli(['ingest', Q1_SAMPLE, '--lake', dirs.lake], dirs.work)).code).toBe(0);

    const rows = await queryJson(
      'SELECT id, account_id, amount, tx_date, year, month, schema_v FROM silver.transactions WHERE id IN (1, 7) ORDER BY id',
    );
    const totals = await queryJson(
      "SELECT account_id, sum(amount) AS total, count(*) AS n FROM silver.transactions GROUP BY account_id ORDER BY account_id",
    );

    expect(rows).toEqual([
      { id: 1, account_id: 'ACC001', amount: '300.00', tx_date: '2024-01-05T09:00:00Z', year: 2024, month: '01', schema_v: 'v1' },
      { id: 7, account_id: 'ACC002', amount: '-25.50', tx_date: '2024-02-12T09:00:00Z', year: 2024, month: '02', schema_v: 'v1' },
    ]);
    expect(totals).toEqual([
      { account_id: 'ACC001', total: '326.00', n: 6 },
      { account_id: 'ACC002', total: '-125.50', n: 2 },
    ]);
  });

  it('keeps every digit: NULL as null, big integers as strings, fractions of seconds exact', async () => {
    const [row] = await queryJson(
      'SELECT NULL::DECIMAL(16,2) AS nothing, 99999999999999.99::DECIMAL(16,2) AS biggest, 0.10::DECIMAL(16,2) AS dime, ' +
        '9007199254740993::BIGINT AS unsafe, 9007199254740991::BIGINT AS safe, ' +
        "TIMESTAMPTZ '1969-12-31 23:59:59.5+00' AS before_epoch, TIMESTAMPTZ '2024-01-05 09:00:00.000123+00' AS micros, " +
        "DATE '2024-02-29' AS day",
    );

    expect(row).toEqual({
      nothing: null,
      biggest: '99999999999999.99',
      dime: '0.10',
      unsafe: '9007199254740993',
      safe: 9007199254740991,
      before_epoch: '1969-12-31T23:59:59.500Z',
      micros: '2024-01-05T09:00:00.000123Z',
      day: '2024-02-29',
    });
  });

  it('reads published data only: not a blocked run, not an object in current/ that no manifest lists', async () => {
    expect((await runCli(['ingest', Q1_SAMPLE, '--lake', dirs.lake], dirs.work)).code).toBe(0);
    expect((await runCli(['ingest', APRIL_SAMPLE, '--lake', dirs.lake], dirs.work)).code).toBe(3);
    const current = join(dirs.lake, 'silver/mortgages/transactions/year=2024/month=01/schema_v=v1/current');
    const [published] = await readdir(current);
    await copyFile(join(current, published as string), join(current, 'stray-part-00000.parquet'));

    expect(await queryJson('SELECT month, count(*) AS n FROM silver.transactions GROUP BY month ORDER BY month')).toEqual([
      { month: '01', n: 2 },
      { month: '02', n: 3 },
      { month: '03', n: 3 },
    ]);
  });

  it('shows quarantined and condemned rows with their ingest date', async () => {
    expect((await runCli(['ingest', APRIL_SAMPLE, '--lake', dirs.lake], dirs.work)).code).toBe(3);

    const quarantined = await queryJson(
      'SELECT validation_error, count(*) AS n, count(DISTINCT ingest_date) AS days FROM quarantine.rows GROUP BY 1 ORDER BY 1',
    );
    const condemned = await queryJson('SELECT transaction_id, validation_error, ingest_date FROM quarantine.condemned');

    expect(quarantined).toEqual([
      { validation_error: 'CURRENCY_ERROR', n: 1, days: 1 },
      { validation_error: 'NULL_VALUE_ERROR', n: 1, days: 1 },
      { validation_error: 'SCHEMA_ERROR', n: 1, days: 1 },
      { validation_error: 'TIMESTAMP_ERROR', n: 1, days: 1 },
    ]);
    expect(condemned).toEqual([
      { transaction_id: '107', validation_error: 'DUPLICATE_FAILURE', ingest_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
    ]);
  });

  it('prints an aligned table without --json, numbers right-aligned and NULL spelled out', async () => {
    const result = await query("SELECT 'ACC001' AS acct, 326.00::DECIMAL(16,2) AS balance UNION ALL SELECT 'ACC002', NULL ORDER BY 1");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(['acct    balance', '------  -------', 'ACC001   326.00', 'ACC002     NULL', '(2 rows)', ''].join('\n'));
  });

  it('reports bad SQL in one sentence quoting DuckDB, exit 1, no stack trace', async () => {
    const result = await query('SELEC * FROM silver.transactions');

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('ledgerlake: The query failed: Parser Error: syntax error at or near "SELEC"\n');
  });

  it('names the tables when the query names one that does not exist', async () => {
    const result = await query('SELECT * FROM silver.transaction');

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ledgerlake: The query failed: Catalog Error: Table with name transaction does not exist!/);
    expect(result.stderr).toContain('the tables are silver.transactions, gold.account_balances');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is wrong usage (exit 2) without SQL or with empty SQL', async () => {
    const missing = await runCli(['query', '--lake', dirs.lake], dirs.work);
    const empty = await query('   ');

    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'sql'");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('The query is empty');
  });

  it('--help lists the tables and the --json rules', async () => {
    const result = await runCli(['query', '--help'], dirs.work);

    expect(result.code).toBe(0);
    for (const table of TABLES) expect(result.stdout.replace(/\s+/g, ' ')).toContain(table);
    expect(result.stdout).toContain('"326.00"');
  });
});
