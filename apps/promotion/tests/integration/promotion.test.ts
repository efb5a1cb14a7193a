import { RUN_BLOCKED_DETAIL_TYPE, RunBlockedError, type RunBlockedEvent } from '@ledgerlake/domain';
import { readLatest, readVersion } from '@ledgerlake/lake';
import { readLedgerEntry, readRunRecord } from '@ledgerlake/ledgers';
import { createLakeLayout, localBuckets, MemoryObjectStore, type PublishedTableLayout } from '@ledgerlake/storage';
import { openParquetScratch, type ParquetScratch } from '@ledgerlake/testing';
import { beginPromotion, commitPromotion, completePromotion, promoteRun, refreshGold, restorePartition, runPromotionStep } from '../../src';
import { promotionDeps, SECTION_6, type Tx, writeRunOutput } from '../support/run-output';

const layout = createLakeLayout(localBuckets());
const JAN = { year: 2024, month: 1 };
const MARCH = new Date('2024-04-01T00:00:00Z');
let store: MemoryObjectStore;
let scratch: ParquetScratch;

beforeAll(async () => {
  scratch = await openParquetScratch();
});
afterAll(async () => {
  await scratch.close();
});
beforeEach(() => {
  store = new MemoryObjectStore();
});

let runs = 0;
async function published(txs: readonly Tx[], options: { mode?: 'backfill'; backfillMonth?: string } = {}) {
  runs += 1;
  const started = new Date(MARCH.getTime() + runs * 60_000);
  const { runId } = await writeRunOutput(store, layout, txs, { started, suffix: `r${String(runs).padStart(5, '0')}`, ...options });
  const deps = promotionDeps(store, layout, started);
  const promotion = await promoteRun(runId, deps);
  if (promotion.gold_from !== undefined) {
    await refreshGold(promotion.gold_from, { ...deps, runId, executionArn: `arn:aws:states:local:000000000000:execution:ledgerlake:${runId}`, now: () => started });
  }
  return { runId, promotion };
}

/** The rows of a Gold month as a reader sees them: the objects `_LATEST.json` lists, read by DuckDB. */
async function goldRows(table: PublishedTableLayout, month: string, columns: string): Promise<Record<string, unknown>[]> {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  const latest = await readLatest(store, table, { year, month: mm });
  if (latest === undefined || latest.value.files.length === 0) return [];
  const paths = await scratch.copyFrom(store, latest.value.files.map((key) => ({ bucket: 'gold', key })));
  const list = paths.map((path) => `'${path}'`).join(', ');
  return scratch.query(`SELECT ${columns} FROM read_parquet([${list}]) ORDER BY account_id, currency`);
}

const balances = (month: string) =>
  goldRows(layout.gold.accountBalances, month, 'account_id, currency, balance::VARCHAR AS balance, tx_count::INTEGER AS tx_count, last_tx_date::VARCHAR AS last');

describe('promotion and Gold on the reference example of docs/contract/tables.md', () => {
  it('gives ACC001 326.00 every month and ACC002 no row in January, then -25.50 and -125.50', async () => {
    await published(SECTION_6);

    expect(await balances('2024-01')).toEqual([
      { account_id: 'ACC001', currency: 'EUR', balance: '326.00', tx_count: 2, last: '2024-01-20 09:00:00+00' },
    ]);
    expect((await balances('2024-02')).map((row) => [row['account_id'], row['balance']])).toEqual([
      ['ACC001', '326.00'],
      ['ACC002', '-25.50'],
    ]);
    expect((await balances('2024-03')).map((row) => [row['account_id'], row['balance'], row['tx_count']])).toEqual([
      ['ACC001', '326.00', 6],
      ['ACC002', '-125.50', 2],
    ]);
  });

  it('reports each month\'s activity with debits as a positive sum', async () => {
    await published(SECTION_6);

    const february = await goldRows(
      layout.gold.monthlyReports,
      '2024-02',
      'account_id, tx_count::INTEGER AS n, credits::VARCHAR AS credits, debits::VARCHAR AS debits, net::VARCHAR AS net, closing_balance::VARCHAR AS closing',
    );

    expect(february).toEqual([
      { account_id: 'ACC001', n: 2, credits: '100.00', debits: '100.00', net: '0.00', closing: '326.00' },
      { account_id: 'ACC002', n: 1, credits: '0.00', debits: '25.50', net: '-25.50', closing: '-25.50' },
    ]);
  });

  it('moves every later month when a late transaction for January arrives', async () => {
    await published(SECTION_6);
    await published([{ id: 9, account: 'ACC002', amount: '10.00', at: '2024-01-15T12:00:00Z' }]);

    const byMonth = async (month: string) => (await balances(month)).map((row) => [row['account_id'], row['balance']]);
    expect(await byMonth('2024-01')).toEqual([['ACC001', '326.00'], ['ACC002', '10.00']]);
    expect(await byMonth('2024-02')).toEqual([['ACC001', '326.00'], ['ACC002', '-15.50']]);
    expect(await byMonth('2024-03')).toEqual([['ACC001', '326.00'], ['ACC002', '-115.50']]);
    const january = await readLatest(store, layout.silver, JAN);
    expect(january?.value).toMatchObject({ version: 2, action: 'append', counts: { rows: 3, files: 2 } });
  });

  it('keeps balances per currency', async () => {
    await published([
      { id: 1, account: 'ACC001', amount: '1.00', at: '2024-01-05T09:00:00Z' },
      { id: 2, account: 'ACC001', amount: '2.00', at: '2024-01-06T09:00:00Z', currency: 'USD' },
      { id: 3, account: 'ACC001', amount: '4.00', at: '2024-02-06T09:00:00Z', currency: 'USD' },
    ]);

    expect((await balances('2024-02')).map((row) => [row['currency'], row['balance']])).toEqual([
      ['EUR', '1.00'],
      ['USD', '6.00'],
    ]);
  });
});

describe('publishing', () => {
  it('publishes exactly the run files, copied into current/, with the manifest listing them', async () => {
    const { runId } = await published(SECTION_6.slice(0, 2));

    const latest = await readLatest(store, layout.silver, JAN);
    const currentKey = layout.silver.currentObject(JAN, `${runId}-part-00000.parquet`).key;
    expect(latest?.value).toMatchObject({ table: 'silver.transactions', partition: '2024-01', version: 1, run_id: runId, files: [currentKey] });
    const manifest = latest?.value.manifest ?? layout.silver.manifest(JAN, 1, runId);
    expect(Buffer.from((await store.getBytes(manifest)) ?? []).toString()).toBe(`s3://silver/${currentKey}\n`);
    expect(await readVersion(store, layout.silver, JAN, 1)).toEqual(latest?.value);
    expect(await store.getBytes({ bucket: 'silver', key: currentKey })).toEqual(
      await store.getBytes(layout.silver.runPart(JAN, runId, 0)),
    );
  });

  it('commits nothing twice when the same run is promoted again', async () => {
    const { runId } = await published(SECTION_6);
    const before = await readLatest(store, layout.silver, JAN);

    const again = await promoteRun(runId, promotionDeps(store, layout));

    expect(again.partitions.map((p) => [p.partition, p.version, p.committed])).toEqual([
      ['2024-01', 1, false],
      ['2024-02', 1, false],
      ['2024-03', 1, false],
    ]);
    expect((await readLatest(store, layout.silver, JAN))?.etag).toBe(before?.etag);
  });

  it('marks the file processed and records the run as PUBLISHED with its partition versions', async () => {
    const { runId } = await published(SECTION_6);

    const record = await readRunRecord(store, layout, runId);
    expect(record).toMatchObject({
      status: 'PUBLISHED',
      counts: { input_rows: 8, valid_rows: 8 },
      partitions: [
        { partition: '2024-01', version: 1, rows: 2 },
        { partition: '2024-02', version: 1, rows: 3 },
        { partition: '2024-03', version: 1, rows: 3 },
      ],
    });
  });

  it('replaces the backfilled month and adds to the others', async () => {
    await published(SECTION_6);
    const { runId } = await published(
      [
        { id: 1, account: 'ACC001', amount: '300.00', at: '2024-01-05T09:00:00Z' },
        { id: 20, account: 'ACC003', amount: '1.00', at: '2024-02-01T00:00:00Z' },
      ],
      { mode: 'backfill', backfillMonth: '2024-01' },
    );

    expect((await readLatest(store, layout.silver, JAN))?.value).toMatchObject({ version: 2, action: 'replace', runs: [{ run_id: runId }] });
    expect((await readLatest(store, layout.silver, { year: 2024, month: 2 }))?.value).toMatchObject({ version: 2, action: 'append' });
    expect((await balances('2024-03')).map((row) => [row['account_id'], row['balance']])).toEqual([
      ['ACC001', '300.00'],
      ['ACC002', '-125.50'],
      ['ACC003', '1.00'],
    ]);
  });

  it('completing a backfill\'s promotion again keeps what other runs appended to its month since', async () => {
    const started = new Date(MARCH.getTime() + 99 * 60_000);
    const backfill = await writeRunOutput(store, layout, [{ id: 1, account: 'ACC001', amount: '300.00', at: '2024-01-05T09:00:00Z' }], {
      started,
      suffix: 'bfill1',
      mode: 'backfill',
      backfillMonth: '2024-01',
    });
    const deps = promotionDeps(store, layout, started);
    // Promote committed the backfill; before RefreshGold completes it, another run appends to January.
    const intent = await beginPromotion(backfill.runId, deps);
    await commitPromotion(intent, deps);
    const { runId: later } = await published([{ id: 7, account: 'ACC007', amount: '7.00', at: '2024-01-20T09:00:00Z' }]);

    await completePromotion(intent, deps);

    expect((await readLatest(store, layout.silver, JAN))?.value.runs.map((run) => run.run_id)).toEqual([backfill.runId, later]);
  });

  it('refuses a run without _SUCCESS in a month it wrote', async () => {
    const { runId } = await writeRunOutput(store, layout, SECTION_6.slice(0, 1), { started: MARCH, suffix: 'nosucc' });
    await store.delete(layout.silver.runSuccess(JAN, runId));

    await expect(promoteRun(runId, promotionDeps(store, layout))).rejects.toThrow(`run ${runId} has no _SUCCESS in 2024-01`);
    expect(await readLatest(store, layout.silver, JAN)).toBeUndefined();
  });
});

describe('the gate and the blocked path', () => {
  it('never publishes a run the gate blocks, whoever asks', async () => {
    const { runId } = await writeRunOutput(store, layout, SECTION_6, { started: MARCH, suffix: 'blockd', quarantined: 2 });

    await expect(promoteRun(runId, promotionDeps(store, layout))).rejects.toBeInstanceOf(RunBlockedError);
    expect(await readLatest(store, layout.silver, JAN)).toBeUndefined();
    expect(await store.head(layout.silver.currentObject(JAN, `${runId}-part-00000.parquet`))).toBeUndefined();
  });

  it('records a blocked run, releases its file and publishes the event', async () => {
    const { runId, run, manifest } = await writeRunOutput(store, layout, SECTION_6, { started: MARCH, suffix: 'blockd', condemned: 100 });
    const events: RunBlockedEvent[] = [];
    const deps = { ...promotionDeps(store, layout), publish: async (event: RunBlockedEvent) => void events.push(event) };

    const file = { source_file_id: 's3://bronze/q1.csv#etag' };
    const gate = await runPromotionStep({ action: 'evaluate-gate', run, ...file }, deps);
    const blocked = await runPromotionStep({ action: 'record-blocked', run, gate, ...file }, deps);

    expect(gate).toMatchObject({ decision: 'BLOCKED', reasons: ['100 condemned rows is not below the limit of 100'] });
    expect(blocked).toEqual({ status: 'BLOCKED', reasons: ['100 condemned rows is not below the limit of 100'], claim_released: true });
    expect(await readRunRecord(store, layout, runId)).toMatchObject({
      status: 'BLOCKED',
      reasons: ['100 condemned rows is not below the limit of 100'],
    });
    expect((await readLedgerEntry(store, layout, manifest.content_sha256))?.status).toBe('released');
    expect(events).toEqual([
      expect.objectContaining({
        'detail-type': RUN_BLOCKED_DETAIL_TYPE,
        detail: expect.objectContaining({ run_id: runId, counts: manifest.counts, reasons: ['100 condemned rows is not below the limit of 100'] }),
      }),
    ]);
    expect(await readLatest(store, layout.silver, JAN)).toBeUndefined();
  });
});

describe('rolling a partition back', () => {
  const requested = { by: 'alice', reason: 'the late file was wrong' };
  const actor = { runId: '20240402T000000Z-rollbk', executionArn: 'local:rollback', requested };

  it('restores the month as it was right after the earlier run was promoted, as a new version naming who asked and why', async () => {
    const first = await published(SECTION_6.slice(0, 2));
    await published([{ id: 9, account: 'ACC002', amount: '10.00', at: '2024-01-15T12:00:00Z' }]);

    const restored = await restorePartition(first.runId, JAN, actor, promotionDeps(store, layout));

    expect(restored).toEqual({ partition: '2024-01', action: 'rollback', version: 3, committed: true, restored_version: 1, rows: 2 });
    const latest = await readLatest(store, layout.silver, JAN);
    expect(latest?.value).toMatchObject({
      action: 'rollback',
      run_id: actor.runId,
      requested,
      restored_version: 1,
      restored_run_id: first.runId,
      runs: [{ run_id: first.runId }],
    });
    expect(latest?.value.files).toEqual((await readVersion(store, layout.silver, JAN, 1))?.files);
    expect(await readVersion(store, layout.silver, JAN, 3)).toEqual(latest?.value);
  });

  it('commits nothing when the month already shows that state', async () => {
    const first = await published(SECTION_6.slice(0, 2));
    await published([{ id: 9, account: 'ACC002', amount: '10.00', at: '2024-01-15T12:00:00Z' }]);
    await restorePartition(first.runId, JAN, actor, promotionDeps(store, layout));
    const before = await readLatest(store, layout.silver, JAN);

    const again = await restorePartition(first.runId, JAN, { ...actor, runId: '20240403T000000Z-again1' }, promotionDeps(store, layout));

    expect(again).toEqual({ partition: '2024-01', action: 'rollback', version: 3, committed: false, restored_version: 1, rows: 2 });
    expect((await readLatest(store, layout.silver, JAN))?.etag).toBe(before?.etag);
    expect(await readVersion(store, layout.silver, JAN, 4)).toBeUndefined();
  });

  it('promotes a run never promoted into the month, through the gate, recording who asked and why', async () => {
    const { runId } = await writeRunOutput(store, layout, SECTION_6.slice(0, 1), { started: MARCH, suffix: 'unprom' });

    const restored = await restorePartition(runId, JAN, actor, promotionDeps(store, layout));

    expect(restored).toEqual({ partition: '2024-01', action: 'promote', version: 1, committed: true, rows: 1 });
    expect((await readLatest(store, layout.silver, JAN))?.value).toMatchObject({ action: 'append', run_id: runId, requested });
  });

  it('refuses a month the run never wrote', async () => {
    const { runId } = await writeRunOutput(store, layout, SECTION_6.slice(0, 1), { started: MARCH, suffix: 'unprom' });

    await expect(
      restorePartition(runId, { year: 2024, month: 5 }, { ...actor, runId }, promotionDeps(store, layout)),
    ).rejects.toThrow(`run ${runId} wrote no rows for 2024-05`);
  });
});
