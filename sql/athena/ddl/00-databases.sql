-- The three databases of a stage's SQL tables (docs/contract/tables.md), `<layer>_${stage}`: Glue
-- databases are per account and region, so each stage has its own and two stages can share an
-- account. On a laptop the schemas are plain `silver`, `gold`, `quarantine` (`ledgerlake query`).
-- infra/serverless.yml creates them with CloudFormation; these statements are the equivalent for
-- an account set up by hand.
CREATE DATABASE IF NOT EXISTS silver_${stage}
  COMMENT 'LedgerLake Silver (published data only)';

CREATE DATABASE IF NOT EXISTS gold_${stage}
  COMMENT 'LedgerLake curated aggregates';

CREATE DATABASE IF NOT EXISTS quarantine_${stage}
  COMMENT 'LedgerLake quarantined and condemned rows';
