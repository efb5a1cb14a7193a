-- gold.account_balances: per account, currency and month-end, the closing balance carried
-- forward (docs/contract/tables.md, "gold.account_balances"); tx_count and last_tx_date cover the account's history up to that
-- month's end. No row before an account's first transaction. Money is decimal(38,2), the type
-- of a SUM of decimal(16,2) amounts: a balance may pass what one Silver amount holds.
--
-- Months: every month with published Silver data and the 12 months after each (carried forward);
-- after a longer gap without data the next partition is the next data month. The balance at the
-- end of a month without a partition is that of the latest as_of_month before it.
--
-- Partitions are registered by promotion when it rebuilds Gold: each partition's location is the
-- folder of the symlink manifest of its committed version
--   .../as_of_month=YYYY-MM/_manifests/v=NNNNNNNNN/run_id=<run_id>/manifest
-- so Athena reads published data only. Do not run MSCK REPAIR TABLE on it.
--
-- ${stage} is the stage name (dev, staging, prod): see sql/README.md.
CREATE EXTERNAL TABLE IF NOT EXISTS gold_${stage}.account_balances (
  account_id   string,
  currency     string,
  balance      decimal(38,2),
  tx_count     bigint,
  last_tx_date timestamp
)
PARTITIONED BY (
  as_of_month string
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://ledgerlake-${stage}-gold/finance/account_balances/schema_v=v1/'
TBLPROPERTIES ('classification' = 'parquet');
