import { TransientStorageError } from '@ledgerlake/domain';
import { monthName, type PartitionCatalog, readLatest } from '@ledgerlake/lake';
import type { ObjectStore, PublishedTableLayout, PublishedTableName, YearMonth } from '@ledgerlake/storage';

const MAX_ROUNDS = 10;

/**
 * Brings the catalog's entry for a partition up to the version `_LATEST.json` names now, and
 * returns that version (`undefined`: never published). Registers what the commit point says, not
 * what the caller committed, and checks again afterwards: when two promotions race, whichever
 * registers last re-reads and moves the entry to the newest version, so the catalog never stays
 * behind. It only ever points at a committed version's manifest.
 */
export async function syncCatalog(
  store: ObjectStore,
  catalog: PartitionCatalog,
  table: PublishedTableName,
  layout: PublishedTableLayout,
  month: YearMonth,
  now: () => Date,
): Promise<number | undefined> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const latest = await readLatest(store, layout, month);
    if (latest === undefined) return undefined;
    const registered = await catalog.registeredVersion(table, month);
    if (registered !== undefined && registered >= latest.value.version) return latest.value.version;
    const { version, run_id } = latest.value;
    await catalog.registerPartition({
      table,
      partition: monthName(month),
      values: layout.partitionValues(month),
      location: layout.manifestPrefix(month, version, run_id),
      version,
      run_id,
      registered_at: now().toISOString(),
    });
  }
  throw new TransientStorageError(`catalog: ${table} ${monthName(month)} kept moving over ${MAX_ROUNDS} registrations`);
}
