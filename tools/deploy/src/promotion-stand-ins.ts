import { type CatalogPartition, CatalogPartitionSchema, monthName, type PartitionCatalog } from '@ledgerlake/lake';
import { DEFAULT_QUALITY_POLICY, type GateLimits, parseRate } from '@ledgerlake/domain';
import { AthenaGoldEngine, type GoldEngine } from '@ledgerlake/promotion';
import { AthenaOnDuckDb } from '@ledgerlake/testing';
import type { LakeLayout, ObjectStore, PublishedTableName, YearMonth } from '@ledgerlake/storage';

/*
 * What promotion talks to in the cloud besides S3, as the access recording wires it
 * (`LocalWiring.thresholds`, `catalog`, `gold`). The catalog is Glue and the blocked-run event goes
 * to SNS: neither is an S3 access, so both are in memory — the lake's own catalog (`catalog/` in
 * the artifacts bucket) is the local stand-in and must not show up among the keys promotion's role
 * is granted. Gold is built as in the cloud, by the Athena engine: its statements run by DuckDB
 * standing in for Athena, whose reads and writes of the lake are made with the function's role
 * and recorded as promotion's.
 */

/**
 * The gate of the recorded runs. The fixture files hold a handful of rows, so one bad row is a
 * quarantine rate of 25 % or more: the limit is set where those runs pass and a run with half its
 * rows quarantined is blocked. The thresholds decide the verdict, not which keys are touched.
 */
export const RECORDING_GATE: GateLimits = { ...DEFAULT_QUALITY_POLICY.gate, promoteBelowQuarantineRate: parseRate('0.5') };

/** A catalog of published partitions in memory: what Glue holds in the cloud, with the same forward-only rule. */
export class MemoryPartitionCatalog implements PartitionCatalog {
  readonly partitions = new Map<string, CatalogPartition>();

  registerPartition(entry: CatalogPartition): Promise<void> {
    const valid = CatalogPartitionSchema.parse(entry);
    const key = `${valid.table}/${valid.partition}`;
    const registered = this.partitions.get(key);
    if (registered === undefined || registered.version < valid.version) this.partitions.set(key, valid);
    return Promise.resolve();
  }

  registeredVersion(table: PublishedTableName, month: YearMonth): Promise<number | undefined> {
    return Promise.resolve(this.partitions.get(`${table}/${monthName(month)}`)?.version);
  }
}

/**
 * Gold as the cloud builds it, for `LocalWiring.gold` (one run's): the Athena engine over
 * promotion's store, Athena's results in the artifacts bucket. Each engine's DuckDB is started at
 * its first statement; `close` stops them once the run has ended.
 */
export function athenaGold(layout: LakeLayout): { gold: (store: ObjectStore) => GoldEngine; close: () => Promise<void> } {
  const started: AthenaOnDuckDb[] = [];
  return {
    gold: (store) => {
      const athena = new AthenaOnDuckDb(store, { bucket: layout.buckets.artifacts, prefix: 'athena-results/' });
      started.push(athena);
      return new AthenaGoldEngine({ athena, store, layout, database: 'gold' });
    },
    close: async () => {
      await Promise.all(started.splice(0).map((athena) => athena.close()));
    },
  };
}
