import { describeVersions, parseMonthName, readPartitionVersions, type VersionEntry } from '@ledgerlake/pipeline';
import type { PublishedTableName } from '@ledgerlake/storage';
import type { LocalLake } from './local-lake';
import { formatAligned } from './summary';

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
export async function partitionHistory(lake: LocalLake, partition: string): Promise<PartitionHistory> {
  const versions = describeVersions(await readPartitionVersions(lake.store, lake.layout.silver, parseMonthName(partition)));
  return { partition, table: 'silver.transactions', current_version: versions[0]?.version ?? null, versions };
}

/** Who a version names: the person who asked for it, else the pipeline. */
export function versionAuthor(entry: VersionEntry): string {
  return entry.by ?? 'pipeline';
}

/** The readable form: one line per version, newest first. */
export function formatPartitionHistory(history: PartitionHistory): string {
  const name = `${history.table} ${history.partition}`;
  if (history.current_version === null) return `${name} has never been published.\n`;
  const rows = history.versions.map((entry) => [
    String(entry.version),
    entry.kind,
    `${entry.run_id ?? '?'}${entry.restored_version === undefined ? '' : ` (v${entry.restored_version})`}`,
    `${entry.rows}${entry.late_condemned_rows === undefined ? '' : ` (${entry.late_condemned_rows} late rows condemned)`}`,
    versionAuthor(entry),
    entry.at,
    entry.reason ?? '-',
  ]);
  const count = history.versions.length;
  return (
    `${name}: ${count} version${count === 1 ? '' : 's'}, current version ${history.current_version}\n` +
    formatAligned(['VERSION', 'KIND', 'RUN', 'ROWS', 'BY', 'AT', 'REASON'], rows)
  );
}
