import type { ListedRow } from '@ledgerlake/runbook';

/** The readable table of listed rows. */
export function formatRows(rows: readonly ListedRow<string>[], byCode: Record<string, number>, what: string): string {
  if (rows.length === 0) return `No ${what}.\n`;
  const lines = rows.map((row) => {
    const fields = Object.values(row.fields).map((value) => value ?? '∅').join(',');
    const retry = row.retry_run_id === undefined ? '' : ` (retry ${row.retry_run_id})`;
    const decided = row.decision === undefined ? '' : ` (by ${row.decision.by} at ${row.decision.at})`;
    return (
      `${row.status.padEnd(13)} ${row.run_id}  line ${row.source_line}  attempt ${row.attempt_count}  ${row.row_hash.slice(0, 12)}  ` +
      `${row.validation_error}: ${row.error_detail}${retry}${decided}\n${' '.repeat(14)}${fields}`
    );
  });
  const counts = Object.entries(byCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  return `${lines.join('\n')}\n${rows.length} ${what}: ${counts}\n`;
}
