import { readLatest } from '@ledgerlake/lake';
import { createLakeLayout, type LakeLayout, localBuckets, MemoryObjectStore, type PublishedTableLayout } from '@ledgerlake/storage';
import { AthenaOnDuckDb, openParquetScratch, type ParquetScratch } from '@ledgerlake/testing';
import { AthenaGoldEngine, GOLD_BUILD_PREFIX, type GoldEngine, promoteRun, refreshGold } from '../../src';
import { promotionDeps, testGoldEngine, type Tx, writeRunOutput } from '../support/run-output';

/*
 * The Gold SQL's two dialect twins (docs/gold.md) give the same Gold: the same lake history built
 * by the DuckDB engine and by the Athena engine — its statements run by DuckDB standing in for
 * Athena, the Gold query text exactly as Athena would receive it — commits the same months with
 * the same rows, whether a rebuild starts from Silver's first month or is seeded from Gold.
 */

const layout = createLakeLayout(localBuckets());
let scratch: ParquetScratch;

beforeAll(async () => {
  scratch = await openParquetScratch();
});
afterAll(async () => {
  await scratch.close();
});

/** A history: three runs, the later ones touching an earlier month (a seeded rebuild) and a month after a long gap. */
const HISTORY: readonly (readonly Tx[])[] = [
  [
    { id: 1, account: 'ACC001', amount: '300.00', at: '2024-01-05T09:00:00Z' },
    { id: 2, account: 'ACC001', amount: '-26.00', at: '2024-01-20T09:00:00Z' },
    { id: 3, account: 'ACC001', amount: '12.34', at: '2024-01-21T09:00:00Z', currency: 'USD' },
    { id: 4, account: 'ACC002', amount: '-25.50', at: '2024-03-12T23:59:59Z' },
    { id: 5, account: 'ACC003', amount: '99999999999999.99', at: '2024-03-31T23:59:59Z' },
    { id: 6, account: 'ACC003', amount: '99999999999999.99', at: '2024-03-01T00:00:00Z' },
  ],
  [
    { id: 7, account: 'ACC004', amount: '1.00', at: '2024-04-01T00:00:00Z' },
    { id: 8, account: 'ACC001', amount: '-0.01', at: '2024-04-30T12:00:00Z' },
  ],
  [
    { id: 9, account: 'ACC002', amount: '10.00', at: '2024-02-29T10:00:00Z' },
    { id: 10, account: 'ACC005', amount: '-7.77', at: '2026-01-15T10:00:00Z' },
  ],
];

async function build(store: MemoryObjectStore, gold: GoldEngine): Promise<string[][]> {
  const refreshed: string[][] = [];
  for (const [index, txs] of HISTORY.entries()) {
    const started = new Date(Date.UTC(2026, 5, 1, 0, index));
    const { runId } = await writeRunOutput(store, layout, txs, { started, suffix: `e${String(index).padStart(5, '0')}` });
    const deps = { ...promotionDeps(store, layout, started), gold };
    const promotion = await promoteRun(runId, deps);
    const executionArn = `arn:aws:states:local:000000000000:execution:ledgerlake:${runId}`;
    refreshed.push((await refreshGold(promotion.gold_from as string, { ...deps, runId, executionArn, now: () => started })).months);
  }
  return refreshed;
}

/** Every committed month of a Gold table with its rows, as text, sorted. */
async function table(store: MemoryObjectStore, lake: LakeLayout, which: (l: LakeLayout) => PublishedTableLayout): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const { bucket, prefix } = which(lake).tablePrefix();
  for (const { key } of (await store.list(bucket, prefix)).objects) {
    const month = /=(\d{4}-\d{2})\/_LATEST\.json$/.exec(key)?.[1];
    if (month === undefined) continue;
    const [year, mm] = month.split('-').map(Number) as [number, number];
    const latest = await readLatest(store, which(lake), { year, month: mm });
    const files = latest?.value.files ?? [];
    if (files.length === 0) {
      out[month] = [];
      continue;
    }
    const paths = await scratch.copyFrom(store, files.map((file) => ({ bucket, key: file })));
    const rows = await scratch.query(`SELECT CAST(t AS VARCHAR) AS r FROM read_parquet([${paths.map((p) => `'${p}'`).join(', ')}]) t ORDER BY r`);
    out[month] = rows.map((row) => row['r'] as string);
  }
  return out;
}

describe('the Gold SQL in DuckDB and in Athena', () => {
  it('builds the same Gold months with the same rows, seeded or not, and leaves no temporary table or object behind', async () => {
    const viaDuckDb = new MemoryObjectStore();
    const viaAthena = new MemoryObjectStore();
    const athena = new AthenaOnDuckDb(viaAthena);
    try {
      const ids = ['b0', 'b1', 'b2', 'b3'];
      const engine = new AthenaGoldEngine({ athena, store: viaAthena, layout, database: 'gold', buildId: () => ids.shift() as string });
      const duckdbMonths = await build(viaDuckDb, testGoldEngine(viaDuckDb));
      const athenaMonths = await build(viaAthena, engine);

      expect(athenaMonths).toEqual(duckdbMonths);
      // The third run touched February: rebuilt from there, seeded from January's Gold.
      expect(duckdbMonths[2]?.[0]).toBe('2024-02');
      for (const which of [(l: LakeLayout) => l.gold.accountBalances, (l: LakeLayout) => l.gold.monthlyReports]) {
        const expected = await table(viaDuckDb, layout, which);
        expect(Object.keys(expected)).toContain('2026-01');
        expect(await table(viaAthena, layout, which)).toEqual(expected);
      }
      // Two rows of 99,999,999,999,999.99 on one account pass DECIMAL(16,2): Gold holds the exact sum.
      const march = (await table(viaDuckDb, layout, (l) => l.gold.accountBalances))['2024-03'];
      expect(march).toContainEqual(expect.stringContaining("'balance': 199999999999999.98"));

      expect(athena.statements.filter((sql) => sql.startsWith('UNLOAD'))).toHaveLength(2 * HISTORY.length);
      expect(athena.tables.size).toBe(0);
      expect((await viaAthena.list(layout.buckets.artifacts, GOLD_BUILD_PREFIX)).objects).toEqual([]);
      const files = (await readLatest(viaAthena, layout.gold.monthlyReports, { year: 2024, month: 4 }))?.value.files ?? [];
      expect(files).toEqual([expect.stringMatching(/\/current\/[^/]+-b2-00000\.parquet$/)]);
    } finally {
      await athena.close();
    }
  });

  it('reports a build DuckDB cannot do in one sentence naming the months, never its page of advice', async () => {
    const store = new MemoryObjectStore();
    const ref = { bucket: layout.buckets.silver, key: 'mortgages/transactions/year=2024/month=01/schema_v=v1/current/not-parquet.parquet' };
    await store.put(ref, 'this is not Parquet');

    const built = testGoldEngine(store).build({
      months: ['2024-01', '2024-02'],
      write: ['2024-01', '2024-02'],
      silver: new Map([['2024-01', [ref]]]),
      seed: [],
      target: (_table, month) => ({ bucket: layout.buckets.gold, key: `x/${month}.parquet` }),
    });

    await expect(built).rejects.toThrow(/^gold: DuckDB could not build Gold 2024-01 to 2024-02: [^\n]+$/);
  });
});
