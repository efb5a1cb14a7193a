import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** What the reference job did, for the benchmark report. */
export interface ReferenceResult {
  readonly wallMs: number;
  readonly validRows: number;
  readonly quarantinedRows: number;
}

const q = (path: string): string => `'${path.replaceAll("'", "''")}'`;

/**
 * The reference the pipeline is measured against: DuckDB doing the whole Silver job in one
 * process — read the CSV as text, apply the five validation rules, SHA-256 per row, write Snappy
 * Parquet partitioned by year/month plus a quarantine file.
 */
export async function runDuckDbReference(csvPath: string, outDir: string, threads: number): Promise<ReferenceResult> {
  mkdirSync(outDir, { recursive: true });
  const started = performance.now();
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await db.connect();
  await con.run(`
    CREATE TEMP TABLE checked AS
    WITH raw AS (
      SELECT trim(TransactionID) AS tid, trim(CustomerID) AS cid, trim(TransactionAmount) AS amt,
             trim(Currency) AS cur, trim(TransactionTimestamp) AS ts
      FROM read_csv(${q(csvPath)}, all_varchar = true, header = true, null_padding = true, ignore_errors = false)
    ), typed AS (
      SELECT *, TRY_CAST(tid AS BIGINT) AS id,
             CASE WHEN regexp_full_match(amt, '[+-]?[0-9]{1,14}(\\.[0-9]{1,2})?') THEN TRY_CAST(amt AS DECIMAL(16,2)) END AS amount,
             TRY_CAST(ts AS TIMESTAMPTZ) AS tx_date,
             sha256(concat_ws(chr(31), tid, cid, amt, cur, ts)) AS row_hash
      FROM raw
    )
    SELECT *, CASE
        WHEN coalesce(tid, '') = '' OR coalesce(cid, '') = '' OR coalesce(amt, '') = '' OR coalesce(cur, '') = '' OR coalesce(ts, '') = '' THEN 'NULL_VALUE_ERROR'
        WHEN id IS NULL OR amount IS NULL THEN 'TYPE_ERROR'
        WHEN cur NOT IN ('EUR','USD','GBP','JPY','CHF','CAD','AUD','SEK','NOK','DKK','PLN') THEN 'CURRENCY_ERROR'
        WHEN tx_date IS NULL THEN 'TIMESTAMP_ERROR'
      END AS validation_error
    FROM typed`);
  await con.run(`
    COPY (
      SELECT id, cid AS account_id, amount, cur AS currency, tx_date, row_hash,
             year(tx_date AT TIME ZONE 'UTC') AS year, lpad(month(tx_date AT TIME ZONE 'UTC')::VARCHAR, 2, '0') AS month
      FROM checked WHERE validation_error IS NULL
    ) TO ${q(join(outDir, 'silver'))} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (year, month), OVERWRITE_OR_IGNORE true)`);
  await con.run(`
    COPY (SELECT tid, cid, amt, cur, ts, validation_error, row_hash FROM checked WHERE validation_error IS NOT NULL)
    TO ${q(join(outDir, 'quarantine.parquet'))} (FORMAT parquet, COMPRESSION snappy)`);
  const counts = await con.runAndReadAll(
    `SELECT count(*) FILTER (WHERE validation_error IS NULL)::BIGINT, count(*) FILTER (WHERE validation_error IS NOT NULL)::BIGINT FROM checked`,
  );
  const [valid, quarantined] = counts.getRows()[0] as [bigint, bigint];
  con.closeSync();
  db.closeSync();
  return { wallMs: performance.now() - started, validRows: Number(valid), quarantinedRows: Number(quarantined) };
}
