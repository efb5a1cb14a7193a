/** The input contract of the `mortgages/transactions` dataset (docs/contract/rules.md, "Input files", and docs/contract/layout.md). */
import { z } from 'zod';

/** Required CSV header columns, exact names, in the order used for row hashes and validation. */
export const REQUIRED_COLUMNS = [
  'TransactionID',
  'CustomerID',
  'TransactionAmount',
  'Currency',
  'TransactionTimestamp',
] as const;

/** Schema of one required column name. */
export const RequiredColumnSchema = z.enum(REQUIRED_COLUMNS);

/** One required CSV column name. */
export type RequiredColumn = z.infer<typeof RequiredColumnSchema>;

/** Names of the raw source fields in Quarantine/Condemned rows, index-aligned with `REQUIRED_COLUMNS`. */
export const RAW_FIELD_NAMES = [
  'transaction_id',
  'customer_id',
  'transaction_amount',
  'currency',
  'transaction_timestamp',
] as const;

/** Name of one raw source field column. */
export type RawFieldName = (typeof RAW_FIELD_NAMES)[number];

/** The dataset path segment under every layer (`silver/mortgages/transactions/...`). */
export const DATASET = 'mortgages/transactions' as const;

/** The Silver schema version, the `schema_v=` partition value. */
export const SCHEMA_VERSION = 'v1' as const;

/**
 * Returns the required columns a header lacks, in `REQUIRED_COLUMNS` order (empty when complete).
 * Names match exactly (case-sensitive); the caller strips a BOM and trims header cells first.
 */
export function missingColumns(header: readonly string[]): RequiredColumn[] {
  const present = new Set(header);
  return REQUIRED_COLUMNS.filter((column) => !present.has(column));
}
