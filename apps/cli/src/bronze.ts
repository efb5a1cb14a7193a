import { type BronzeObject, formatIgnored } from '@ledgerlake/runbook';

/** `bronze list` as a table. */
export function formatBronzeObjects(objects: readonly BronzeObject[]): string {
  if (objects.length === 0) return 'Bronze is empty (ingest a file with `ledgerlake ingest FILE`).\n';
  const rows = objects.map((object) => [
    object.state,
    object.key,
    object.last_run === null ? '-' : `${object.last_run.run_id} ${object.last_run.status}`,
    object.ignored !== undefined
      ? formatIgnored(object.ignored)
      : object.state === 'BLOCKED' || object.state === 'FAILED'
        ? `run again only on request: ledgerlake runs rerun ${object.last_run?.run_id ?? 'RUN_ID'}`
        : object.state === 'PENDING'
          ? 'runs at the next watch scan'
          : '',
  ]);
  const header = ['STATE', 'KEY', 'LAST RUN', 'NOTE'];
  const widths = header.map((title, column) => rows.reduce((widest, row) => Math.max(widest, (row[column] ?? '').length), title.length));
  return [header, ...rows]
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd())
    .join('\n')
    .concat('\n');
}
