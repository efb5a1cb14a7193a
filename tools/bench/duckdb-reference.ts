import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** What the reference job did, for the benchmark report. */
export interface ReferenceResult {
  readonly wallMs: number;
  /** Wall time up to Silver, Quarantine and Condemned written (the pipeline's part through FinishRun). */
  readonly silverMs: number;
  /** Wall time of both Gold tables. */
  readonly goldMs: number;
  readonly validRows: number;
  readonly quarantinedRows: number;
  readonly condemnedRows: number;
  readonly goldBalanceRows: number;
}

const q = (path: string): string => `'${path.replaceAll("'", "''")}'`;

/**
 * The reference the pipeline is measured against: DuckDB doing the whole job of a fresh-lake
 * ingest in one process, as the pipeline does it —
 *
 * - read the CSV as text, trim every field, number the rows (their line);
 * - SHA-256 per row over the five fields;
 * - condemn in-file duplicate business keys (TransactionID and UTC day; the first row keeps it);
 * - the five validation rules in order;
 * - Silver with its lineage columns (row_hash, source_file_id, source_line, attempt_count,
 *   ingestion_timestamp, run_id, execution_arn), Snappy Parquet partitioned by year/month;
 *   Quarantine and Condemned with the raw fields, the error and the lineage;
 * - both Gold tables: every account × currency × month from the account's first month to the last
 *   month with data, carried forward (balance, tx_count, last_tx_date; the month's credits, debits,
 *   net and closing balance), Parquet partitioned by month.
 */
export async function runDuckDbReference(csvPath: string, outDir: string, threads: number): Promise<ReferenceResult> {
  mkdirSync(join(outDir, 'gold'), { recursive: true });
  const started = performance.now();
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await db.connect();
  const lineage = `'s3://bronze/bench.csv#etag' AS source_file_id, 0 AS attempt_count, now() AS ingestion_timestamp,
                   'bench-run' AS run_id, 'arn:aws:states:local:000000000000:execution:ledgerlake:bench-run' AS execution_arn`;
  await con.run(`
    CREATE TEMP TABLE checked AS
    WITH raw AS (
      SELECT row_number() OVER () + 1 AS source_line,
             trim(TransactionID) AS tid, trim(CustomerID) AS cid, trim(TransactionAmount) AS amt,
             trim(Currency) AS cur, trim(TransactionTimestamp) AS ts
      FROM read_csv(${q(csvPath)}, all_varchar = true, header = true, null_padding = true, ignore_errors = false)
    ), typed AS (
      SELECT *, TRY_CAST(tid AS BIGINT) AS id,
             CASE WHEN regexp_full_match(amt, '[+-]?[0-9]{1,14}(\\.[0-9]{1,2})?') THEN TRY_CAST(amt AS DECIMAL(16,2)) END AS amount,
             TRY_CAST(ts AS TIMESTAMPTZ) AS tx_date,
             sha256(concat_ws(chr(31), tid, cid, amt, cur, ts)) AS row_hash
      FROM raw
    ), keyed AS (
      SELECT *, CASE WHEN id IS NOT NULL AND tx_date IS NOT NULL
                  THEN row_number() OVER (PARTITION BY id, CAST(tx_date AT TIME ZONE 'UTC' AS DATE) ORDER BY source_line) END AS key_rank
      FROM typed
    )
    SELECT *, CASE WHEN key_rank > 1 THEN 'DUPLICATE_FAILURE' END AS condemn_code, CASE
        WHEN coalesce(tid, '') = '' OR coalesce(cid, '') = '' OR coalesce(amt, '') = '' OR coalesce(cur, '') = '' OR coalesce(ts, '') = '' THEN 'NULL_VALUE_ERROR'
        WHEN id IS NULL OR amount IS NULL THEN 'TYPE_ERROR'
        WHEN cur NOT IN ('EUR','USD','GBP','JPY','CHF','CAD','AUD','SEK','NOK','DKK','PLN') THEN 'CURRENCY_ERROR'
        WHEN tx_date IS NULL THEN 'TIMESTAMP_ERROR'
      END AS validation_error
    FROM keyed`);
  await con.run(`
    COPY (
      SELECT id, cid AS account_id, amount, cur AS currency, tx_date, row_hash, ${lineage}, source_line,
             year(tx_date AT TIME ZONE 'UTC') AS year, lpad(month(tx_date AT TIME ZONE 'UTC')::VARCHAR, 2, '0') AS month
      FROM checked WHERE condemn_code IS NULL AND validation_error IS NULL
    ) TO ${q(join(outDir, 'silver'))} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (year, month), OVERWRITE_OR_IGNORE true)`);
  const rejected = (where: string, code: string, file: string): string => `
    COPY (SELECT tid AS transaction_id, cid AS customer_id, amt AS transaction_amount, cur AS currency, ts AS transaction_timestamp,
                 ${code} AS validation_error, row_hash, ${lineage}, source_line
          FROM checked WHERE ${where})
    TO ${q(join(outDir, file))} (FORMAT parquet, COMPRESSION snappy)`;
  await con.run(rejected('condemn_code IS NULL AND validation_error IS NOT NULL', 'validation_error', 'quarantine.parquet'));
  await con.run(rejected('condemn_code IS NOT NULL', 'condemn_code', 'condemned.parquet'));
  const silverDone = performance.now();

  await con.run(`
    CREATE TEMP TABLE monthly AS
    SELECT cid AS account_id, cur AS currency, date_trunc('month', tx_date AT TIME ZONE 'UTC') AS month,
           count(*) AS tx_count,
           CAST(coalesce(sum(amount) FILTER (WHERE amount > 0), 0) AS DECIMAL(38,2)) AS credits,
           CAST(coalesce(-sum(amount) FILTER (WHERE amount < 0), 0) AS DECIMAL(38,2)) AS debits,
           CAST(sum(amount) AS DECIMAL(38,2)) AS net, max(tx_date) AS last_tx_date
    FROM checked WHERE condemn_code IS NULL AND validation_error IS NULL
    GROUP BY 1, 2, 3`);
  await con.run(`
    CREATE TEMP TABLE gold AS
    WITH months AS (
      SELECT unnest(generate_series((SELECT min(month) FROM monthly), (SELECT max(month) FROM monthly), INTERVAL 1 MONTH)) AS month
    ), positions AS (
      SELECT account_id, currency, min(month) AS first_month FROM monthly GROUP BY 1, 2
    ), grid AS (
      SELECT p.account_id, p.currency, m.month FROM positions p JOIN months m ON m.month >= p.first_month
    )
    SELECT g.account_id, g.currency, strftime(g.month, '%Y-%m') AS month,
           coalesce(x.tx_count, 0) AS month_tx_count,
           coalesce(x.credits, 0) AS credits, coalesce(x.debits, 0) AS debits, coalesce(x.net, 0) AS net,
           CAST(sum(coalesce(x.net, 0)) OVER w AS DECIMAL(38,2)) AS balance,
           sum(coalesce(x.tx_count, 0)) OVER w AS tx_count,
           max(x.last_tx_date) OVER w AS last_tx_date
    FROM grid g LEFT JOIN monthly x USING (account_id, currency, month)
    WINDOW w AS (PARTITION BY g.account_id, g.currency ORDER BY g.month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`);
  await con.run(`
    COPY (SELECT account_id, currency, balance, tx_count, last_tx_date, month AS as_of_month FROM gold)
    TO ${q(join(outDir, 'gold', 'account_balances'))} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (as_of_month), OVERWRITE_OR_IGNORE true)`);
  await con.run(`
    COPY (SELECT account_id, currency, month_tx_count AS tx_count, credits, debits, net, balance AS closing_balance, month FROM gold)
    TO ${q(join(outDir, 'gold', 'monthly_reports'))} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (month), OVERWRITE_OR_IGNORE true)`);
  const counts = await con.runAndReadAll(`
    SELECT count(*) FILTER (WHERE condemn_code IS NULL AND validation_error IS NULL)::BIGINT,
           count(*) FILTER (WHERE condemn_code IS NULL AND validation_error IS NOT NULL)::BIGINT,
           count(*) FILTER (WHERE condemn_code IS NOT NULL)::BIGINT,
           (SELECT count(*) FROM gold)::BIGINT
    FROM checked`);
  const [valid, quarantined, condemned, goldRows] = counts.getRows()[0] as [bigint, bigint, bigint, bigint];
  con.closeSync();
  db.closeSync();
  const ended = performance.now();
  return {
    wallMs: ended - started,
    silverMs: silverDone - started,
    goldMs: ended - silverDone,
    validRows: Number(valid),
    quarantinedRows: Number(quarantined),
    condemnedRows: Number(condemned),
    goldBalanceRows: Number(goldRows),
  };
}
