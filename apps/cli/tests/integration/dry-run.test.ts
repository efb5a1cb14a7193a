import { join } from 'node:path';
import { readRunRecord } from '@ledgerlake/ledgers';
import { listAll } from '@ledgerlake/storage';
import { openLake } from '../../src/lake-folder';
import { Q1_SAMPLE, REPO, runCli, useTempLake } from '../support/cli-harness';

/*
 * `ingest --dry-run` (the deployed stage's smoke test runs the same): the row pipeline's
 * definition runs every Task up to the gate, then RecordDryRun records the run CHECKED and nothing
 * is published; the content can still be ingested for real afterwards.
 */

const APRIL_SAMPLE = join(REPO, 'samples/transactions-2024-04-with-errors.csv');
const dirs = useTempLake('ledgerlake-dry-run-');

async function keys(bucket: 'silver' | 'gold' | 'artifacts', prefix = ''): Promise<string[]> {
  const lake = await openLake(dirs.lake);
  const found: string[] = [];
  for await (const object of listAll(lake.store, lake.layout.buckets[bucket], prefix)) found.push(object.key);
  return found;
}

describe('ingest --dry-run', () => {
  it('checks the file up to the gate, records it CHECKED and publishes nothing; a real ingest of it then publishes', async () => {
    const dry = await runCli(['ingest', Q1_SAMPLE, '--dry-run', '--json', '--lake', dirs.lake], dirs.work);
    const [outcome] = JSON.parse(dry.stdout) as { run_id: string; status: string; gate_decision: string; counts: { valid_rows: number } }[];

    expect(dry.code).toBe(0);
    expect(outcome).toMatchObject({ status: 'CHECKED', gate_decision: 'PROMOTE', counts: { valid_rows: 8 } });
    expect((await keys('silver')).filter((key) => /\/(current\/|_LATEST\.json|_manifests\/|_versions\/)/.test(key))).toEqual([]);
    expect(await keys('gold')).toEqual([]);
    expect(await keys('artifacts', 'work/')).toEqual([]);
    const lake = await openLake(dirs.lake);
    expect((await readRunRecord(lake.store, lake.layout, outcome?.run_id ?? ''))?.status).toBe('CHECKED');

    const real = await runCli(['ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake], dirs.work);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject([{ status: 'PUBLISHED', counts: { valid_rows: 8 } }]);
  });

  it('says what the gate would have done: a file it would block exits 3, still unpublished', async () => {
    const dry = await runCli(['ingest', APRIL_SAMPLE, '--dry-run', '--lake', dirs.lake], dirs.work);

    expect(dry.code).toBe(3);
    expect(dry.stdout).toMatch(/^CHECKED /);
    expect(dry.stdout).toContain('dry run: would be blocked: ');
    expect(dry.stdout).toContain('nothing was published');
    expect((await keys('silver')).filter((key) => key.includes('/current/'))).toEqual([]);
  });

  it('a dry run is never promoted, whoever asks', async () => {
    const dry = await runCli(['ingest', Q1_SAMPLE, '--dry-run', '--json', '--lake', dirs.lake], dirs.work);
    const runId = (JSON.parse(dry.stdout) as { run_id: string }[])[0]?.run_id ?? '';

    const promote = await runCli(['promote', '--run', runId, '--partition', '2024-01', '--by', 'a.person', '--reason', 'try it', '--lake', dirs.lake], dirs.work);

    expect(promote.code).not.toBe(0);
    expect(promote.stderr).toContain('was a dry run');
    expect((await keys('silver')).filter((key) => key.includes('/current/'))).toEqual([]);
  });
});
