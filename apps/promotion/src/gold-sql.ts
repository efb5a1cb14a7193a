import { GOLD_MONEY_PRECISION } from './gold-tables';

/*
 * Gold as SQL (docs/gold.md): one definition of both Gold tables, run by DuckDB in-process on a
 * laptop and by Athena in the cloud. The body below is written in the subset of SQL both engines
 * read the same way (no named windows, no `greatest` — its NULL rules differ —, counts cast back
 * to BIGINT); the dialect twins differ only in where the three input relations come from and in
 * how the result is written (DuckDB `COPY … TO`, Athena `UNLOAD … TO`).
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
 */

const MONEY = `DECIMAL(${GOLD_MONEY_PRECISION},2)`;

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

/** The rows of both tables over the three input relations (see above); a `SELECT` both dialects run as it is. */
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
positions AS (
  SELECT account_id, currency, min(month) AS first_month
  FROM (
    SELECT account_id, currency, month FROM activity
    UNION ALL
    SELECT account_id, currency, '0000-00' AS month FROM seed_rows
  ) known
  GROUP BY account_id, currency
),
grid AS (
  SELECT p.account_id, p.currency, m.month
  FROM positions p JOIN build_months m ON m.month >= p.first_month
),
running AS (
  SELECT g.account_id, g.currency, g.month,
         coalesce(a.month_tx_count, CAST(0 AS BIGINT)) AS month_tx_count,
         coalesce(a.credits, CAST(0 AS ${MONEY})) AS credits,
         coalesce(a.debits, CAST(0 AS ${MONEY})) AS debits,
         coalesce(a.net, CAST(0 AS ${MONEY})) AS net,
         sum(coalesce(a.net, CAST(0 AS ${MONEY}))) OVER (
           PARTITION BY g.account_id, g.currency ORDER BY g.month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS net_to_date,
         sum(coalesce(a.month_tx_count, CAST(0 AS BIGINT))) OVER (
           PARTITION BY g.account_id, g.currency ORDER BY g.month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS count_to_date,
         max(a.last_tx_date) OVER (
           PARTITION BY g.account_id, g.currency ORDER BY g.month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_to_date
  FROM grid g
  LEFT JOIN activity a ON a.account_id = g.account_id AND a.currency = g.currency AND a.month = g.month
),
gold_rows AS (
  SELECT r.account_id, r.currency, r.month,
         CAST(coalesce(s.balance, CAST(0 AS ${MONEY})) + r.net_to_date AS ${MONEY}) AS balance,
         CAST(coalesce(s.tx_count, CAST(0 AS BIGINT)) + r.count_to_date AS BIGINT) AS tx_count,
         CASE WHEN s.last_tx_date IS NULL THEN r.last_to_date
              WHEN r.last_to_date IS NULL OR r.last_to_date <= s.last_tx_date THEN s.last_tx_date
              ELSE r.last_to_date END AS last_tx_date,
         r.month_tx_count, r.credits, r.debits, r.net
  FROM running r
  LEFT JOIN seed_rows s ON s.account_id = r.account_id AND s.currency = r.currency
)`;

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** `build_months` as a `VALUES` list (both dialects). */
export function buildMonthsSql(months: readonly string[]): string {
  if (months.length === 0) throw new RangeError('gold: no months to build');
  return `build_months(month) AS (VALUES ${months.map((month) => `(${sqlString(month)})`).join(', ')})`;
}
