import { CliError, EXIT } from './cli-error';
import type { LocalLake } from './lake-folder';
import { openLakeSql, SQL_TABLE_NAMES, SqlQueryError, type SqlResult } from './sql-engine';

/** Runs one SQL text over the lake's tables; a query DuckDB rejects is a `CliError` (exit 1) quoting DuckDB. */
export async function queryLake(lake: LocalLake, sql: string, params: readonly string[] = []): Promise<SqlResult> {
  if (sql.trim() === '') throw new CliError('The query is empty: pass the SQL as one argument, e.g. ledgerlake query "SELECT 1".', EXIT.usage);
  const engine = await openLakeSql(lake);
  try {
    return await engine.query(sql, params);
  } catch (error) {
    if (error instanceof SqlQueryError) throw new CliError(describeQueryError(error.message));
    throw error;
  } finally {
    engine.close();
  }
}

/** DuckDB's message as one sentence: its first paragraph (the LINE/caret excerpt after it is dropped). */
export function describeQueryError(message: string): string {
  const paragraph = message.split(/\n\s*\n/)[0] ?? message;
  const text = paragraph.replace(/\s*\n\s*/g, ' ').trim();
  const tables = /^Catalog Error/.test(text) ? ` (the tables are ${SQL_TABLE_NAMES.join(', ')})` : '';
  return `The query failed: ${text}${tables}`;
}
