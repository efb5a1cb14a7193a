import { DECIMAL_SCALE } from '@ledgerlake/domain';
import type { ParquetColumnSpec } from '@ledgerlake/parquet';

/*
 * The Parquet columns of the Gold tables (docs/contract/tables.md). The partition column (`as_of_month`,
 * `month`, both `YYYY-MM`) lives in the key, hive style, not in the files.
 */

/**
 * Gold's money columns are sums of Silver amounts (DECIMAL(16,2)): DECIMAL(38,2), the type Athena
 * and DuckDB give `SUM` of a DECIMAL(16,2). A sum of DECIMAL(16,2) amounts can pass 16 digits (two
 * rows of 99999999999999.99 on one account do); 38 digits take more rows than any lake holds.
 */
export const GOLD_MONEY_PRECISION = 38;

const money = (name: string): ParquetColumnSpec => ({
  name,
  kind: 'decimal',
  precision: GOLD_MONEY_PRECISION,
  scale: DECIMAL_SCALE,
  encoding: 'plain',
});

/**
 * `gold.account_balances`: per account, currency and month-end, the closing balance carried
 * forward; `tx_count` counts the account's transactions in that currency up to the month's end and
 * `last_tx_date` is the latest of them.
 */
export const ACCOUNT_BALANCES_COLUMNS: readonly ParquetColumnSpec[] = [
  { name: 'account_id', kind: 'string', encoding: 'plain' },
  { name: 'currency', kind: 'string', encoding: 'dictionary' },
  money('balance'),
  { name: 'tx_count', kind: 'int64', encoding: 'plain' },
  { name: 'last_tx_date', kind: 'timestamp-micros-utc', encoding: 'plain' },
];

/**
 * `gold.monthly_reports`: per account, currency and month, that month's activity — `credits` the
 * sum of positive amounts, `debits` the sum of negative amounts as a positive number, `net` =
 * credits − debits — and the month's closing balance. Months without activity after the account's
 * first transaction have a row with zeros, like `account_balances`.
 */
export const MONTHLY_REPORTS_COLUMNS: readonly ParquetColumnSpec[] = [
  { name: 'account_id', kind: 'string', encoding: 'plain' },
  { name: 'currency', kind: 'string', encoding: 'dictionary' },
  { name: 'tx_count', kind: 'int64', encoding: 'plain' },
  money('credits'),
  money('debits'),
  money('net'),
  money('closing_balance'),
];
