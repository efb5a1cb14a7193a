/**
 * The codes a row or a run can end with (docs/contract/rules.md, "Error codes"). The strings are stored in Parquet and
 * shown to the data-quality team, so they never change.
 */
import { z } from 'zod';

/** Validation codes, in the order the checks run: the first failing check names the row's error. */
export const VALIDATION_ERROR_CODES = [
  'SCHEMA_ERROR',
  'NULL_VALUE_ERROR',
  'TYPE_ERROR',
  'CURRENCY_ERROR',
  'TIMESTAMP_ERROR',
] as const;

/** Schema of one validation code. */
export const ValidationErrorCodeSchema = z.enum(VALIDATION_ERROR_CODES);

/** A validation code: why a row went to Quarantine. */
export type ValidationErrorCode = z.infer<typeof ValidationErrorCodeSchema>;

/** Loop-prevention codes: why a row was condemned (it will not be retried automatically). */
export const CONDEMN_CODES = ['DUPLICATE_FAILURE', 'MAX_ATTEMPTS'] as const;

/** Schema of one condemn code. */
export const CondemnCodeSchema = z.enum(CONDEMN_CODES);

/** A condemn code: why a row went to Condemned. */
export type CondemnCode = z.infer<typeof CondemnCodeSchema>;

/** Every code a row outside Silver carries: validation codes, then condemn codes. */
export const ROW_ERROR_CODES = [...VALIDATION_ERROR_CODES, ...CONDEMN_CODES] as const;

/** Schema of the `validation_error` column of Quarantine and Condemned rows. */
export const RowErrorCodeSchema = z.enum(ROW_ERROR_CODES);

/** The `validation_error` of a Quarantine or Condemned row. */
export type RowErrorCode = z.infer<typeof RowErrorCodeSchema>;

/** Run-level reason: the Bronze object's content was already processed, so the run is a no-op. */
export const DUPLICATE_FILE = 'DUPLICATE_FILE' as const;

/** Schema of the reason a run was skipped. */
export const RunSkipReasonSchema = z.literal(DUPLICATE_FILE);

/** Why a run was skipped without processing rows. */
export type RunSkipReason = z.infer<typeof RunSkipReasonSchema>;
