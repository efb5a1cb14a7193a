import { writeRunRecordIfAbsent } from '@ledgerlake/pipeline';
import { openLake } from '../../src/local-lake';
import { runCli, useTempLake } from '../support/cli-harness';

const dirs = useTempLake('ledgerlake-interrupt-');

describe('runs and runs show of an interrupted run', () => {
  const RUN_ID = '20240301T100000Z-intrpt';

  beforeEach(async () => {
    const lake = await openLake(dirs.lake);
    await writeRunRecordIfAbsent(lake.store, lake.layout, {
      run_id: RUN_ID,
      execution_arn: `arn:aws:states:local:000000000000:execution:ledgerlake:${RUN_ID}`,
      dataset: 'mortgages/transactions',
      mode: 'ingest',
      started_at: '2024-03-01T10:00:00.000Z',
      source: { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2024-03-01/big.csv' },
      counts: { input_rows: 200_000 },
      status: 'INTERRUPTED',
      interrupted_at: '2024-03-01T10:00:04.250Z',
      signal: 'SIGTERM',
      state: 'ProcessParts',
    });
  });

  it('lists it as INTERRUPTED with the signal, the state and the time until the signal', async () => {
    const json = await runCli(['runs', '--json', '--lake', dirs.lake], dirs.work);
    const table = await runCli(['runs', '--lake', dirs.lake], dirs.work);

    expect(JSON.parse(json.stdout)).toEqual([
      {
        run_id: RUN_ID,
        status: 'INTERRUPTED',
        started_at: '2024-03-01T10:00:00.000Z',
        source_files: ['bronze/mortgages/transactions/ingest_date=2024-03-01/big.csv'],
        counts: { input_rows: 200_000 },
        quarantine_by_reason: {},
        duration_ms: 4250,
        interrupted: { signal: 'SIGTERM', state: 'ProcessParts' },
      },
    ]);
    expect(table.stdout.split('\n')[1]).toMatch(new RegExp(`^${RUN_ID}  INTERRUPTED  200000 .* 4\\.3 s +interrupted by SIGTERM in ProcessParts$`));
  });

  it('shows it with its end time and the interruption', async () => {
    const json = await runCli(['runs', 'show', RUN_ID, '--json', '--lake', dirs.lake], dirs.work);
    const text = await runCli(['runs', 'show', RUN_ID, '--lake', dirs.lake], dirs.work);

    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'INTERRUPTED',
      interrupted: { signal: 'SIGTERM', state: 'ProcessParts' },
      timings: { ended_at: '2024-03-01T10:00:04.250Z', duration_ms: 4250 },
    });
    expect(text.stdout).toContain(`Run ${RUN_ID}: INTERRUPTED (mode ingest)\n`);
    expect(text.stdout).toContain('  interrupted by SIGTERM in ProcessParts: nothing published\n');
  });
});
