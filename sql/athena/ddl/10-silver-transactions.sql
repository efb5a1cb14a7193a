-- silver.transactions: every valid row of every promoted run (docs/contract/layout.md, docs/contract/publishing.md).
--
-- Partitions are registered by promotion, never discovered: each partition's location is the
-- folder of the symlink manifest of its committed version
--   .../year=YYYY/month=MM/schema_v=v1/_manifests/v=NNNNNNNNN/run_id=<run_id>/manifest
-- which lists exactly the Parquet objects that version published (libs/lake
-- published-partition.ts). SymlinkTextInputFormat reads those objects and nothing else, so Athena
-- reads published data only: never a run folder, never a promotion in progress. Do not run
-- MSCK REPAIR TABLE on it.
--
-- ${stage} is the stage name (dev, staging, prod): see sql/README.md.
CREATE EXTERNAL TABLE IF NOT EXISTS silver_${stage}.transactions (
  id                  bigint,
  account_id          string,
  amount              decimal(16,2),
  currency            string,
  tx_date             timestamp,
  row_hash            string,
  source_file_id      string,
  source_line         bigint,
  attempt_count       int,
  ingestion_timestamp timestamp,
  run_id              string,
  execution_arn       string
)
PARTITIONED BY (
  year     int,
  month    string,
  schema_v string
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://ledgerlake-${stage}-silver/mortgages/transactions/'
TBLPROPERTIES ('classification' = 'parquet');
