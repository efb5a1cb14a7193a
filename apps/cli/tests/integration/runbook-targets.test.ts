import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli-io';
import { type Captured, runCli } from '../support/cli-harness';
import { type StageHarness, startStage } from '../support/stage-harness';

/*
 * One runbook, end to end, on each target: a lake folder (runs in-process) and a deployed stage
 * (tests/support/stage-harness.ts: its buckets in s3rver, runs started through the starter's own
 * definition and run with the real handlers, the Bronze Object Created rule emulated). The same
 * commands with the same arguments, only the target option differs:
 * breaker trip → reset; quarantine → retry with a fix → published; condemned → approved →
 * published; backfill; a month rolled back.
 */

type Json = Record<string, unknown>;
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
/** Thresholds low enough for a five-row file to trip the breaker (the functions' settings on both targets). */
const LOW_BREAKER = { BREAKER_MIN_FAILED_ROWS: '2', BREAKER_MIN_FAILED_RATE: '0.1' };

interface Target {
  readonly work: string;
  cli(...argv: string[]): Promise<Captured>;
  stop(): Promise<void>;
}

const targets: [string, () => Promise<Target>][] = [
  [
    'a lake folder',
    async () => {
      const work = await mkdtemp(join(tmpdir(), 'ledgerlake-runbook-local-'));
      const io: Partial<CliIo> = { env: LOW_BREAKER };
      return { work, cli: (...argv) => runCli([...argv, '--lake', join(work, 'lake')], work, io), stop: () => rm(work, { recursive: true, force: true }) };
    },
  ],
  [
    'a deployed stage',
    async () => {
      const harness: StageHarness = await startStage(LOW_BREAKER);
      return { work: harness.work, cli: (...argv) => harness.cli(argv), stop: () => harness.stop() };
    },
  ],
];

describe.each(targets)('the runbook on %s', (_name, open) => {
  let target: Target;
  beforeAll(async () => {
    target = await open();
  }, 60_000);
  afterAll(async () => target?.stop());

  const csv = async (name: string, lines: readonly string[]): Promise<string> => {
    const path = join(target.work, name);
    await writeFile(path, `${[HEADER, ...lines].join('\n')}\n`);
    return path;
  };
  const rows = (first: number, count: number, month: string, amount = '1.25') =>
    Array.from({ length: count }, (_, i) => `${first + i},ACC00${i % 3},${amount},EUR,${month}-${String((i % 28) + 1).padStart(2, '0')}T08:00:00Z`);
  const ok = async (result: Promise<Captured>): Promise<Json> => {
    const done = await result;
    expect({ code: done.code, stderr: done.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/ledgerlake:/) });
    return JSON.parse(done.stdout) as Json;
  };
  const ingested = async (path: string): Promise<Json> => ((await ok(target.cli('ingest', path, '--json'))) as unknown as Json[])[0] as Json;

  it('the breaker trips on a systemic failure, refuses runs while open, and runs start again after a recorded reset', async () => {
    const bad = await csv('bad.csv', [...rows(100, 2, '2024-01'), '1,A,x,EUR,2024-01-01T00:00:00Z', '2,A,y,EUR,2024-01-01T00:00:00Z', '3,A,z,EUR,2024-01-01T00:00:00Z']);
    const tripped = await target.cli('ingest', bad, '--json');
    const good = await csv('good.csv', rows(200, 5, '2024-01'));
    const refused = await target.cli('ingest', good, '--json');

    expect(tripped.code).toBe(1);
    expect((JSON.parse(tripped.stdout) as Json[])[0]).toMatchObject({ status: 'FAILED', error: { name: 'CircuitBreakerOpenError' } });
    expect(await ok(target.cli('breaker', 'status', '--json'))).toMatchObject({ state: 'open', code: 'TYPE_ERROR', failed: 3 });
    expect(refused.code).toBe(1);
    expect((JSON.parse(refused.stdout) as Json[])[0]).toMatchObject({ status: 'FAILED', error: { name: 'CircuitBreakerOpenError', state: 'PreventLoops' } });

    expect(await ok(target.cli('breaker', 'reset', '--by', 'oncall', '--reason', 'bad export fixed', '--json'))).toMatchObject({ state: 'closed' });
    expect(await ingested(good)).toMatchObject({ status: 'PUBLISHED', counts: { valid_rows: 5 } });
  });

  it('a quarantined row retried with a fix is published by its retry run', async () => {
    const run = await ingested(await csv('feb.csv', [...rows(1000, 30, '2024-02'), '99,ACC009,12.34,eur,2024-02-15T10:00:00Z']));
    expect(run).toMatchObject({ status: 'PUBLISHED', counts: { quarantined_rows: 1 } });
    const [row] = (await ok(target.cli('quarantine', 'list', '--run', String(run['run_id']), '--json')))['rows'] as Json[];
    expect(row).toMatchObject({ status: 'OPEN', validation_error: 'CURRENCY_ERROR' });
    const fixes = await csv('fixes.csv', []);
    await writeFile(fixes, `row_hash,${HEADER}\n${String(row?.['row_hash'])},99,ACC009,12.34,EUR,2024-02-15T10:00:00Z\n`);

    const retried = await ok(target.cli('quarantine', 'retry', '--run', String(run['run_id']), '--fixes', fixes, '--by', 'dq-analyst', '--json'));

    expect(retried).toMatchObject({ status: 'PUBLISHED', retry_of: run['run_id'], counts: { input_rows: 1, valid_rows: 1 }, partitions: [{ partition: '2024-02', rows: 1 }] });
    const after = await ok(target.cli('quarantine', 'list', '--all', '--json'));
    expect((after['rows'] as Json[]).find((r) => r['row_hash'] === row?.['row_hash'])).toMatchObject({ status: 'RESOLVED', retry_run_id: retried['run_id'] });
  });

  it('a row condemned after its retries is approved with a fix and published', async () => {
    let source = await ingested(await csv('mar.csv', [...rows(5000, 30, '2024-03'), '77,ACC007,5.00,eur,2024-03-16T10:00:00Z']));
    for (let attempt = 1; attempt <= 3; attempt++) source = await ok(target.cli('quarantine', 'retry', '--run', String(source['run_id']), '--json'));
    const [row] = (await ok(target.cli('condemned', 'list', '--run', String(source['run_id']), '--json')))['rows'] as Json[];
    expect(row).toMatchObject({ status: 'CONDEMNED', validation_error: 'MAX_ATTEMPTS' });
    const fixes = join(target.work, 'approve.csv');
    await writeFile(fixes, `row_hash,${HEADER}\n${String(row?.['row_hash'])},77,ACC007,5.00,EUR,2024-03-16T10:00:00Z\n`);

    const approved = await ok(target.cli('condemned', 'approve', '--run', String(source['run_id']), '--by', 'alice', '--reason', 'currency confirmed', '--fixes', fixes, '--json'));

    expect(approved).toMatchObject({ status: 'PUBLISHED', counts: { valid_rows: 1 }, decision: { decision: 'approve', by: 'alice', retry_run_id: approved['run_id'] } });
    expect((await ok(target.cli('condemned', 'list', '--json')))['by_status']).toMatchObject({ APPROVED: 1 });
  });

  it('a backfill publishes its month', async () => {
    const file = await csv('dec.csv', rows(3000, 2, '2023-12', '10.00'));

    const backfill = await ok(target.cli('backfill', '--month', '2023-12', file, '--json'));

    expect(backfill).toMatchObject({ status: 'PUBLISHED', backfill_month: '2023-12', partitions: [{ partition: '2023-12', rows: 2 }] });
  });

  it('a month is rolled back to its state right after an earlier run, recorded with who and why, and Gold follows', async () => {
    const first = await ingested(await csv('may-a.csv', rows(6000, 3, '2024-05', '2.00')));
    const second = await ingested(await csv('may-b.csv', rows(6100, 4, '2024-05', '3.00')));
    expect([first['status'], second['status']]).toEqual(['PUBLISHED', 'PUBLISHED']);

    const rolledBack = await ok(target.cli('promote', '--run', String(first['run_id']), '--partition', '2024-05', '--by', 'ana', '--reason', 'second feed was wrong', '--json'));
    const again = await ok(target.cli('promote', '--run', String(first['run_id']), '--partition', '2024-05', '--by', 'ana', '--reason', 'twice', '--json'));

    expect(rolledBack).toMatchObject({ action: 'rollback', committed: true, partition: '2024-05', rows: 3, restored_version: 1, version: 3, by: 'ana', gold_months: expect.arrayContaining(['2024-05']) });
    expect(again).toMatchObject({ action: 'rollback', committed: false, version: 3 });
    const history = await ok(target.cli('partitions', 'history', '2024-05', '--json'));
    expect(history['versions']).toEqual([
      expect.objectContaining({ version: 3, kind: 'rollback', run_id: first['run_id'], by: 'ana', reason: 'second feed was wrong' }),
      expect.objectContaining({ version: 2, run_id: second['run_id'] }),
      expect.objectContaining({ version: 1, run_id: first['run_id'] }),
    ]);
    const blocked = await target.cli('promote', '--run', '20990101T000000Z-nothing', '--partition', '2024-05', '--by', 'ana', '--reason', 'r');
    expect(blocked).toMatchObject({ code: 2, stderr: 'ledgerlake: The lake has no run 20990101T000000Z-nothing (see `ledgerlake runs`).\n' });
  });
});
