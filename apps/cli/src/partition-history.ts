import { type PartitionHistory, versionAuthor } from '@ledgerlake/runbook';
import { formatAligned } from './summary';

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
