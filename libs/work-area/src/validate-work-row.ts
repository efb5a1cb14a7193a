import { COLUMN_ROLES, type CompleteRowFields, LakeStateError, type RowRules, type RowValidation, validateRow } from '@ledgerlake/domain';
import type { EnrichedPart } from './enriched-part';
import { validatedMonth } from './validated-part';

/**
 * Runs the checks of docs/contract/rules.md, "Validation", on row `row` of an enriched part: validation's check of every row
 * it is given. The typed fields are the part's, parsed once by enrichment; only a field that did
 * not parse is parsed again, for the detail saying why.
 */
export function validateEnrichedRow(part: EnrichedPart, row: number, rules: RowRules): RowValidation {
  const problem = part.schemaProblem(row);
  if (problem !== null) return { ok: false, code: 'SCHEMA_ERROR', detail: problem };
  const fields = part.fields(row);
  if (fields.id === null || fields.account === null || fields.amount === null || fields.currency === null || fields.timestamp === null) {
    // Enrichment sets a schema problem whenever a field is missing; a null here means the work
    // area was written by something else, and such a row is still malformed, never valid.
    const missing = COLUMN_ROLES.filter((role) => fields[role] === null).map((role) => rules.columns[role].input);
    return { ok: false, code: 'SCHEMA_ERROR', detail: `record has no field for ${missing.join(', ')}` };
  }
  return validateRow(fields as CompleteRowFields, rules, undefined, {
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
