import { parseAmount, REQUIRED_COLUMNS, type RowRules, validateRow, type RowValidation } from '@ledgerlake/domain';
import type { WorkRow } from './work-row';

/** Runs the PRODUCT.md §3 checks on a work row: validation's check of every row it is given. */
export function validateWorkRow(row: WorkRow, rules: RowRules): RowValidation {
  if (row.schemaProblem !== null) return validateRow([], rules, row.schemaProblem);
  const { fields } = row;
  if (fields[0] === null || fields[1] === null || fields[2] === null || fields[3] === null || fields[4] === null) {
    // Enrichment sets `schemaProblem` whenever a field is missing; a null here means the work
    // area was written by something else, and such a row is still malformed, never valid.
    const missing = REQUIRED_COLUMNS.filter((_, index) => fields[index] === null);
    return { ok: false, code: 'SCHEMA_ERROR', detail: `record has no field for ${missing.join(', ')}` };
  }
  return validateRow(fields as readonly string[], rules);
}

/**
 * The row's amount in minor units when `TransactionAmount` parses (whatever else is wrong with
 * the row), else `undefined`: the reconciliation rule sums exactly these amounts at every stage.
 */
export function workRowAmountMinor(row: WorkRow): bigint | undefined {
  const text = row.fields[2];
  if (text === null) return undefined;
  const amount = parseAmount(text);
  return amount.ok ? amount.minor : undefined;
}

const DECIMAL_SUM = /^([+-]?)(\d+)(?:\.(\d{1,2}))?$/;

/**
 * Parses a decimal sum such as `"-1234567890123456.50"` into minor units. Unlike `parseAmount`
 * there is no DECIMAL(16,2) limit: a sum of many amounts may exceed any one of them. Throws on
 * anything else, naming `what`.
 */
export function parseDecimalSum(text: string, what: string): bigint {
  const match = DECIMAL_SUM.exec(text);
  if (match === null) throw new Error(`pipeline: ${what} ${JSON.stringify(text)} is not a decimal with at most 2 fraction digits`);
  const [, sign = '', whole = '', fraction = ''] = match;
  const minor = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  return sign === '-' ? -minor : minor;
}
