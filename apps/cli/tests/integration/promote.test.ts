import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO, Q1_SAMPLE, runCli, useTempLake, type Captured } from '../support/cli-harness';

const dirs = useTempLake('ledgerlake-promote-');
const run = (...argv: string[]): Promise<Captured> => runCli(argv, dirs.work);
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
const JANUARY = 'silver/mortgages/transactions/year=2024/month=01/schema_v=v1';
const WHO = ['--by', 'alice', '--reason', 'the late file was sent by mistake'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Json = Record<string, unknown>;

async function ingest(file: string): Promise<Json> {
  const result = await run('ingest', file, '--json', '--lake', dirs.lake);
  return (JSON.parse(result.stdout) as Json[])[0] as Json;
}

async function readJson(path: string): Promise<Json> {
  return JSON.parse(await readFile(join(dirs.lake, path), 'utf8')) as Json;
}

async function latest(month: string): Promise<{ version: number; runs: { run_id: string }[]; files: string[] }> {
  return (await readJson(`silver/mortgages/transactions/year=2024/month=${month}/schema_v=v1/_LATEST.json`)) as never;
}

/** The Q1 sample (January v1), then a late January transaction in another file (January v2). */
async function twoRunsInJanuary(): Promise<{ first: string; second: string }> {
  const first = await ingest(Q1_SAMPLE);
  const late = join(dirs.work, 'late.csv');
  await writeFile(late, `${HEADER}\n9,ACC002,10.00,EUR,2024-01-15T12:00:00Z\n`);
  const second = await ingest(late);
  return { first: String(first['run_id']), second: String(second['run_id']) };
}

const rollBack = (runId: string, ...extra: string[]) =>
  run('promote', '--run', runId, '--partition', '2024-01', ...WHO, ...extra, '--lake', dirs.lake);

describe('ledgerlake promote', () => {
  it('rolls a month back to its state right after an earlier run, as a new version, and rebuilds Gold', async () => {
    const { first, second } = await twoRunsInJanuary();
    expect((await latest('01')).runs.map((r) => r.run_id)).toEqual([first, second]);

    const result = await rollBack(first, '--json');

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      run_id: first,
      partition: '2024-01',
      action: 'rollback',
      committed: true,
      version: 3,
      restored_version: 1,
      rows: 2,
      by: 'alice',
      reason: 'the late file was sent by mistake',
      at: expect.stringMatching(ISO),
      gold_months: ['2024-01', '2024-02', '2024-03'],
    });
    expect((await latest('01')).runs.map((r) => r.run_id)).toEqual([first]);
    const balances = await readJson('gold/finance/account_balances/schema_v=v1/as_of_month=2024-01/_LATEST.json');
    expect(balances['built_from']).toEqual({ '2024-01': 3 });
  });

  it('records who asked, why and when in the version it commits (_LATEST.json and _versions/)', async () => {
    const { first } = await twoRunsInJanuary();
    const before = Date.now();

    const result = await rollBack(first, '--json');

    const outcome = JSON.parse(result.stdout) as Json;
    const current = await readJson(`${JANUARY}/_LATEST.json`);
    expect(current).toMatchObject({
      version: 3,
      action: 'rollback',
      run_id: outcome['operation_id'],
      requested: { by: 'alice', reason: 'the late file was sent by mistake' },
      restored_version: 1,
      restored_run_id: first,
      promoted_at: outcome['at'],
    });
    expect(Date.parse(String(current['promoted_at']))).toBeGreaterThanOrEqual(before - 1000);
    expect(await readJson(`${JANUARY}/_versions/v=000000003.json`)).toEqual(current);
  });

  it('prints the rollback with who asked and why', async () => {
    const { first } = await twoRunsInJanuary();

    const result = await rollBack(first);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `ROLLED BACK 2024-01 to its state right after run ${first} (version 1), now version 3: 2 rows published\n` +
        '  by alice: the late file was sent by mistake\n',
    );
  });

  it('does nothing when the month already shows that state: no new version, says so, exit 0', async () => {
    const { first, second } = await twoRunsInJanuary();
    await rollBack(first);
    const before = await latest('01');

    const again = await rollBack(first, '--json');
    const text = await rollBack(first);

    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ run_id: first, action: 'rollback', committed: false, version: 3, restored_version: 1, rows: 2 });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`^UNCHANGED 2024-01 already shows its state right after run ${first} \\(version 1\\): version 3 stays current, nothing committed\\n`),
    );
    expect(await latest('01')).toEqual(before);
    expect((await readdir(join(dirs.lake, JANUARY, '_versions'))).sort()).toEqual(['v=000000001.json', 'v=000000002.json', 'v=000000003.json']);
    // Rolling back to the second run's state is a real change again (v4): the month shows the first run's now.
    const current = await run('promote', '--run', second, '--partition', '2024-01', ...WHO, '--json', '--lake', dirs.lake);
    expect(JSON.parse(current.stdout)).toMatchObject({ run_id: second, committed: true, version: 4, restored_version: 2, rows: 3 });
  });

  it('refuses a blocked run with exit 3 and the gate\'s reasons', async () => {
    const blocked = await ingest(join(REPO, 'samples/transactions-2024-04-with-errors.csv'));
    expect(blocked['status']).toBe('BLOCKED');

    const result = await run('promote', '--run', String(blocked['run_id']), '--partition', '2024-04', ...WHO, '--lake', dirs.lake);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^ledgerlake: Run \S+ is blocked by the promotion gate: quarantine rate 50\.00 %/);
  });

  it.each([
    [['promote', '--run', '20240101T000000Z', '--partition', '2024-13', ...WHO], /expected a month YYYY-MM, got '2024-13'/],
    [['promote', '--partition', '2024-01', ...WHO], /required option '--run <run_id>' not specified/],
    [['promote', '--run', 'nope', '--partition', '2024-01', ...WHO], /"nope" is not a run id/],
  ])('exits 2 on wrong usage: %j', async (argv, message) => {
    const result = await run(...argv, '--lake', dirs.lake);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a promotion without --by and --reason: exit 2, one sentence, nothing committed', async () => {
    const { first } = await twoRunsInJanuary();

    for (const who of [['--reason', 'why'], ['--by', 'alice'], ['--by', ' ', '--reason', 'why'], ['--by', 'alice', '--reason', ''], []]) {
      const result = await run('promote', '--run', first, '--partition', '2024-01', ...who, '--json', '--lake', dirs.lake);

      expect({ who, code: result.code, stderr: result.stderr }).toEqual({
        who,
        code: 2,
        stderr: 'ledgerlake: A promotion or rollback needs --by NAME and --reason TEXT: who decided it and why are recorded in the lake.\n',
      });
      expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'usage-error', message: expect.stringMatching(/^A promotion or rollback needs --by/), exit_code: 2 } });
    }
    expect((await latest('01')).version).toBe(2);
  });

  it('says in one sentence, exit 2, that the lake has no such run', async () => {
    const result = await run('promote', '--run', '20240101T000000Z-abcdef', '--partition', '2024-01', ...WHO, '--lake', dirs.lake);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ledgerlake: The lake has no run 20240101T000000Z-abcdef (see `ledgerlake runs`).\n');
  });
});

describe('after a rollback', () => {
  it('`runs` lists the rollback: the month, the run whose state it restored, who, when, why', async () => {
    const { first } = await twoRunsInJanuary();
    const outcome = JSON.parse((await rollBack(first, '--json')).stdout) as Json;

    const listed = await run('runs', '--json', '--lake', dirs.lake);
    const table = await run('runs', '--lake', dirs.lake);

    const runs = JSON.parse(listed.stdout) as Json[];
    expect(runs).toHaveLength(3);
    expect(runs[0]).toMatchObject({
      run_id: outcome['operation_id'],
      status: 'ROLLBACK',
      started_at: outcome['at'],
      rollback: {
        partition: '2024-01',
        version: 3,
        restored_version: 1,
        to_run_id: first,
        at: outcome['at'],
        by: 'alice',
        reason: 'the late file was sent by mistake',
      },
    });
    const line = table.stdout.split('\n').find((text) => text.startsWith(String(outcome['operation_id'])));
    expect(line).toMatch(/ROLLBACK/);
    expect(line).toContain(`2024-01 rolled back to run ${first} (v1) as v3 by alice at ${String(outcome['at'])}: the late file was sent by mistake`);
    const shown = await run('runs', 'show', String(outcome['operation_id']), '--lake', dirs.lake);
    expect(shown.code).toBe(2);
    expect(shown.stderr).toBe(
      `ledgerlake: ${String(outcome['operation_id'])} is not a run but the rollback of 2024-01 to version 3 (see \`ledgerlake partitions history 2024-01\`).\n`,
    );
  });

  it('`runs show` of the run whose rows it removed says they are no longer published, and which version removed them', async () => {
    const { first, second } = await twoRunsInJanuary();
    const outcome = JSON.parse((await rollBack(first, '--json')).stdout) as Json;

    const removed = JSON.parse((await run('runs', 'show', second, '--json', '--lake', dirs.lake)).stdout) as Json;
    const kept = JSON.parse((await run('runs', 'show', first, '--json', '--lake', dirs.lake)).stdout) as Json;
    const text = await run('runs', 'show', second, '--lake', dirs.lake);

    expect(removed['partitions']).toEqual([
      {
        partition: '2024-01',
        rows: 1,
        version: 2,
        in_current_version: false,
        current_version: 3,
        removed_by: expect.objectContaining({
          version: 3,
          kind: 'rollback',
          run_id: first,
          committed_by: outcome['operation_id'],
          by: 'alice',
          reason: 'the late file was sent by mistake',
          at: outcome['at'],
        }),
      },
    ]);
    expect(kept['partitions']).toEqual([
      { partition: '2024-01', rows: 2, version: 1, in_current_version: true, current_version: 3 },
      { partition: '2024-02', rows: 3, version: 1, in_current_version: true, current_version: 1 },
      { partition: '2024-03', rows: 3, version: 1, in_current_version: true, current_version: 1 },
    ]);
    expect(text.stdout).toContain(
      `  partition 2024-01: 1 row, published as version 2, no longer published: removed by version 3 ` +
        `(rollback to run ${first}'s state, by alice at ${String(outcome['at'])}: the late file was sent by mistake)\n`,
    );
    expect(text.stdout).not.toMatch(/2024-01: 1 row, published as version 2\n/);
  });
});

describe('ledgerlake partitions history', () => {
  it("lists the month's versions newest first: version, kind, run, who, when, why", async () => {
    const { first, second } = await twoRunsInJanuary();
    const outcome = JSON.parse((await rollBack(first, '--json')).stdout) as Json;
    const file = join(dirs.work, 'january.csv');
    await writeFile(file, `${HEADER}\n1,ACC001,310.00,EUR,2024-01-05T09:00:00Z\n2,ACC001,26.00,EUR,2024-01-20T09:00:00Z\n`);
    const backfill = JSON.parse((await run('backfill', '--month', '2024-01', file, '--json', '--lake', dirs.lake)).stdout) as Json;
    expect(backfill['status']).toBe('PUBLISHED');

    const result = await run('partitions', 'history', '2024-01', '--json', '--lake', dirs.lake);

    expect(result.code).toBe(0);
    const history = JSON.parse(result.stdout) as { partition: string; table: string; current_version: number; versions: Json[] };
    expect(history).toMatchObject({ partition: '2024-01', table: 'silver.transactions', current_version: 4 });
    expect(history.versions.map((v) => [v['version'], v['kind'], v['run_id'], v['by'], v['reason'], v['rows']])).toEqual([
      [4, 'backfill', backfill['run_id'], null, null, 2],
      [3, 'rollback', first, 'alice', 'the late file was sent by mistake', 2],
      [2, 'promotion', second, null, null, 3],
      [1, 'promotion', first, null, null, 2],
    ]);
    expect(history.versions[1]).toMatchObject({ committed_by: outcome['operation_id'], restored_version: 1, at: outcome['at'], runs: [first] });
    expect(history.versions[2]).toMatchObject({ committed_by: second, runs: [first, second] });
    const times = history.versions.map((v) => Date.parse(String(v['at'])));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('prints one line per version, newest first, with who (the pipeline when nobody asked), when and why', async () => {
    const { first, second } = await twoRunsInJanuary();
    const outcome = JSON.parse((await rollBack(first, '--json')).stdout) as Json;

    const result = await run('partitions', 'history', '2024-01', '--lake', dirs.lake);

    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('silver.transactions 2024-01: 3 versions, current version 3');
    expect(lines[1]).toMatch(/^VERSION\s+KIND\s+RUN\s+ROWS\s+BY\s+AT\s+REASON$/);
    expect(lines[2]).toMatch(new RegExp(`^3\\s+rollback\\s+${first} \\(v1\\)\\s+2\\s+alice\\s+${String(outcome['at']).replace(/\./g, '\\.')}\\s+the late file was sent by mistake$`));
    expect(lines[3]).toMatch(new RegExp(`^2\\s+promotion\\s+${second}\\s+3\\s+pipeline\\s+\\S+Z\\s+-$`));
    expect(lines[4]).toMatch(new RegExp(`^1\\s+promotion\\s+${first}\\s+2\\s+pipeline\\s+\\S+Z\\s+-$`));
    expect(lines).toHaveLength(5);
  });

  it('a month never published has no versions (exit 0); a bad month is wrong usage (exit 2)', async () => {
    await ingest(Q1_SAMPLE);

    const never = await run('partitions', 'history', '2024-07', '--json', '--lake', dirs.lake);
    const text = await run('partitions', 'history', '2024-07', '--lake', dirs.lake);
    const bad = await run('partitions', 'history', '2024-7', '--lake', dirs.lake);

    expect(never.code).toBe(0);
    expect(JSON.parse(never.stdout)).toEqual({ partition: '2024-07', table: 'silver.transactions', current_version: null, versions: [] });
    expect(text.stdout).toBe('silver.transactions 2024-07 has never been published.\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected a month YYYY-MM, got '2024-7'/);
  });
});
