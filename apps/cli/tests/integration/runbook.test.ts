import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FsObjectStore } from '@ledgerlake/storage';
import { crashAtKey, diskFull, FaultInjectingStore } from '@ledgerlake/testing';
import type { LocalWiring } from '../../src/local-lake';
import { Q1_SAMPLE, runCli, useTempLake, type Captured } from '../support/cli-harness';

const dirs = useTempLake('ledgerlake-runbook-');
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
const run = (...argv: string[]): Promise<Captured> => runCli([...argv, '--lake', dirs.lake], dirs.work);
const runWith = (env: NodeJS.ProcessEnv, ...argv: string[]): Promise<Captured> => runCli([...argv, '--lake', dirs.lake], dirs.work, { env });
const runWired = (wiring: LocalWiring, ...argv: string[]): Promise<Captured> => runCli([...argv, '--lake', dirs.lake], dirs.work, { wiring });

type Json = Record<string, unknown>;

async function json(result: Captured): Promise<Json> {
  if (result.stdout.trim() === '') throw new Error(`no output (exit ${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as Json;
}

/** A file of `good` valid rows in January 2024 (ids 1000..), then the extra lines. */
async function csvFile(name: string, good: number, ...extra: string[]): Promise<string> {
  const rows = Array.from({ length: good }, (_, i) => `${1000 + i},ACC00${i % 3},${i + 1}.25,EUR,2024-01-${String((i % 28) + 1).padStart(2, '0')}T08:00:00Z`);
  const path = join(dirs.work, name);
  await writeFile(path, `${[HEADER, ...rows, ...extra].join('\n')}\n`);
  return path;
}

async function ingest(path: string): Promise<Json> {
  const result = await run('ingest', path, '--json');
  return (JSON.parse(result.stdout) as Json[])[0] as Json;
}

async function latest(table: string, month: string): Promise<Json> {
  const path =
    table === 'silver'
      ? `silver/mortgages/transactions/year=2024/month=${month}/schema_v=v1/_LATEST.json`
      : `gold/finance/account_balances/schema_v=v1/as_of_month=2024-${month}/_LATEST.json`;
  return JSON.parse(await readFile(join(dirs.lake, path), 'utf8')) as Json;
}

async function silverRow(id: number): Promise<Json[]> {
  const result = await run('query', `SELECT id, currency, amount, attempt_count, run_id FROM silver.transactions WHERE id = ${id}`, '--json');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Json[];
}

async function writeFixes(rowHash: string, line: string): Promise<string> {
  const path = join(dirs.work, 'fixes.csv');
  await writeFile(path, `row_hash,${HEADER}\n${rowHash},${line}\n`);
  return path;
}

describe('ledgerlake quarantine', () => {
  it('lists a quarantined row, retries it corrected as a new run, publishes it, and then shows it resolved', async () => {
    const first = await ingest(await csvFile('jan.csv', 30, '99,ACC009,12.34,eur,2024-01-15T10:00:00Z'));
    expect(first).toMatchObject({ status: 'PUBLISHED', counts: { quarantined_rows: 1 } });
    const runId = String(first['run_id']);

    const listing = await json(await run('quarantine', 'list', '--json'));
    expect(listing['by_code']).toEqual({ CURRENCY_ERROR: 1 });
    const [row] = listing['rows'] as Json[];
    expect(row).toMatchObject({ run_id: runId, status: 'OPEN', attempt_count: 0, validation_error: 'CURRENCY_ERROR', source_line: 32 });
    expect(row?.['fields']).toMatchObject({ TransactionID: '99', Currency: 'eur' });

    const fixes = await writeFixes(String(row?.['row_hash']), '99,ACC009,12.34,EUR,2024-01-15T10:00:00Z');
    const retried = await run('quarantine', 'retry', '--run', runId, '--fixes', fixes, '--by', 'dq-analyst', '--json');

    expect(retried.code).toBe(0);
    const outcome = await json(retried);
    expect(outcome).toMatchObject({
      status: 'PUBLISHED',
      retry_of: runId,
      counts: { input_rows: 1, valid_rows: 1, quarantined_rows: 0, condemned_rows: 0 },
      rows: [{ row_hash: row?.['row_hash'], attempt_count: 1, fixed: true, validation_error: 'CURRENCY_ERROR' }],
      partitions: [{ partition: '2024-01', version: 2, rows: 1 }],
    });
    expect(await silverRow(99)).toEqual([{ id: 99, currency: 'EUR', amount: '12.34', attempt_count: 1, run_id: outcome['run_id'] }]);
    expect((await latest('silver', '01'))['runs']).toEqual([expect.objectContaining({ run_id: runId }), expect.objectContaining({ run_id: outcome['run_id'] })]);

    const after = await json(await run('quarantine', 'list', '--all', '--json'));
    expect(after['by_status']).toEqual({ OPEN: 0, RETRYING: 0, RESOLVED: 1, REQUARANTINED: 0, CONDEMNED: 0 });
    expect((after['rows'] as Json[])[0]).toMatchObject({ status: 'RESOLVED', retry_run_id: outcome['run_id'] });
    const shown = await json(await run('runs', 'show', String(outcome['run_id']), '--json'));
    expect(shown).toMatchObject({
      status: 'PUBLISHED',
      mode: 'retry',
      retry: { source_run_id: runId, kind: 'quarantine', requested_by: 'dq-analyst', rows: 1 },
      partitions: [{ partition: '2024-01', rows: 1, version: 2 }],
    });
  });

  it('refuses to retry the same rows twice for the same attempt', async () => {
    const first = await ingest(await csvFile('jan.csv', 30, '99,ACC009,12.34,eur,2024-01-15T10:00:00Z'));
    const runId = String(first['run_id']);
    expect((await run('quarantine', 'retry', '--run', runId, '--json')).code).toBe(0);

    const again = await run('quarantine', 'retry', '--run', runId);

    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`ledgerlake: Run ${runId} has no open quarantined rows to retry (see \`ledgerlake quarantine list --all\`).\n`);
  });

  it('refuses a fixes file that names a row the retry does not take', async () => {
    const first = await ingest(await csvFile('jan.csv', 30, '99,ACC009,12.34,eur,2024-01-15T10:00:00Z'));
    const fixes = await writeFixes('ab'.repeat(32), '99,ACC009,12.34,EUR,2024-01-15T10:00:00Z');

    const result = await run('quarantine', 'retry', '--run', String(first['run_id']), '--fixes', fixes);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ledgerlake: The fixes file names row (ab)+, which is not an open quarantined row of run \S+; nothing was retried\.\n$/);
  });

  it.each([
    [['quarantine', 'list', '--error', 'NOPE'], /"NOPE" is not a quarantine error code/],
    [['quarantine', 'retry', '--run', 'x'], /"x" is not a run id/],
    [['quarantine', 'retry'], /required option '--run <run_id>' not specified/],
  ])('exits 2 on wrong usage: %j', async (argv, message) => {
    const result = await run(...argv);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

/** Six bad rows after ten good ones: 37.5 % quarantined, so the file's run is BLOCKED. */
const SIX_BAD = [
  '91,ACC009,1.00,eur,2024-01-15T10:00:00Z',
  '92,ACC009,2.00,usd,2024-01-15T10:00:00Z',
  '93,ACC009,3.00,gbp,2024-01-15T10:00:00Z',
  '94,ACC009,4.00,chf,2024-01-15T10:00:00Z',
  '95,ACC009,5.00,sek,2024-01-15T10:00:00Z',
  '96,ACC009,6.00,nok,2024-01-15T10:00:00Z',
];

async function statusesOf(runId: string): Promise<string[]> {
  const listing = await json(await run('quarantine', 'list', '--all', '--run', runId, '--json'));
  return (listing['rows'] as Json[]).map((row) => `${String((row['fields'] as Json)['TransactionID'])} ${String(row['status'])} ${String(row['attempt_count'])}`);
}

describe('the life of a quarantined row (OPEN → RETRYING → RESOLVED | OPEN | CONDEMNED)', () => {
  it('a retry of six rows with one fixed publishes the fixed row though five fail again; the five stay OPEN until the attempt limit condemns them', async () => {
    const first = await ingest(await csvFile('six.csv', 10, ...SIX_BAD));
    expect(first).toMatchObject({ status: 'BLOCKED', counts: { quarantined_rows: 6 } });
    const source = String(first['run_id']);
    const open = (await json(await run('quarantine', 'list', '--run', source, '--json')))['rows'] as Json[];
    const fixed = open.find((row) => (row['fields'] as Json)['TransactionID'] === '91');
    const fixes = await writeFixes(String(fixed?.['row_hash']), '91,ACC009,1.00,EUR,2024-01-15T10:00:00Z');

    const retried = await run('quarantine', 'retry', '--run', source, '--fixes', fixes, '--by', 'dq', '--json');

    expect(retried.code).toBe(0);
    const outcome = await json(retried);
    const retryRun = String(outcome['run_id']);
    expect(outcome).toMatchObject({ status: 'PUBLISHED', counts: { input_rows: 6, valid_rows: 1, quarantined_rows: 5, condemned_rows: 0 } });
    expect(await silverRow(91)).toEqual([{ id: 91, currency: 'EUR', amount: '1.00', attempt_count: 1, run_id: retryRun }]);
    expect(await statusesOf(source)).toEqual(['91 RESOLVED 0', '92 REQUARANTINED 0', '93 REQUARANTINED 0', '94 REQUARANTINED 0', '95 REQUARANTINED 0', '96 REQUARANTINED 0']);
    const everywhere = await json(await run('quarantine', 'list', '--json'));
    expect((everywhere['rows'] as Json[]).map((row) => [row['run_id'], row['attempt_count']])).toEqual(Array(5).fill([retryRun, 1]));
    expect(everywhere['by_status']).toEqual({ OPEN: 5, RETRYING: 0, RESOLVED: 1, REQUARANTINED: 5, CONDEMNED: 0 });
    const text = await run('quarantine', 'list', '--all', '--run', source);
    expect(text.stdout).toContain(`RESOLVED      ${source}  line 12  attempt 0`);
    expect(text.stdout).toContain(`(retry ${retryRun})`);

    const second = await json(await run('quarantine', 'retry', '--run', retryRun, '--json'));
    const third = await json(await run('quarantine', 'retry', '--run', String(second['run_id']), '--json'));

    expect([second['status'], third['status']]).toEqual(['PUBLISHED', 'PUBLISHED']);
    expect(third['counts']).toMatchObject({ input_rows: 5, quarantined_rows: 0, condemned_rows: 5 });
    expect(await statusesOf(String(second['run_id']))).toEqual(['92 CONDEMNED 2', '93 CONDEMNED 2', '94 CONDEMNED 2', '95 CONDEMNED 2', '96 CONDEMNED 2']);
    const condemned = await json(await run('condemned', 'list', '--run', String(third['run_id']), '--json'));
    expect(condemned['by_code']).toEqual({ MAX_ATTEMPTS: 5 });
    expect((await json(await run('quarantine', 'list', '--json')))['rows']).toEqual([]);
  });

  it('a retry run that fails leaves its rows OPEN where they were (not twice), and they can be retried again', async () => {
    const first = await ingest(await csvFile('six.csv', 10, ...SIX_BAD.slice(0, 2)));
    const source = String(first['run_id']);
    // The first write of the retry run's promotion (its intent) hits a full disk: the run FAILS after writing its quarantine.
    const promotionStore = (store: Parameters<NonNullable<LocalWiring['storeFor']>>[1]) =>
      new FaultInjectingStore(store, (call) => (call.mutation > 0 && call.key.includes('control/promotions/') ? diskFull(call.key) : undefined));

    const failed = await runWired({ storeFor: (fn, store) => (fn === 'promotion' ? promotionStore(store) : store), retryIntervalMs: 0 }, 'quarantine', 'retry', '--run', source, '--json');

    expect(failed.code).toBe(1);
    const failedRun = String((await json(failed))['run_id']);
    expect(await json(failed)).toMatchObject({ status: 'FAILED' });
    const listing = await json(await run('quarantine', 'list', '--all', '--json'));
    expect((listing['rows'] as Json[]).map((row) => [row['run_id'], row['status'], row['retry_run_id']])).toEqual([
      [source, 'OPEN', failedRun],
      [source, 'OPEN', failedRun],
    ]);

    const again = await run('quarantine', 'retry', '--run', source, '--json');

    expect(again.code).toBe(0);
    expect(await json(again)).toMatchObject({ status: 'PUBLISHED', rows: [{ attempt_count: 1 }, { attempt_count: 1 }] });
    expect(await statusesOf(source)).toEqual(['91 REQUARANTINED 0', '92 REQUARANTINED 0']);
    expect((await json(await run('quarantine', 'list', '--json')))['by_status']).toMatchObject({ OPEN: 2 });
    const sql = await run('query', 'SELECT count(*) AS n FROM quarantine.rows', '--json');
    expect(JSON.parse(sql.stdout)).toEqual([{ n: 4 }]);
  });
});

describe('a retry run that died without a record', () => {
  it('holds its rows while its holder lives; once it is gone they are OPEN again and the next retry publishes them', async () => {
    const first = await ingest(await csvFile('two.csv', 40, ...SIX_BAD.slice(0, 2)));
    const source = String(first['run_id']);
    // The retry run dies (the process is killed) right after loop prevention claimed its file: no record at all.
    const crash = new FaultInjectingStore(new FsObjectStore(dirs.lake), crashAtKey(/^work\/[^/]+\/loop-prevention\//));
    await runWired({ storeFor: () => crash, retryIntervalMs: 0 }, 'quarantine', 'retry', '--run', source, '--json');
    expect(crash.crash).toBeDefined();
    const alive: LocalWiring = { liveness: { isDead: async () => false } };

    const held = await runWired(alive, 'quarantine', 'retry', '--run', source);
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(/has no open quarantined rows to retry/);
    expect((await json(await runWired(alive, 'quarantine', 'list', '--all', '--run', source, '--json')))['by_status']).toMatchObject({ OPEN: 0, RETRYING: 2 });

    // In this process the dead run's holder is known gone (it runs here no more).
    expect(await statusesOf(source)).toEqual(['91 OPEN 0', '92 OPEN 0']);
    const fixes = join(dirs.work, 'fixes.csv');
    const [a, b] = ((await json(await run('quarantine', 'list', '--run', source, '--json')))['rows'] as Json[]).map((row) => String(row['row_hash']));
    await writeFile(fixes, `row_hash,${HEADER}\n${a},91,ACC009,1.00,EUR,2024-01-15T10:00:00Z\n${b},92,ACC009,2.00,USD,2024-01-15T10:00:00Z\n`);
    const again = await run('quarantine', 'retry', '--run', source, '--fixes', fixes, '--by', 'dq', '--json');

    expect(again.code).toBe(0);
    expect(await json(again)).toMatchObject({ status: 'PUBLISHED', counts: { valid_rows: 2 } });
    expect(await statusesOf(source)).toEqual(['91 RESOLVED 0', '92 RESOLVED 0']);
    expect(await silverRow(91)).toHaveLength(1);
  });
});

describe('ledgerlake condemned', () => {
  it('condemns a row after three failed attempts (MAX_ATTEMPTS), and publishes it once a person approves it, corrected', async () => {
    const first = await ingest(await csvFile('jan.csv', 30, '77,ACC007,5.00,eur,2024-01-16T10:00:00Z'));
    let source = String(first['run_id']);
    const attempts: Json[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await run('quarantine', 'retry', '--run', source, '--json');
      attempts.push(await json(result));
      source = String(attempts.at(-1)?.['run_id']);
    }
    expect(attempts.map((a) => [a['status'], (a['rows'] as Json[])[0]?.['attempt_count'], a['counts']])).toEqual([
      ['PUBLISHED', 1, { input_rows: 1, valid_rows: 0, quarantined_rows: 1, condemned_rows: 0 }],
      ['PUBLISHED', 2, { input_rows: 1, valid_rows: 0, quarantined_rows: 1, condemned_rows: 0 }],
      ['PUBLISHED', 3, { input_rows: 1, valid_rows: 0, quarantined_rows: 0, condemned_rows: 1 }],
    ]);
    const condemned = await json(await run('condemned', 'list', '--run', source, '--json'));
    expect(condemned['by_code']).toEqual({ MAX_ATTEMPTS: 1 });
    const [row] = condemned['rows'] as Json[];
    expect(row).toMatchObject({ status: 'CONDEMNED', attempt_count: 3, error_detail: 'attempt_count 3 has reached the limit of 3 attempts' });

    const unsigned = await run('condemned', 'approve', '--run', source, '--reason', 'fixed upstream');
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toBe('ledgerlake: An approval needs --by NAME and --reason TEXT: who decided it and why are recorded in the lake.\n');

    const fixes = await writeFixes(String(row?.['row_hash']), '77,ACC007,5.00,EUR,2024-01-16T10:00:00Z');
    const approved = await run('condemned', 'approve', '--run', source, '--by', 'alice', '--reason', 'currency confirmed by the desk', '--fixes', fixes, '--json');

    expect(approved.code).toBe(0);
    const outcome = await json(approved);
    expect(outcome).toMatchObject({
      status: 'PUBLISHED',
      counts: { input_rows: 1, valid_rows: 1 },
      decision: { decision: 'approve', by: 'alice', reason: 'currency confirmed by the desk', run_id: source, retry_run_id: outcome['run_id'] },
      rows: [{ attempt_count: 4, fixed: true }],
    });
    expect(await silverRow(77)).toEqual([{ id: 77, currency: 'EUR', amount: '5.00', attempt_count: 4, run_id: outcome['run_id'] }]);
    const after = await json(await run('condemned', 'list', '--run', source, '--json'));
    expect((after['rows'] as Json[])[0]).toMatchObject({ status: 'APPROVED', decision: { by: 'alice' } });
    const twice = await run('condemned', 'reject', '--run', source, '--by', 'bob', '--reason', 'no');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/has no undecided condemned rows; nothing was recorded/);
  });

  it('records a rejection with who, when and why; the rows stay condemned for good', async () => {
    await ingest(Q1_SAMPLE);
    const resent = await ingest(await csvFile('resend.csv', 0, '1,ACC001,300.00,EUR,2024-01-05T09:00:00Z', '9,ACC001,1.00,EUR,2024-01-06T09:00:00Z'));
    expect(resent['counts']).toMatchObject({ condemned_rows: 1 });

    const result = await run('condemned', 'reject', '--run', String(resent['run_id']), '--by', 'bob', '--reason', 'true duplicate', '--json');

    expect(result.code).toBe(0);
    expect(await json(result)).toMatchObject({ decision: 'reject', by: 'bob', reason: 'true duplicate', retry_run_id: null, rows: [{ validation_error: 'DUPLICATE_FAILURE' }] });
    const listing = await json(await run('condemned', 'list', '--json'));
    expect(listing['by_status']).toEqual({ CONDEMNED: 0, APPROVED: 0, REJECTED: 1 });
    expect((await run('condemned', 'approve', '--run', String(resent['run_id']), '--by', 'c', '--reason', 'r')).code).toBe(1);
  });
});

describe('ledgerlake breaker', () => {
  const LOW = { BREAKER_MIN_FAILED_ROWS: '2', BREAKER_MIN_FAILED_RATE: '0.1' };

  it('trips on a systemic failure, refuses runs while open, and runs again after a recorded reset', async () => {
    const bad = await csvFile('bad.csv', 2, '1,A,x,EUR,2024-01-01T00:00:00Z', '2,A,y,EUR,2024-01-01T00:00:00Z', '3,A,z,EUR,2024-01-01T00:00:00Z');
    const tripped = await runWith(LOW, 'ingest', bad, '--json');
    expect(tripped.code).toBe(1);
    expect((JSON.parse(tripped.stdout) as Json[])[0]).toMatchObject({ status: 'FAILED', error: { name: 'CircuitBreakerOpenError' } });
    expect(await json(await run('breaker', 'status', '--json'))).toMatchObject({ state: 'open', code: 'TYPE_ERROR', failed: 3, processed: 5 });

    const good = await csvFile('good.csv', 5);
    const refused = await runWith(LOW, 'ingest', good, '--json');
    expect(refused.code).toBe(1);
    expect((JSON.parse(refused.stdout) as Json[])[0]).toMatchObject({ status: 'FAILED', error: { name: 'CircuitBreakerOpenError', state: 'PreventLoops' } });

    const anonymous = await run('breaker', 'reset', '--reason', 'bad export fixed');
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toBe('ledgerlake: A breaker reset needs --by NAME and --reason TEXT: who decided it and why are recorded in the lake.\n');
    const reset = await run('breaker', 'reset', '--by', 'oncall', '--reason', 'bad export fixed', '--json');
    expect(reset.code).toBe(0);
    expect(await json(reset)).toMatchObject({ state: 'closed', reset: [{ by: 'oncall', reason: 'bad export fixed' }] });

    const again = await runWith(LOW, 'ingest', good, '--json');
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as Json[])[0]).toMatchObject({ status: 'PUBLISHED' });
    expect((await run('breaker', 'status')).stdout).toMatch(/^Circuit breaker CLOSED: runs start; last reset by oncall at \S+ \(bad export fixed\)\.\n$/);
  });
});

describe('ledgerlake backfill', () => {
  it("replaces a month's published rows, appends other months' new rows, condemns re-sent ones, and rebuilds every later Gold month", async () => {
    const original = await ingest(Q1_SAMPLE);
    const before = await latest('gold', '03');
    const file = join(dirs.work, 'january.csv');
    await writeFile(
      file,
      `${HEADER}\n1,ACC001,500.00,EUR,2024-01-05T09:00:00Z\n2,ACC001,26.00,EUR,2024-01-20T09:00:00Z\n3,ACC001,100.00,EUR,2024-02-10T09:00:00Z\n`,
    );

    const result = await run('backfill', '--month', '2024-01', file, '--json');

    expect(result.code).toBe(0);
    const outcome = await json(result);
    expect(String(outcome['run_id'])).toMatch(/^backfill-\d{8}T\d{6}Z-[a-z0-9]{6}$/);
    expect(outcome).toMatchObject({
      status: 'PUBLISHED',
      backfill_month: '2024-01',
      counts: { input_rows: 3, valid_rows: 2, quarantined_rows: 0, condemned_rows: 1 },
      partitions: [{ partition: '2024-01', version: 2, rows: 2 }],
    });
    expect(((await latest('silver', '01'))['runs'] as Json[]).map((r) => r['run_id'])).toEqual([outcome['run_id']]);
    expect(((await latest('silver', '02'))['runs'] as Json[]).map((r) => r['run_id'])).toEqual([original['run_id']]);
    for (const month of ['01', '02', '03']) expect((await latest('gold', month))['built_from']).toMatchObject({ '2024-01': 2 });
    expect((await latest('gold', '03'))['version']).toBe(Number(before['version']) + 1);
    const report = JSON.parse((await run('report', 'balances', '--from', '2024-01', '--to', '2024-03', '--json')).stdout) as Json[];
    expect(report.filter((r) => r['acct'] === 'ACC001').map((r) => r['balance'])).toEqual(['526.00', '526.00', '526.00']);
    const condemned = await json(await run('condemned', 'list', '--run', String(outcome['run_id']), '--json'));
    expect((condemned['rows'] as Json[])[0]).toMatchObject({ validation_error: 'DUPLICATE_FAILURE', fields: { TransactionID: '3' } });
  });

  it('exits 2 without a valid month', async () => {
    const result = await run('backfill', '--month', '2024-1', Q1_SAMPLE);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/expected a month YYYY-MM, got '2024-1'/);
  });
});

describe('ledgerlake runs show', () => {
  it('shows a blocked run with its counts by reason, unpublished partitions and the gate reasons', async () => {
    const blocked = await ingest(await csvFile('half.csv', 1, '5,A,x,EUR,2024-01-01T00:00:00Z'));

    const result = await run('runs', 'show', String(blocked['run_id']), '--json');

    expect(result.code).toBe(0);
    expect(await json(result)).toMatchObject({
      status: 'BLOCKED',
      mode: 'ingest',
      quarantine_by_reason: { TYPE_ERROR: 1 },
      condemned_by_reason: {},
      partitions: [{ partition: '2024-01', rows: 1, version: null }],
      reasons: [expect.stringMatching(/^quarantine rate 50\.00 %/)],
      source_files: [expect.stringMatching(/\/half\.csv#/)],
    });
  });

  it('says in one sentence that the lake has no such run', async () => {
    const result = await run('runs', 'show', '20240101T000000Z-abcdef');

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ledgerlake: The lake has no run 20240101T000000Z-abcdef (see `ledgerlake runs`).\n');
  });
});
