-- Month-end balance history (docs/contract/tables.md, "Reference report"), DuckDB dialect: `ledgerlake report balances` runs it
-- over the local lake. Its Athena twin is sql/athena/reports/month-end-balances.sql.
--
-- Parameters, positional: ? = first month, ? = last month, both 'YYYY-MM' (inclusive).
--
-- One row per account, currency and month of the range: the closing balance at the month's end is
-- the sum of every published amount of the account in that currency with tx_date before the end
-- of the month (UTC). It is NULL for the months before the account's first transaction. Accounts
-- whose first transaction is after the range do not appear. Sorted by account, then month.
--
-- currency is the 4th column: an account may hold several currencies, and a balance is only
-- meaningful in one of them.
WITH
params AS (
  SELECT CAST(CAST(? AS VARCHAR) || '-01' AS DATE) AS first_month,
         CAST(CAST(? AS VARCHAR) || '-01' AS DATE) AS last_month
),
months AS (
  SELECT CAST(month_start AS TIMESTAMP) AS month_start
  FROM (SELECT unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH)) AS month_start FROM params)
),
bounds AS (
  SELECT min(month_start) AS range_start,
         max(month_start) + INTERVAL 1 MONTH AS range_end
  FROM months
),
-- Each account's net movement per month of the range; everything before the range counts in
-- its first month, so that the running sum below starts from the opening balance.
movements AS (
  SELECT t.account_id,
         t.currency,
         greatest(date_trunc('month', t.tx_date AT TIME ZONE 'UTC'), b.range_start) AS month_start,
         sum(t.amount) AS net
  FROM silver.transactions AS t, bounds AS b
  WHERE t.tx_date AT TIME ZONE 'UTC' < b.range_end
  GROUP BY 1, 2, 3
),
accounts AS (
  SELECT account_id, currency, min(month_start) AS first_month
  FROM movements
  GROUP BY 1, 2
)
SELECT a.account_id AS acct,
       CAST(
         CASE WHEN m.month_start >= a.first_month THEN
           sum(coalesce(mv.net, 0)) OVER (
             PARTITION BY a.account_id, a.currency
             ORDER BY m.month_start
             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
           )
         END AS DECIMAL(38,2)) AS balance,
       strftime(m.month_start, '%Y-%m') AS month,
       a.currency AS currency
FROM accounts AS a
CROSS JOIN months AS m
LEFT JOIN movements AS mv
  ON mv.account_id = a.account_id
 AND mv.currency = a.currency
 AND mv.month_start = m.month_start
ORDER BY acct, month, currency;
