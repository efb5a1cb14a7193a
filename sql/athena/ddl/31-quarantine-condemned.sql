-- quarantine.condemned: the rows loop prevention condemned (duplicates, too many attempts),
-- kept for a person to approve or reject (docs/contract/rules.md, docs/contract/layout.md).
-- The raw source fields as strings (null where the record had none), why the row was rejected,
-- and its lineage.
--
-- No publication step: each run appends its own run_id= folder, so the table is plain Parquet
-- with partition projection on ingest_date; a new day is queryable without registering anything.
-- ${ingest_date} in storage.location.template is Athena's projection placeholder and stays as is;
-- ${stage} is the stage name (dev, staging, prod): see sql/README.md.
CREATE EXTERNAL TABLE IF NOT EXISTS quarantine_${stage}.condemned (
  transaction_id        string,
  customer_id           string,
  transaction_amount    string,
  currency              string,
  transaction_timestamp string,
  validation_error      string,
  error_detail          string,
  row_hash              string,
  source_file_id        string,
  source_line           bigint,
  attempt_count         int,
  ingestion_timestamp   timestamp,
  run_id                string,
  execution_arn         string
)
PARTITIONED BY (
  ingest_date string
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://ledgerlake-${stage}-quarantine/condemned/mortgages/transactions/'
TBLPROPERTIES (
  'classification'                       = 'parquet',
  'projection.enabled'                   = 'true',
  'projection.ingest_date.type'          = 'date',
  'projection.ingest_date.format'        = 'yyyy-MM-dd',
  'projection.ingest_date.range'         = '2020-01-01,NOW',
  'projection.ingest_date.interval'      = '1',
  'projection.ingest_date.interval.unit' = 'DAYS',
  'storage.location.template'            = 's3://ledgerlake-${stage}-quarantine/condemned/mortgages/transactions/ingest_date=${ingest_date}/'
);
