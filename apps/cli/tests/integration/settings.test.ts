import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, useTempLake } from '../support/cli-harness';

/*
 * A setting two functions need is read once and handed to both: with a currency allowlist set in
 * the environment, validation and the partition writer decide the same rows.
 */

const dirs = useTempLake('ledgerlake-settings-');
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';

describe('settings from the environment reach every function that needs them', () => {
  it('CURRENCY_ALLOWLIST=EUR,GBP: a file with 1 % USD rows is published, the USD rows quarantined (not a stage disagreement)', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i + 1},ACC${i % 9},${i + 1}.00,${i === 50 ? 'USD' : i % 2 === 0 ? 'EUR' : 'GBP'},2024-01-05T09:00:00Z`);
    const file = join(dirs.work, 'mixed.csv');
    await writeFile(file, `${[HEADER, ...rows].join('\n')}\n`);

    const result = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work, { env: { CURRENCY_ALLOWLIST: 'EUR,GBP' } });

    const [outcome] = JSON.parse(result.stdout) as { status: string; counts: Record<string, number>; quarantine_by_reason: Record<string, number> }[];
    expect(outcome).toMatchObject({
      status: 'PUBLISHED',
      counts: { input_rows: 100, valid_rows: 99, quarantined_rows: 1, condemned_rows: 0 },
      quarantine_by_reason: { CURRENCY_ERROR: 1 },
    });
  });
});
