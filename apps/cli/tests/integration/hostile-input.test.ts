import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, useTempLake, type Captured } from '../support/cli-harness';

/**
 * Files built to break the reader, through the CLI: records over the record limit, row-like lines
 * inside a quoted field, and the identity of the rows that cannot be parsed.
 */
const dirs = useTempLake('ledgerlake-hostile-');
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
/** Past the default record limit (1 MiB). */
const BIG = 'x'.repeat(1_100_000);
const run = (...argv: string[]): Promise<Captured> => runCli([...argv, '--lake', dirs.lake], dirs.work);

type Json = Record<string, unknown>;

function json<T = Json>(result: Captured): T {
  if (result.stdout.trim() === '') throw new Error(`no output (exit ${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** 60 valid January rows (ids `firstId`..+59, default 100), then `extra` lines. */
async function csvFile(name: string, ...extra: string[]): Promise<string> {
  return csvFileFrom(name, 100, ...extra);
}

async function csvFileFrom(name: string, firstId: number, ...extra: string[]): Promise<string> {
  const good = Array.from({ length: 60 }, (_, i) => `${firstId + i},ACC00${i % 3},1.00,EUR,2024-01-05T09:00:00Z`);
  const path = join(dirs.work, name);
  await writeFile(path, `${[HEADER, ...good, ...extra].join('\n')}\n`);
  return path;
}

async function silverIds(): Promise<number[]> {
  const result = await run('query', 'SELECT id FROM silver.transactions ORDER BY id', '--json');
  expect(result.code).toBe(0);
  return json<{ id: number }[]>(result).map((row) => row.id);
}

describe('records the reader cannot parse', () => {
  it('reads a quoted field over the record limit to its closing quote: a row-like line inside it is no row', async () => {
    const file = await csvFile('phantom.csv', `3,"${BIG}\n2,PHANTOM,1.00,EUR,2024-01-01T00:00:00Z\n${BIG}",5.00,EUR,2024-01-05T09:00:00Z`, '4,ACC004,1.00,EUR,2024-01-06T09:00:00Z');

    const [outcome] = json<Json[]>(await run('ingest', file, '--json'));

    expect(outcome).toMatchObject({ status: 'PUBLISHED', counts: { input_rows: 62, valid_rows: 61, quarantined_rows: 1, condemned_rows: 0 } });
    expect(await silverIds()).toEqual([4, ...Array.from({ length: 60 }, (_, i) => 100 + i)]);
    const [row] = json<{ rows: Json[] }>(await run('quarantine', 'list', '--json')).rows;
    expect(row).toMatchObject({ source_line: 62, validation_error: 'SCHEMA_ERROR' });
    expect(row?.['error_detail']).toMatch(/^unparseable record: the record starting on line 62 is longer than 1048576 bytes \(CSV_MAX_RECORD_SIZE\); it ends on line 64; it starts "3,\\"x+…"$/);
  });

  it('gives two different unparseable records two row hashes, so a fix names exactly one of them', async () => {
    const first = `9001,ACC001,${BIG}a,EUR,2024-01-15T10:00:00Z`;
    const second = `9002,ACC002,${BIG}b,EUR,2024-01-15T10:00:00Z`;
    const [outcome] = json<Json[]>(await run('ingest', await csvFile('long.csv', first, second), '--json'));
    expect(outcome).toMatchObject({ status: 'PUBLISHED', counts: { input_rows: 62, quarantined_rows: 2 } });
    const source = String(outcome?.['run_id']);

    const open = json<{ rows: Json[] }>(await run('quarantine', 'list', '--json')).rows;
    expect(open.map((row) => row['source_line'])).toEqual([62, 63]);
    const [a = '', b = ''] = open.map((row) => String(row['row_hash']));
    expect(a).not.toBe(b);

    const fixes = join(dirs.work, 'fixes.csv');
    await writeFile(fixes, `row_hash,${HEADER}\n${a},9001,ACC001,10.00,EUR,2024-01-15T10:00:00Z\n`);
    const retried = json(await runCli(['quarantine', 'retry', '--run', source, '--fixes', fixes, '--by', 'dq', '--json', '--lake', dirs.lake], dirs.work, { env: { GATE_MAX_QUARANTINE_RATE: '1' } }));

    expect(retried['rows']).toEqual([
      expect.objectContaining({ row_hash: a, fixed: true }),
      expect.objectContaining({ row_hash: b, fixed: false }),
    ]);
    expect(await silverIds()).toContain(9001);
    const all = json<{ rows: Json[] }>(await run('quarantine', 'list', '--all', '--json')).rows;
    const status = (hash: string): unknown => all.find((row) => row['row_hash'] === hash && row['run_id'] === source)?.['status'];
    expect(status(a)).toBe('RESOLVED');
    expect(status(b)).not.toBe('RESOLVED');
    expect(all.filter((row) => row['status'] === 'OPEN')).toEqual([expect.objectContaining({ attempt_count: 1, run_id: retried['run_id'] })]);
  });

  it('gives the same unparseable bytes the same row hash when they are sent again', async () => {
    const line = `9001,ACC001,${BIG},EUR,2024-01-15T10:00:00Z`;
    await run('ingest', await csvFile('a.csv', line), '--json');
    const [again] = json<Json[]>(await run('ingest', await csvFileFrom('b.csv', 500, '', line), '--json'));

    expect(again).toMatchObject({ status: 'PUBLISHED', counts: { input_rows: 61, quarantined_rows: 0, condemned_rows: 1 } });
    const [quarantined] = json<{ rows: Json[] }>(await run('quarantine', 'list', '--json')).rows;
    const [condemned] = json<{ rows: Json[] }>(await run('condemned', 'list', '--json')).rows;
    expect(condemned).toMatchObject({ validation_error: 'DUPLICATE_FAILURE', source_line: 63, row_hash: quarantined?.['row_hash'] });
  });
});

describe('sums past what one amount holds', () => {
  it('publishes balances beyond DECIMAL(16,2) exactly in Gold, and the lake goes on (it used to stay PROMOTING, and every run after it)', async () => {
    const max = '99999999999999.99';
    const file = await csvFile('big-amounts.csv', `9001,ACC900,${max},EUR,2024-01-10T09:00:00Z`, `9002,ACC900,${max},EUR,2024-01-11T09:00:00Z`, `9003,ACC901,-${max},EUR,2024-01-10T09:00:00Z`, `9004,ACC901,-${max},EUR,2024-01-12T09:00:00Z`);

    const [outcome] = json<Json[]>(await run('ingest', file, '--json'));

    expect(outcome).toMatchObject({ status: 'PUBLISHED', counts: { valid_rows: 64 } });
    const gold = await run('query', "SELECT account_id, CAST(balance AS VARCHAR) AS balance FROM gold.account_balances WHERE as_of_month = '2024-01' AND account_id LIKE 'ACC90%' ORDER BY 1", '--json');
    expect(json(gold)).toEqual([
      { account_id: 'ACC900', balance: '199999999999999.98' },
      { account_id: 'ACC901', balance: '-199999999999999.98' },
    ]);
    const [next] = json<Json[]>(await run('ingest', await csvFileFrom('next.csv', 700), '--json'));
    expect(next).toMatchObject({ status: 'PUBLISHED' });
  });
});

describe('stored values shown in a terminal', () => {
  it('prints control and format characters of a query result as escapes, never raw', async () => {
    const result = await run('query', "SELECT chr(27) || '[2J' || chr(8238) || 'evil' || chr(0) AS v");

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\\u001b[2J\\u202eevil\\u0000');
    expect(['\u001b', '\u202e', '\u0000'].filter((raw) => result.stdout.includes(raw))).toEqual([]);
  });
});
