/**
 * Row shapes of docs/contract/layout.md. These schemas document the columns and check rows at the edges
 * (fixtures, tests, retries); the per-row hot path builds rows directly and does not parse them.
 */
import { z } from 'zod';
import { CurrencyCodeSchema } from './currency';
import { type DatasetSpec, rawColumns } from './dataset-spec';
import { RowErrorCodeSchema } from './error-codes';
import { INT64_MAX, INT64_MIN } from './int64';
import { MAX_MINOR, MIN_MINOR } from './money';
import { RunIdSchema } from './run-id';

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z in microseconds since the epoch. */
const MIN_TIMESTAMP_MICROS = -62_135_596_800_000_000n;
const MAX_TIMESTAMP_MICROS = 253_402_300_799_999_999n;

/** The five source fields of a dataset as read (trimmed strings), named as in its Quarantine (`DatasetColumn.raw`). */
export function rawRowSchema(spec: DatasetSpec): z.ZodObject<Record<string, z.ZodString>> {
  return z.object(Object.fromEntries(rawColumns(spec).map((name) => [name, z.string()])));
}

/** The five source fields as read, by their Quarantine names. */
export type RawRow = Readonly<Record<string, string>>;

/** Lineage columns every Silver, Quarantine and Condemned row carries (docs/contract/rules.md, "Row enrichment"). */
export const LineageSchema = z.object({
  /** SHA-256 hex of `rowHashInput(...)`. */
  row_hash: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
  source_file_id: z.string().min(1),
  /** 1-based line number in the source file. */
  source_line: z.number().int().positive(),
  attempt_count: z.number().int().nonnegative(),
  /** UTC ISO-8601 instant, e.g. `2024-01-05T09:00:00.000Z`. */
  ingestion_timestamp: z.iso.datetime(),
  run_id: RunIdSchema,
  execution_arn: z.string().min(1),
});

/** Lineage columns of a row. */
export type Lineage = z.infer<typeof LineageSchema>;

/** A valid row as written to Silver (partition columns `year`, `month`, `schema_v` derive from `tx_date_micros`). */
export const SilverRowSchema = LineageSchema.extend({
  id: z.bigint().min(INT64_MIN).max(INT64_MAX),
  account_id: z.string().min(1),
  /** DECIMAL(16,2) in minor units. */
  amount_minor: z.bigint().min(MIN_MINOR).max(MAX_MINOR),
  currency: CurrencyCodeSchema,
  /** TIMESTAMP (UTC) in microseconds since the epoch. */
  tx_date_micros: z.bigint().min(MIN_TIMESTAMP_MICROS).max(MAX_TIMESTAMP_MICROS),
});

/** A valid row as written to Silver. */
export type SilverRow = z.infer<typeof SilverRowSchema>;

/**
 * A row in Quarantine or Condemned: the raw fields (`null` where the CSV record had too few
 * fields), why it is there, and its lineage.
 */
export function quarantineRowSchema(spec: DatasetSpec) {
  return LineageSchema.extend({
    ...Object.fromEntries(rawColumns(spec).map((name) => [name, z.string().nullable()])),
    validation_error: RowErrorCodeSchema,
    /** Human-readable: which field, what was wrong. */
    error_detail: z.string().min(1),
  });
}

/** A row in Quarantine or Condemned: lineage, why, and the raw fields by their Quarantine names. */
export type QuarantineRow = Lineage & { readonly validation_error: string; readonly error_detail: string } & Readonly<Record<string, unknown>>;
