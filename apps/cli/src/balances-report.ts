import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, EXIT } from './cli-error';
import type { LocalLake } from './lake-folder';
import { queryLake } from './query';
import type { SqlResult } from './sql-engine';
import { formatSqlTable } from './sql-output';
import { REPO_ROOT } from './repo-root';

/** The report's SQL as it ships in the repository (sql/README.md); read at run time, never copied. */
export const BALANCES_REPORT_SQL = join(REPO_ROOT, 'sql/duckdb/reports/month-end-balances.sql');

/**
 * The month-end balance history (docs/contract/tables.md, "Reference report") for the months `from`..`to` (`YYYY-MM`,
 * inclusive): the shipped DuckDB report over published Silver. Rows: `acct`, `balance`
 * (DECIMAL(16,2), null before the account's first transaction), `month`, `currency`.
 */
export async function monthEndBalances(lake: LocalLake, from: string, to: string): Promise<SqlResult> {
  if (from > to) {
    throw new CliError(`--from ${from} is after --to ${to}: give the first month, then the last (e.g. --from 2024-01 --to 2024-03).`, EXIT.usage);
  }
  const sql = await readFile(BALANCES_REPORT_SQL, 'utf8').catch((error: unknown) => {
    throw new Error(`cli: cannot read the report SQL ${BALANCES_REPORT_SQL}: ${(error as Error).message}`);
  });
  return queryLake(lake, sql, [from, to]);
}

/** The report as a titled text table. */
export async function formatBalancesReport(result: SqlResult, from: string, to: string): Promise<string> {
  const title = `Month-end balances ${from} to ${to} (published Silver; balance NULL before an account's first transaction)\n`;
  if (result.rows.length === 0) return `${title}No account has a published transaction before the end of ${to}.\n`;
  return `${title}${await formatSqlTable(result)}`;
}
