import { DEFAULT_ROW_RULE_SETTINGS, rowFields, rowRules, TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { decodeEnrichedPart, EnrichedPartEncoder, type WorkRow } from './enriched-part';
import { parseDecimalSum, validateEnrichedRow } from './validate-work-row';

const RULES = rowRules(DEFAULT_ROW_RULE_SETTINGS, '2024-06-01T10:00:00Z', TRANSACTIONS_DATASET);

function row(fields: WorkRow['fields'], schemaProblem: string | null = null): WorkRow {
  return { sourceFileId: 'f', sourceLine: 2, attemptCount: 0, rowHash: 'a'.repeat(64), fields, schemaProblem };
}

/** Validates `r` as validation does: from the enriched part enrichment wrote. */
function validateWorkRow(r: WorkRow, rules: typeof RULES) {
  const encoder = new EnrichedPartEncoder(1);
  encoder.add(r);
  return validateEnrichedRow(decodeEnrichedPart(Buffer.concat(encoder.take()), 'part'), 0, rules);
}

describe('validateEnrichedRow', () => {
  it('returns the typed values of a valid row', () => {
    const result = validateWorkRow(row(rowFields(['7', 'ACC001', '-25.50', 'EUR', '2024-02-01T00:30:00+01:00'])), RULES);

    expect(result).toEqual({
      ok: true,
      id: 7n,
      amountMinor: -2550n,
      txMicros: 1_706_743_800_000_000n,
      year: 2024,
      month: 1,
    });
  });

  it('reports the reader-detected schema problem as SCHEMA_ERROR', () => {
    const result = validateWorkRow(row(rowFields(['1', 'A', null, null, null]), 'record has 2 fields; the header has 5'), RULES);

    expect(result).toEqual({ ok: false, code: 'SCHEMA_ERROR', detail: 'record has 2 fields; the header has 5' });
  });

  it('never passes a row with a missing field, even without a schema problem', () => {
    const result = validateWorkRow(row(rowFields(['1', 'A', '1.00', null, null])), RULES);

    expect(result).toEqual({ ok: false, code: 'SCHEMA_ERROR', detail: 'record has no field for Currency, TransactionTimestamp' });
  });

  it("applies the rules it is given: the account id checks and the run's date window", () => {
    expect(validateWorkRow(row(rowFields(['1', '=cmd', '1.00', 'EUR', '2024-01-05T09:00:00Z'])), RULES)).toMatchObject({ ok: false, code: 'TYPE_ERROR' });
    expect(validateWorkRow(row(rowFields(['1', 'A', '1.00', 'EUR', '2024-06-03T00:00:00Z'])), RULES)).toMatchObject({ ok: false, code: 'TIMESTAMP_ERROR' });
  });

  it('applies the checks in contract order', () => {
    const result = validateWorkRow(row(rowFields(['x', 'A', '1.00', 'eur', 'nope'])), RULES);

    expect(result).toMatchObject({ ok: false, code: 'TYPE_ERROR' });
  });

  it('names why a typed field does not parse, from its text', () => {
    expect(validateWorkRow(row(rowFields(['7', 'ACC001', '1.234', 'EUR', '2024-01-05T09:00:00Z'])), RULES)).toEqual({
      ok: false,
      code: 'TYPE_ERROR',
      detail: expect.stringMatching(/^TransactionAmount "1\.234"/),
    });
    expect(validateWorkRow(row(rowFields(['7', 'ACC001', '1.00', 'EUR', '2024-13-05T09:00:00Z'])), RULES)).toMatchObject({
      code: 'TIMESTAMP_ERROR',
      detail: expect.stringMatching(/^TransactionTimestamp "2024-13-05T09:00:00Z"/),
    });
  });
});

describe('parseDecimalSum', () => {
  it.each([
    ['0.00', 0n],
    ['-25.50', -2550n],
    ['+3', 300n],
    ['1.5', 150n],
    ['123456789012345678.99', 12345678901234567899n],
  ])('parses %s', (text, minor) => {
    expect(parseDecimalSum(text, 'input_amount')).toBe(minor);
  });

  it.each(['', '1.234', '1e3', '1,000.00', '.5', 'abc'])('rejects %p naming the value', (text) => {
    expect(() => parseDecimalSum(text, 'input_amount')).toThrow(`pipeline: input_amount ${JSON.stringify(text)}`);
  });
});
