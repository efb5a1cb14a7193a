import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CatalogPartition, type PartitionCatalog } from '@ledgerlake/lake';
import { readRunRecord } from '@ledgerlake/ledgers';
import { createLakeLayout, listAll, MemoryObjectStore, type ObjectStore, stageBuckets } from '@ledgerlake/storage';
import { runBronzeObject } from '../../src/ingest';
import type { LocalLake } from '../../src/lake-folder';
import { localDefinition, localGoldEngine } from '../../src/local-lake';

/*
 * A LocalLake that is not a lake folder: a stage's buckets in memory, as tools/deploy records the
 * functions' S3 accesses on. The wiring's hooks stand in for the cloud's services: the catalog
 * (Glue), the Gold engine (Athena), the functions' clock.
 */

const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';

describe("a lake of a stage's buckets in memory", () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ledgerlake-stage-lake-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("runs the definition with the wiring's catalog, Gold engine and clock, and never writes the lake's own catalog", async () => {
    const layout = createLakeLayout(stageBuckets('ledgerlake-test'));
    const lake: LocalLake = { root, store: new MemoryObjectStore(), layout };
    const registered = new Map<string, CatalogPartition>();
    const catalog: PartitionCatalog = {
      registerPartition: async (entry) => void registered.set(`${entry.table} ${entry.partition}`, entry),
      registeredVersion: async (table, month) => registered.get(`${table} ${month.year}-${String(month.month).padStart(2, '0')}`)?.version,
    };
    const goldStores: ObjectStore[] = [];
    const clock = new Date('2031-03-04T05:06:07.000Z');
    const source = layout.bronze.file('2031-03-04', 'q1.csv');
    await lake.store.put(source, `${HEADER}\n1,ACC001,300.00,EUR,2024-01-05T09:00:00Z\n2,ACC001,26.00,EUR,2024-02-10T09:00:00Z\n`);

    const outcome = await runBronzeObject(lake, source, source.key, {
      definition: localDefinition(),
      now: () => new Date(),
      wiring: {
        now: () => clock,
        catalog,
        gold: (store) => {
          goldStores.push(store);
          return localGoldEngine(lake, store);
        },
      },
    });

    expect(outcome).toMatchObject({ status: 'PUBLISHED', partitions: [{ partition: '2024-01' }, { partition: '2024-02' }] });
    expect(goldStores).toHaveLength(1);
    expect([...registered.keys()]).toEqual(
      expect.arrayContaining(['silver.transactions 2024-01', 'silver.transactions 2024-02', 'gold.account_balances 2024-02', 'gold.monthly_reports 2024-02']),
    );
    expect([...registered.values()].every((entry) => entry.registered_at === clock.toISOString())).toBe(true);
    const lakeCatalog: string[] = [];
    for await (const meta of listAll(lake.store, layout.buckets.artifacts, 'catalog/')) lakeCatalog.push(meta.key);
    expect(lakeCatalog).toEqual([]);
    expect(await readRunRecord(lake.store, layout, outcome.run_id)).toMatchObject({ status: 'PUBLISHED', published_at: clock.toISOString() });
  });
});
