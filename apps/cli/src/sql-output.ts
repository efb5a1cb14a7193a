import { visibleText } from '@ledgerlake/domain';
import type { SqlResult, SqlValue } from './sql-engine';

/*
 * How query results print. `--json`: one JSON array of row objects, exact (see sql-engine
 * `toJsonValue`). Otherwise: an aligned text table, numbers right-aligned, NULL spelled out.
 */

const NUMERIC_TYPE = /^(DECIMAL|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE)\b/;

/** The rows as one JSON array (pretty-printed, newline-terminated). */
export function formatSqlJson(result: SqlResult): string {
  return `${JSON.stringify(result.rows, null, 2)}\n`;
}

/** The rows as an aligned text table with a header, and a row count under it. */
export function formatSqlTable(result: SqlResult): string {
  const { columns, rows } = result;
  if (columns.length === 0) return '';
  const cells = rows.map((row) => columns.map((column) => displayValue(row[column.name] ?? null)));
  // A fold, not Math.max(...cells): a result of any size (spread arguments overflow the stack).
  const widths = columns.map((column, index) =>
    cells.reduce((widest, row) => Math.max(widest, (row[index] as string).length), column.name.length),
  );
  const numeric = columns.map((column) => NUMERIC_TYPE.test(column.type));
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => (numeric[index] ? value.padStart(widths[index] as number) : value.padEnd(widths[index] as number)))
      .join('  ')
      .trimEnd();
  const header = line(columns.map((column) => column.name));
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const body = cells.map(line);
  const count = `(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`;
  return `${[header, rule, ...body, count].join('\n')}\n`;
}

function displayValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return visibleText(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
