-- The three databases of LedgerLake's SQL tables (PRODUCT.md §6, §11). Glue holds them; on a
-- laptop the same names are DuckDB schemas (`ledgerlake query`). infra/serverless.yml creates
-- them with CloudFormation; these statements are the equivalent for an account set up by hand.
CREATE DATABASE IF NOT EXISTS silver
  COMMENT 'LedgerLake Silver (published data only)';

CREATE DATABASE IF NOT EXISTS gold
  COMMENT 'LedgerLake curated aggregates';

CREATE DATABASE IF NOT EXISTS quarantine
  COMMENT 'LedgerLake quarantined and condemned rows';
