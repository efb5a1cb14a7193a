import { join } from 'node:path';
import { listAll } from '@ledgerlake/storage';
import { openLake } from '../../src/lake-folder';
import { Q1_SAMPLE, REPO, runCli, useTempLake } from '../support/cli-harness';

/*
 * A run's work area (`work/<run_id>/`, full copies of its rows) does not outlive the run: the
 * function that ends the run removes it (docs/work-area.md), on the deployed path — the row
 * pipeline's definition through the local runner with the functions' own handlers.
 */

const APRIL_SAMPLE = join(REPO, 'samples/transactions-2024-04-with-errors.csv');
const dirs = useTempLake('ledgerlake-work-area-');

async function workKeys(): Promise<string[]> {
  const lake = await openLake(dirs.lake);
  const keys: string[] = [];
  for await (const object of listAll(lake.store, lake.layout.buckets.artifacts, 'work/')) keys.push(object.key);
  return keys;
}

async function ingest(file: string): Promise<{ code: number; status: string }> {
  const result = await runCli(['ingest', file, '--lake', dirs.lake, '--json'], dirs.work);
  const [outcome] = JSON.parse(result.stdout) as { status: string }[];
  return { code: result.code, status: outcome?.status ?? '' };
}

describe('the work area of a run that ended', () => {
  it('is removed when the run is published, skipped as a duplicate, blocked or failed', async () => {
    expect(await ingest(Q1_SAMPLE)).toEqual({ code: 0, status: 'PUBLISHED' });
    expect(await workKeys()).toEqual([]);

    expect(await ingest(Q1_SAMPLE)).toMatchObject({ status: 'SKIPPED' });
    expect(await workKeys()).toEqual([]);

    expect(await ingest(APRIL_SAMPLE)).toMatchObject({ code: 3, status: 'BLOCKED' });
    expect(await workKeys()).toEqual([]);

    const lake = await openLake(dirs.lake);
    await lake.store.put(lake.layout.control.circuitBreaker(), '{not json');
    expect((await ingest(APRIL_SAMPLE)).status).not.toBe('PUBLISHED');
    expect(await workKeys()).toEqual([]);
  });
});
