import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
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
    expect(missing.stderr).toBe('ledgerlake: No query: give the SQL as one argument (ledgerlake query "SELECT 1") or --file FILE.sql.\n');
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

describe('ledgerlake query: a read-only surface, any result size, the format asked for', () => {
  const dirs = useTempLake('ledgerlake-query-surface-');
  const query = (sql: string, ...more: string[]) => runCli(['query', sql, ...more, '--lake', dirs.lake], dirs.work);

  beforeEach(async () => {
    expect((await runCli(['ingest', Q1_SAMPLE, '--lake', dirs.lake], dirs.work)).code).toBe(0);
  });

  it('refuses more than one statement instead of running the first (exit 2, nothing printed)', async () => {
    const result = await query('SELECT 1; SELECT 2');

    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe('ledgerlake: The query holds 2 statements: `ledgerlake query` runs one statement (a SELECT); run them one at a time.\n');
  });

  it.each([
    ['CREATE TABLE t AS SELECT 1', 'a CREATE'],
    ['SET enable_external_access = true', 'a SET'],
    ['INSTALL httpfs', 'a LOAD'],
    ["ATTACH 'other.db'", 'an ATTACH'],
  ])('refuses a statement that is not a query: %s', async (sql, kind) => {
    const result = await query(sql);

    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(`ledgerlake: The query is ${kind} statement: \`ledgerlake query\` is read-only and runs only queries (SELECT, WITH … SELECT, EXPLAIN).\n`);
  });

  it.each([
    ["COPY (SELECT * FROM silver.transactions) TO 'stolen.csv'", 'stolen.csv'],
    ["SELECT * FROM read_csv('/etc/passwd')", '/etc/passwd'],
  ])('refuses to read or write a file outside the lake: %s', async (sql, file) => {
    const result = await query(sql);

    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^ledgerlake: The query names a file outside the lake \(".*"\): `ledgerlake query` reads only the lake's tables and writes no file\.\n$/);
    expect(result.stderr).toContain(file);
    expect(await readdir(dirs.work)).not.toContain('stolen.csv');
  });

  it('prints CSV (quoted where needed, NULL empty), markdown and JSON of the same rows', async () => {
    const sql = `SELECT id, amount, 'a,"b"' AS text, NULL AS nothing FROM silver.transactions WHERE id IN (1, 2) ORDER BY id`;

    const csv = await query(sql, '--format', 'csv');
    const markdown = await query(sql, '--format', 'markdown');
    const json = await query(sql, '--format', 'json');

    expect(csv).toMatchObject({ code: 0, stderr: '' });
    expect(csv.stdout).toBe('id,amount,text,nothing\r\n1,300.00,"a,""b""",\r\n2,26.00,"a,""b""",\r\n');
    expect(markdown.stdout).toBe('| id | amount | text | nothing |\n| ---: | ---: | --- | ---: |\n| 1 | 300.00 | a,"b" | NULL |\n| 2 | 26.00 | a,"b" | NULL |\n');
    expect(JSON.parse(json.stdout)).toEqual([
      { id: 1, amount: '300.00', text: 'a,"b"', nothing: null },
      { id: 2, amount: '26.00', text: 'a,"b"', nothing: null },
    ]);
    expect(json.stdout).toBe(`${JSON.stringify(JSON.parse(json.stdout), null, 2)}\n`);
  });

  it('streams a result of 300,000 rows to a table (a pipe: every row; widths from the first thousand), CSV and JSON', async () => {
    const sql = 'SELECT range AS n, range * 0.01 AS amount FROM range(300000)';

    const table = await query(sql);
    const csv = await query(sql, '--format', 'csv');
    const json = await query(sql, '--json');

    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect([lines.length, lines[0], lines[2], lines.at(-2), lines.at(-1)]).toEqual([300003, '   n  amount', '   0    0.00', '299999  2999.99', '(300,000 rows)']);
    expect(csv.stdout.split('\r\n')).toHaveLength(300002);
    const rows = JSON.parse(json.stdout) as { n: number; amount: string }[];
    expect([rows.length, rows[299999]]).toEqual([300000, { n: 299999, amount: '2999.99' }]);
  });

  it('on a terminal shows the first rows of a table and says how many there are and how to get them all', async () => {
    const result = await runCli(['query', 'SELECT range AS n FROM range(5000)', '--lake', dirs.lake], dirs.work, { stdoutIsTTY: true });

    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 1000 + 1);
    expect(lines.at(-1)).toBe('(1,000 of 5,000 rows shown: --format csv or --output FILE for all of them)');
  });

  it('writes --output FILE whole (parquet too, read back by the same engine), SQL from --file, and a failed query leaves no file', async () => {
    await writeFile(join(dirs.work, 'q.sql'), "-- the first month\nSELECT id, amount FROM silver.transactions WHERE month = '01' ORDER BY id;\n");

    const csv = await runCli(['query', '--file', 'q.sql', '--format', 'csv', '--output', 'jan.csv', '--lake', dirs.lake], dirs.work);
    const parquet = await runCli(['query', '--file', 'q.sql', '--format', 'parquet', '--output', join(dirs.lake, 'jan.parquet'), '--lake', dirs.lake], dirs.work);
    const failed = await runCli(['query', 'SELECT nope FROM silver.transactions', '--format', 'csv', '--output', 'bad.csv', '--lake', dirs.lake], dirs.work);

    expect(csv).toMatchObject({ code: 0, stdout: '', stderr: 'ledgerlake: wrote 2 rows to jan.csv (csv).\n' });
    expect(await readFile(join(dirs.work, 'jan.csv'), 'utf8')).toBe('id,amount\r\n1,300.00\r\n2,26.00\r\n');
    expect(parquet).toMatchObject({ code: 0, stdout: '' });
    const back = await query(`SELECT id, amount FROM read_parquet('${join(dirs.lake, 'jan.parquet')}') ORDER BY id`, '--json');
    expect(JSON.parse(back.stdout)).toEqual([
      { id: 1, amount: '300.00' },
      { id: 2, amount: '26.00' },
    ]);
    expect(failed.code).toBe(1);
    expect((await readdir(dirs.work)).filter((name) => name.includes('bad.csv'))).toEqual([]);
    const noFile = await runCli(['query', 'SELECT 1', '--format', 'parquet', '--lake', dirs.lake], dirs.work);
    expect(noFile).toMatchObject({ code: 2, stderr: 'ledgerlake: --format parquet writes a file: give --output FILE.parquet.\n' });
  });
});
