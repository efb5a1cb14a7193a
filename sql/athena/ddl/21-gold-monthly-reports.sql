-- gold.monthly_reports: per account, currency and month, that month's activity and closing
-- balance (docs/contract/tables.md, "gold.monthly_reports"). credits is the sum of positive amounts, debits the sum of negative
-- amounts as a positive number, net = credits - debits; all decimal(38,2), the type of a SUM of
-- decimal(16,2) amounts. Months without activity after the
-- account's first transaction have a row with zero activity; the months are those of
-- gold.account_balances (each month with data and the 12 after it).
--
-- Partitions are registered by promotion when it rebuilds Gold: each partition's location is the
-- folder of the symlink manifest of its committed version
--   .../month=YYYY-MM/_manifests/v=NNNNNNNNN/run_id=<run_id>/manifest
-- so Athena reads published data only. Do not run MSCK REPAIR TABLE on it.
--
-- ${stage} is the stage name (dev, staging, prod): see sql/README.md.
CREATE EXTERNAL TABLE IF NOT EXISTS gold_${stage}.monthly_reports (
  account_id      string,
  currency        string,
  tx_count        bigint,
  credits         decimal(38,2),
  debits          decimal(38,2),
  net             decimal(38,2),
  closing_balance decimal(38,2)
)
PARTITIONED BY (
  month string
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://ledgerlake-${stage}-gold/finance/monthly_reports/schema_v=v1/'
TBLPROPERTIES ('classification' = 'parquet');
