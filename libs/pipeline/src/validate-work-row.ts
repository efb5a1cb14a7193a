import { LakeStateError, REQUIRED_COLUMNS, type RowRules, type RowValidation, validateRow } from '@ledgerlake/domain';
import type { EnrichedPart } from './enriched-part';
import { validatedMonth } from './validated-part';

/**
 * Runs the checks of docs/contract/rules.md, "Validation", on row `row` of an enriched part: validation's check of every row
 * it is given. The typed fields are the part's, parsed once by enrichment; only a field that did
 * not parse is parsed again, for the detail saying why.
 */
export function validateEnrichedRow(part: EnrichedPart, row: number, rules: RowRules): RowValidation {
  const problem = part.schemaProblem(row);
  if (problem !== null) return validateRow([], rules, problem);
  const fields = [part.field(row, 0), part.field(row, 1), part.field(row, 2), part.field(row, 3), part.field(row, 4)];
  if (fields.includes(null)) {
    // Enrichment sets a schema problem whenever a field is missing; a null here means the work
    // area was written by something else, and such a row is still malformed, never valid.
    const missing = REQUIRED_COLUMNS.filter((_, index) => fields[index] === null);
    return { ok: false, code: 'SCHEMA_ERROR', detail: `record has no field for ${missing.join(', ')}` };
  }
  return validateRow(fields as string[], rules, undefined, {
    id: part.idParses(row) ? (part.id[row] as bigint) : undefined,
    amountMinor: part.amountOf(row),
    at: part.timestampParses(row) ? { epochMicros: part.txMicros[row] as bigint, ...validatedMonth(part.month[row] as number) } : undefined,
  });
}

const DECIMAL_SUM = /^([+-]?)(\d+)(?:\.(\d{1,2}))?$/;

/**
 * Parses a decimal sum such as `"-1234567890123456.50"` into minor units. Unlike `parseAmount`
 * there is no DECIMAL(16,2) limit: a sum of many amounts may exceed any one of them. Throws on
 * anything else, naming `what`.
 */
export function parseDecimalSum(text: string, what: string): bigint {
  const match = DECIMAL_SUM.exec(text);
  if (match === null) throw new LakeStateError(`pipeline: ${what} ${JSON.stringify(text)} is not a decimal with at most 2 fraction digits`);
  const [, sign = '', whole = '', fraction = ''] = match;
  const minor = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  return sign === '-' ? -minor : minor;
}
