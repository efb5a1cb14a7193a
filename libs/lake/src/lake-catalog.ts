import { DATASETS, RunIdSchema, YearMonthSchema } from '@ledgerlake/domain';
import {
  type LakeLayout,
  listAll,
  type ObjectStore,
  isSilverTable,
  PUBLISHED_TABLE_NAME_PATTERN,
  type PublishedTableName,
  silverPartitionValues,
  type YearMonth,
  parseJson,
  readVersionedJson,
  updateJson,
} from '@ledgerlake/storage';
import { z } from 'zod';
import { monthName, parseMonthName } from './published-partition';

/*
 * The catalog of published partitions: where a SQL engine finds each partition's rows. In the
 * cloud it is the Glue Data Catalog (Athena reads it); on a laptop it is `catalog/<table>/<month>.json`
 * in the lake (the local engine reads it). Promotion registers a partition after committing its
 * `_LATEST.json`, pointing at that version's symlink manifest folder: a catalog only ever points at
 * a complete, committed version, and moves forward only (a lower version never replaces a higher).
 */

/** One registered partition. */
export const CatalogPartitionSchema = z.object({
  table: z.string().regex(PUBLISHED_TABLE_NAME_PATTERN, 'expected silver.<name> or gold.<name>'),
  partition: YearMonthSchema,
  /** The partition column values in table order (Silver `year, month, schema_v`; Gold the month). */
  values: z.array(z.string().min(1)).min(1),
  /** The folder holding the version's symlink manifest. */
  location: z.object({ bucket: z.string().min(1), prefix: z.string().endsWith('/') }),
  version: z.number().int().positive(),
  run_id: RunIdSchema,
  registered_at: z.iso.datetime(),
});
/** One registered partition. */
export type CatalogPartition = z.infer<typeof CatalogPartitionSchema>;

/** The port promotion registers partitions through (Glue in the cloud, the lake locally). */
export interface PartitionCatalog {
  /** Registers or moves the partition forward to `entry.version`; an entry at a higher version is kept. */
  registerPartition(entry: CatalogPartition): Promise<void>;
  /** The version registered for a partition, `undefined` when none. */
  registeredVersion(table: PublishedTableName, month: YearMonth): Promise<number | undefined>;
}

/**
 * The partition column values of a shipped table's month, as Glue and hive paths name them: a
 * Silver table's those of its dataset in `DATASETS` (the cloud's catalog holds the shipped
 * datasets' tables only). Within a lake, `PublishedTableLayout.partitionValues` says the same.
 */
export function partitionValues(table: PublishedTableName, month: YearMonth): string[] {
  if (isSilverTable(table)) {
    const dataset = [...DATASETS.values()].find((spec) => spec.silver.table === table);
    if (dataset === undefined) throw new RangeError(`catalog: ${table} is no shipped dataset's Silver table`);
    return silverPartitionValues(month, dataset.schemaVersion);
  }
  return [monthName(month)];
}

const MAX_CONFLICTS = 20;
const CATALOG_PARTITION = 'catalog partition';

/** The lake's own catalog: one JSON object per table partition in the artifacts bucket. */
export class LakeCatalog implements PartitionCatalog {
  constructor(
    private readonly store: ObjectStore,
    private readonly layout: LakeLayout,
  ) {}

  async registerPartition(entry: CatalogPartition): Promise<void> {
    const valid = CatalogPartitionSchema.parse(entry);
    const ref = this.layout.control.catalogPartition(valid.table, parseMonthName(valid.partition));
    await updateJson(
      this.store,
      ref,
      CatalogPartitionSchema,
      CATALOG_PARTITION,
      (existing) => (existing !== undefined && existing.version >= valid.version ? { result: undefined } : { write: valid, result: undefined }),
      MAX_CONFLICTS,
    );
  }

  async registeredVersion(table: PublishedTableName, month: YearMonth): Promise<number | undefined> {
    const ref = this.layout.control.catalogPartition(table, month);
    return (await readVersionedJson(this.store, ref, CatalogPartitionSchema, CATALOG_PARTITION))?.value.version;
  }
}

/** Every partition the lake catalog registers for a table, by month. */
export async function readLakeCatalog(
  store: ObjectStore,
  layout: LakeLayout,
  table: PublishedTableName,
): Promise<CatalogPartition[]> {
  const { bucket, prefix } = layout.control.catalogTablePrefix(table);
  const entries: CatalogPartition[] = [];
  for await (const object of listAll(store, bucket, prefix)) {
    if (!object.key.endsWith('.json')) continue;
    const ref = { bucket, key: object.key };
    const bytes = await store.getBytes(ref);
    if (bytes !== undefined) entries.push(parseJson(bytes, ref, CatalogPartitionSchema, CATALOG_PARTITION));
  }
  return entries.sort((a, b) => (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0));
}
