import { describeVersions, parseMonthName, readPartitionVersions, type VersionEntry } from '@ledgerlake/lake';
import type { PublishedTableName } from '@ledgerlake/storage';
import type { Lake } from './lake';

/** What `partitions history YYYY-MM` prints. */
export interface PartitionHistory {
  readonly partition: string;
  readonly table: PublishedTableName;
  /** `null`: the month was never published. */
  readonly current_version: number | null;
  /** Newest first. */
  readonly versions: readonly VersionEntry[];
}

/** The Silver month's versions, newest first, as the lake records them. */
export async function partitionHistory(lake: Lake, partition: string): Promise<PartitionHistory> {
  const versions = describeVersions(await readPartitionVersions(lake.store, lake.layout.silver, parseMonthName(partition)));
  return { partition, table: 'silver.transactions', current_version: versions[0]?.version ?? null, versions };
}

/** Who a version names: the person who asked for it, else the pipeline. */
export function versionAuthor(entry: VersionEntry): string {
  return entry.by ?? 'pipeline';
}
