import { readLatest } from '@ledgerlake/lake';
import { createLakeLayout, localBuckets, MemoryObjectStore, type PublishedTableLayout } from '@ledgerlake/storage';
import { openParquetScratch, type ParquetScratch } from '@ledgerlake/testing';
import { GOLD_CARRY_FORWARD_MONTHS, promoteRun, refreshGold } from '../../src';
import { promotionDeps, type Tx, writeRunOutput } from '../support/run-output';

/*
 * Gold's work follows the data, never the calendar: balances are carried forward through months
 * without transactions for at most GOLD_CARRY_FORWARD_MONTHS after a month with data, so that a
 * lake whose data spans decades with nothing in between writes a few Gold months, not hundreds.
 */

const layout = createLakeLayout(localBuckets());
const STARTED = new Date('2024-06-01T00:00:00Z');
let store: MemoryObjectStore;
let scratch: ParquetScratch;
let runs = 0;

beforeAll(async () => {
  scratch = await openParquetScratch();
});
afterAll(async () => {
  await scratch.close();
});
beforeEach(() => {
  store = new MemoryObjectStore();
});

async function published(txs: readonly Tx[]) {
  runs += 1;
  const started = new Date(STARTED.getTime() + runs * 60_000);
  const { runId } = await writeRunOutput(store, layout, txs, { started, suffix: `g${String(runs).padStart(5, '0')}` });
  const deps = promotionDeps(store, layout, started);
  const promotion = await promoteRun(runId, deps);
  const executionArn = `arn:aws:states:local:000000000000:execution:ledgerlake:${runId}`;
  return refreshGold(promotion.gold_from as string, { ...deps, runId, executionArn, now: () => started });
}

/** The months of a Gold table that have a committed version. */
async function committedMonths(table: PublishedTableLayout): Promise<string[]> {
  const { bucket, prefix } = table.tablePrefix();
  const months = new Set<string>();
  for (const { key } of (await store.list(bucket, prefix)).objects) {
    const month = /=(\d{4}-\d{2})\/_LATEST\.json$/.exec(key)?.[1];
    if (month !== undefined) months.add(month);
  }
  return [...months].sort();
}

async function goldObjects(): Promise<number> {
  return (await store.list('gold', '')).objects.filter(({ key }) => key.includes('/current/')).length;
}

async function balances(month: string): Promise<[string, string, number][]> {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  const latest = await readLatest(store, layout.gold.accountBalances, { year, month: mm });
  if (latest === undefined || latest.value.files.length === 0) return [];
  const paths = await scratch.copyFrom(store, latest.value.files.map((key) => ({ bucket: 'gold', key })));
  const rows = await scratch.query(
    `SELECT account_id, balance::VARCHAR AS balance, tx_count::INTEGER AS n FROM read_parquet([${paths.map((p) => `'${p}'`).join(', ')}]) ORDER BY account_id`,
  );
  return rows.map((row) => [row['account_id'] as string, row['balance'] as string, row['n'] as number]);
}

/** `count` months from `first`, as `YYYY-MM`. */
function monthsFrom(first: string, count: number): string[] {
  const [year, month] = first.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const index = year * 12 + month - 1 + i;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}

describe('Gold carries balances forward a bounded number of months', () => {
  it('carries a year, not the calendar: data in 1975-01 and 2024-01 writes 14 months per table, not 589', async () => {
    const refresh = await published([
      { id: 1, account: 'ACC001', amount: '10.00', at: '1975-01-10T09:00:00Z' },
      { id: 2, account: 'ACC001', amount: '5.00', at: '2024-01-05T09:00:00Z' },
      { id: 3, account: 'ACC002', amount: '-2.50', at: '2024-01-06T09:00:00Z' },
    ]);

    const expected = [...monthsFrom('1975-01', GOLD_CARRY_FORWARD_MONTHS + 1), '2024-01'];
    expect(GOLD_CARRY_FORWARD_MONTHS).toBe(12);
    expect(refresh.months).toEqual(expected);
    expect(await committedMonths(layout.gold.accountBalances)).toEqual(expected);
    expect(await committedMonths(layout.gold.monthlyReports)).toEqual(expected);
    expect(await goldObjects()).toBe(2 * expected.length);
    expect(await balances('1976-01')).toEqual([['ACC001', '10.00', 1]]);
    // The balance after the gap still counts the whole history.
    expect(await balances('2024-01')).toEqual([
      ['ACC001', '15.00', 2],
      ['ACC002', '-2.50', 1],
    ]);
  });

  it('carries every month of a gap shorter than the horizon, as the contract says', async () => {
    const refresh = await published([
      { id: 1, account: 'ACC001', amount: '10.00', at: '2023-01-10T09:00:00Z' },
      { id: 2, account: 'ACC001', amount: '5.00', at: '2023-12-05T09:00:00Z' },
    ]);

    expect(refresh.months).toEqual(monthsFrom('2023-01', 12));
    expect(await balances('2023-06')).toEqual([['ACC001', '10.00', 1]]);
    expect(await balances('2023-12')).toEqual([['ACC001', '15.00', 2]]);
  });

  it('rebuilds a month inside an unwritten gap from the Gold month before it, not from the first month', async () => {
    await published([
      { id: 1, account: 'ACC001', amount: '10.00', at: '1975-01-10T09:00:00Z' },
      { id: 2, account: 'ACC001', amount: '5.00', at: '2024-01-05T09:00:00Z' },
    ]);

    const refresh = await published([{ id: 3, account: 'ACC001', amount: '1.00', at: '2023-06-01T09:00:00Z' }]);

    expect(refresh.months).toEqual(monthsFrom('2023-06', 8));
    expect(await balances('2023-06')).toEqual([['ACC001', '11.00', 2]]);
    expect(await balances('2024-01')).toEqual([['ACC001', '16.00', 3]]);
    expect(await committedMonths(layout.gold.accountBalances)).toEqual([...monthsFrom('1975-01', 13), ...monthsFrom('2023-06', 8)]);
  });
});
