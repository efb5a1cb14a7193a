import { DECIMAL_PRECISION, DECIMAL_SCALE } from '@ledgerlake/domain';
import { GOLD_MONEY_PRECISION } from './gold-tables';

/*
 * Gold as SQL (docs/gold.md): one definition of both Gold tables, run by DuckDB in-process on a
 * laptop and by Athena in the cloud. The body below is written in the subset of SQL both engines
 * read the same way; the dialect twins differ only in where the three input relations come from
 * and in how the result is written (DuckDB `COPY … TO`, Athena `UNLOAD … TO`).
 *
 * Inputs, as relations the dialect defines in front of the body:
 * - `silver_rows(account_id, currency, amount, tx_date, month)`: the published Silver rows of the
 *   months rebuilt, `month` the partition's `YYYY-MM`;
 * - `seed_rows(account_id, currency, balance, tx_count, last_tx_date)`: Gold's balances at the end
 *   of the month before the first rebuilt month (no rows when the rebuild starts from the first
 *   Silver month);
 * - `build_months(month)`: the Gold months to compute, `YYYY-MM`, every data month among them.
 *
 * Output `gold_rows`: per account, currency and built month from the position's first month on,
 * the carried-forward position (`balance`, `tx_count`, `last_tx_date`) and that month's activity
 * (`month_tx_count`, `credits`, `debits`, `net`).
 *
 * Portable on purpose: no named windows, no `greatest` (its NULL rules differ), no ASOF join
 * (DuckDB only), counts cast back to BIGINT (DuckDB sums BIGINT as HUGEINT).
 */

const MONEY = `DECIMAL(${GOLD_MONEY_PRECISION},2)`;

/** A column of an input relation and its type in each dialect. */
export interface GoldInputColumn {
  readonly name: string;
  readonly duckdb: string;
  readonly athena: string;
}

/** `silver_rows` without its `month` (a partition in Athena, the transaction's UTC month in DuckDB). */
export const SILVER_ROWS_COLUMNS: readonly GoldInputColumn[] = [
  { name: 'account_id', duckdb: 'VARCHAR', athena: 'string' },
  { name: 'currency', duckdb: 'VARCHAR', athena: 'string' },
  { name: 'amount', duckdb: `DECIMAL(${DECIMAL_PRECISION},${DECIMAL_SCALE})`, athena: `decimal(${DECIMAL_PRECISION},${DECIMAL_SCALE})` },
  { name: 'tx_date', duckdb: 'TIMESTAMPTZ', athena: 'timestamp' },
];

/** `seed_rows`: Gold `account_balances` columns. */
export const SEED_ROWS_COLUMNS: readonly GoldInputColumn[] = [
  { name: 'account_id', duckdb: 'VARCHAR', athena: 'string' },
  { name: 'currency', duckdb: 'VARCHAR', athena: 'string' },
  { name: 'balance', duckdb: MONEY, athena: MONEY.toLowerCase() },
  { name: 'tx_count', duckdb: 'BIGINT', athena: 'bigint' },
  { name: 'last_tx_date', duckdb: 'TIMESTAMPTZ', athena: 'timestamp' },
];

/** The column names, comma-separated. */
export function columnList(columns: readonly GoldInputColumn[]): string {
  return columns.map((column) => column.name).join(', ');
}

/** The two Gold tables by name, each with its column list over `gold_rows` and its partition column. */
export const GOLD_SQL_TABLES = {
  'gold.account_balances': {
    partitionColumn: 'as_of_month',
    columns: 'account_id, currency, balance, tx_count, last_tx_date',
  },
  'gold.monthly_reports': {
    partitionColumn: 'month',
    columns: 'account_id, currency, month_tx_count AS tx_count, credits, debits, net, balance AS closing_balance',
  },
} as const;

export type GoldSqlTable = keyof typeof GOLD_SQL_TABLES;

/**
 * The rows of both tables over the three input relations (see above); a `SELECT` both dialects run
 * as it is. Each position's *steps* are its seed (month `0000-00`, before every built month) and
 * each month with activity; running sums over the steps give the position after each step, and a
 * step holds for every built month from its own up to the position's next step — so the work is
 * proportional to the Silver rows and the rows written, never a grid of every position × month
 * joined back to the activity.
 */
export const GOLD_ROWS_SQL = `
activity AS (
  SELECT account_id, currency, month,
         CAST(count(*) AS BIGINT) AS month_tx_count,
         CAST(coalesce(sum(CASE WHEN amount > 0 THEN amount END), 0) AS ${MONEY}) AS credits,
         CAST(coalesce(-sum(CASE WHEN amount < 0 THEN amount END), 0) AS ${MONEY}) AS debits,
         CAST(sum(amount) AS ${MONEY}) AS net,
         max(tx_date) AS last_tx_date
  FROM silver_rows
  GROUP BY account_id, currency, month
),
steps AS (
  SELECT account_id, currency, month, month_tx_count, credits, debits, net,
         net AS balance_change, month_tx_count AS count_change, last_tx_date
  FROM activity
  UNION ALL
  SELECT account_id, currency, '0000-00' AS month, CAST(0 AS BIGINT) AS month_tx_count,
         CAST(0 AS ${MONEY}) AS credits, CAST(0 AS ${MONEY}) AS debits, CAST(0 AS ${MONEY}) AS net,
         CAST(balance AS ${MONEY}) AS balance_change, CAST(tx_count AS BIGINT) AS count_change, last_tx_date
  FROM seed_rows
),
running AS (
  SELECT account_id, currency, month, month_tx_count, credits, debits, net,
         sum(balance_change) OVER (
           PARTITION BY account_id, currency ORDER BY month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS balance,
         sum(count_change) OVER (
           PARTITION BY account_id, currency ORDER BY month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS tx_count,
         max(last_tx_date) OVER (
           PARTITION BY account_id, currency ORDER BY month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_tx_date,
         lead(month) OVER (PARTITION BY account_id, currency ORDER BY month) AS next_month
  FROM steps
),
gold_rows AS (
  SELECT r.account_id, r.currency, m.month,
         CAST(r.balance AS ${MONEY}) AS balance,
         CAST(r.tx_count AS BIGINT) AS tx_count,
         r.last_tx_date,
         CASE WHEN m.month = r.month THEN r.month_tx_count ELSE CAST(0 AS BIGINT) END AS month_tx_count,
         CASE WHEN m.month = r.month THEN r.credits ELSE CAST(0 AS ${MONEY}) END AS credits,
         CASE WHEN m.month = r.month THEN r.debits ELSE CAST(0 AS ${MONEY}) END AS debits,
         CASE WHEN m.month = r.month THEN r.net ELSE CAST(0 AS ${MONEY}) END AS net
  FROM running r
  JOIN build_months m ON m.month >= r.month AND (r.next_month IS NULL OR m.month < r.next_month)
)`;

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The whole query of a build, both dialects: `silver` and `seed` are the dialect's `SELECT`s of
 * the two input relations; the rows of the months in `write` (computed over all of `months`).
 */
export function goldRowsQuery(input: { silver: string; seed: string; months: readonly string[]; write: readonly string[] }): string {
  if (input.months.length === 0) throw new RangeError('gold: no months to build');
  const months = input.months.map((month) => `(${sqlString(month)})`).join(', ');
  return `WITH silver_rows AS (${input.silver}),
seed_rows AS (${input.seed}),
build_months(month) AS (VALUES ${months}),
${GOLD_ROWS_SQL}
SELECT * FROM gold_rows WHERE month IN (${input.write.map(sqlString).join(', ')})`;
}
