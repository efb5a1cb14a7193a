import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, useTempLake } from '../support/cli-harness';

/* Rows and runs people can act on: a fixes template to edit, row hashes by prefix, run listings that filter and survive a bad file. */

const dirs = useTempLake('ledgerlake-rows-');
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
type Json = Record<string, unknown>;

const run = (...argv: string[]) => runCli([...argv, '--lake', dirs.lake], dirs.work);
const json = async (...argv: string[]): Promise<Json> => {
  const result = await run(...argv, '--json');
  expect(result.code).toBeLessThan(4);
  return JSON.parse(result.stdout) as Json;
};

/** 40 good rows of April, a negative amount with a lower-case currency (quarantined) and a repeated key (condemned). */
async function april(): Promise<Json> {
  const good = Array.from({ length: 40 }, (_, i) => `${300 + i},ACC00${i % 4},${i + 1}.00,EUR,2024-04-${String((i % 27) + 1).padStart(2, '0')}T09:00:00Z`);
  const file = join(dirs.work, 'april.csv');
  await writeFile(file, `${[HEADER, ...good, '201,ACC009,-5.00,eur,2024-04-10T09:00:00Z', '300,ACC000,1.00,EUR,2024-04-01T09:00:00Z'].join('\n')}\n`);
  return ((await json('ingest', file)) as unknown as Json[])[0] as Json;
}

describe('quarantine list --fixes-template', () => {
  it('writes the open rows as a fixes file a spreadsheet cannot run, that quarantine retry takes back as edited', async () => {
    const first = await april();
    const runId = String(first['run_id']);

    const listed = await run('quarantine', 'list', '--run', runId, '--fixes-template', 'fixes.csv');

    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe(`ledgerlake: wrote 1 open row to fixes.csv: correct the values, then \`ledgerlake quarantine retry --run ${runId} --fixes fixes.csv\`.\n`);
    const template = await readFile(join(dirs.work, 'fixes.csv'), 'utf8');
    const [header, row] = template.split('\r\n');
    expect(header).toBe(`row_hash,${HEADER},run_id,validation_error,error_detail`);
    // The negative amount is guarded against formula execution.
    expect(row).toMatch(new RegExp(`^[0-9a-f]{64},201,ACC009,'-5\\.00,eur,2024-04-10T09:00:00Z,${runId},CURRENCY_ERROR,`));

    await writeFile(join(dirs.work, 'fixes.csv'), template.replace(",eur,", ',EUR,'));
    const retried = await json('quarantine', 'retry', '--run', runId, '--fixes', 'fixes.csv');

    expect(retried).toMatchObject({ status: 'PUBLISHED', rows: [expect.objectContaining({ fixed: true })] });
    expect(await json('query', "SELECT amount, currency FROM silver.transactions WHERE id = 201")).toEqual([{ amount: '-5.00', currency: 'EUR' }]);
  });

  it('needs one run: rows of several runs are refused with what to add', async () => {
    await april();
    await writeFile(join(dirs.work, 'may.csv'), `${HEADER}\n900,ACC001,1.00,usd,2024-05-01T09:00:00Z\n`);
    await run('ingest', join(dirs.work, 'may.csv'));

    const result = await run('quarantine', 'list', '--fixes-template', 'fixes.csv');

    expect(result).toMatchObject({ code: 2, stderr: 'ledgerlake: The rows listed come from 2 runs, and a retry takes one run\'s rows: add --run RUN_ID to write a fixes template.\n' });
  });
});

describe('row hashes by prefix', () => {
  it('condemned approve takes a unique prefix of 8 or more characters, and refuses a shorter one (exit 2)', async () => {
    const runId = String((await april())['run_id']);
    const [condemned] = ((await json('condemned', 'list', '--run', runId)) as { rows: Json[] }).rows;
    const hash = String(condemned?.['row_hash']);

    const short = await run('condemned', 'reject', '--run', runId, '--row-hash', hash.slice(0, 7), '--by', 'ana', '--reason', 'dup');
    const rejected = await json('condemned', 'reject', '--run', runId, '--row-hash', hash.slice(0, 8).toUpperCase(), '--by', 'ana', '--reason', 'dup');

    expect(short).toMatchObject({ code: 2, stderr: `ledgerlake: "${hash.slice(0, 7)}" is not a row hash: give the hash, or at least its first 8 hex digits.\n` });
    expect(rejected).toMatchObject({ decision: 'reject', rows: [expect.objectContaining({ row_hash: hash })] });
  });
});

describe('runs', () => {
  it('filters by --status, --since and --limit, newest first; a wrong status is exit 2', async () => {
    const first = String((await april())['run_id']);
    await writeFile(join(dirs.work, 'ok.csv'), `${HEADER}\n901,ACC001,1.00,EUR,2024-05-01T09:00:00Z\n`);
    const second = String((((await json('ingest', join(dirs.work, 'ok.csv'))) as unknown as Json[])[0] as Json)['run_id']);
    const ids = (runs: unknown) => (runs as Json[]).map((r) => r['run_id']);

    expect(ids(await json('runs'))).toEqual([second, first]);
    expect(ids(await json('runs', '--limit', '1'))).toEqual([second]);
    expect(ids(await json('runs', '--status', 'published'))).toEqual([second, first]);
    expect(ids(await json('runs', '--status', 'blocked,failed'))).toEqual([]);
    expect(ids(await json('runs', '--since', '1d'))).toEqual([second, first]);
    expect(ids(await json('runs', '--since', '2999-01-01'))).toEqual([]);
    expect((await run('runs', '--status', 'DONE')).code).toBe(2);
    expect((await run('runs', '--since', 'last week')).code).toBe(2);
  });

  it('lists a run whose record is corrupt as UNREADABLE, naming the file, instead of failing', async () => {
    const runId = String((await april())['run_id']);
    await writeFile(join(dirs.lake, 'artifacts/runs', runId, 'run.json'), '{"status": ');

    const result = await run('runs');
    const listed = (await json('runs')) as unknown as Json[];

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`${runId}  UNREADABLE .*cannot be read: .*artifacts/runs/${runId}/run\\.json is not JSON`));
    expect(listed[0]).toMatchObject({ run_id: runId, status: 'UNREADABLE' });
  });

  it('shows the file of a SKIPPED run', async () => {
    const first = await april();
    const again = ((await json('ingest', join(dirs.work, 'april.csv'))) as unknown as Json[])[0] as Json;

    const listed = (await run('runs')).stdout.split('\n').find((line) => line.startsWith(String(again['run_id'])));

    expect(again['status']).toBe('SKIPPED');
    expect(listed).toMatch(new RegExp(`SKIPPED .*april\\.csv: duplicate of ${String(first['run_id'])}$`));
  });
});
