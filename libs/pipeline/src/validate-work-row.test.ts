import { DEFAULT_ROW_RULE_SETTINGS, rowRules } from '@ledgerlake/domain';
import { parseDecimalSum, validateWorkRow, workRowAmountMinor } from './validate-work-row';
import type { WorkRow } from './work-row';

const RULES = rowRules(DEFAULT_ROW_RULE_SETTINGS, '2024-06-01T10:00:00Z');

function row(fields: WorkRow['fields'], schemaProblem: string | null = null): WorkRow {
  return { sourceFileId: 'f', sourceLine: 2, attemptCount: 0, rowHash: 'h', fields, schemaProblem };
}

describe('validateWorkRow', () => {
  it('returns the typed values of a valid row', () => {
    const result = validateWorkRow(row(['7', 'ACC001', '-25.50', 'EUR', '2024-02-01T00:30:00+01:00']), RULES);

    expect(result).toEqual({
      ok: true,
      id: 7n,
      amountMinor: -2550n,
      txMicros: 1_706_743_800_000_000n,
      utcDay: '2024-01-31',
      year: 2024,
      month: 1,
    });
  });

  it('reports the reader-detected schema problem as SCHEMA_ERROR', () => {
    const result = validateWorkRow(row(['1', 'A', null, null, null], 'record has 2 fields; the header has 5'), RULES);

    expect(result).toEqual({ ok: false, code: 'SCHEMA_ERROR', detail: 'record has 2 fields; the header has 5' });
  });

  it('never passes a row with a missing field, even without a schema problem', () => {
    const result = validateWorkRow(row(['1', 'A', '1.00', null, null]), RULES);

    expect(result).toEqual({ ok: false, code: 'SCHEMA_ERROR', detail: 'record has no field for Currency, TransactionTimestamp' });
  });

  it("applies the rules it is given: the account id checks and the run's date window", () => {
    expect(validateWorkRow(row(['1', '=cmd', '1.00', 'EUR', '2024-01-05T09:00:00Z']), RULES)).toMatchObject({ ok: false, code: 'TYPE_ERROR' });
    expect(validateWorkRow(row(['1', 'A', '1.00', 'EUR', '2024-06-03T00:00:00Z']), RULES)).toMatchObject({ ok: false, code: 'TIMESTAMP_ERROR' });
  });

  it('applies the checks in contract order', () => {
    const result = validateWorkRow(row(['x', 'A', '1.00', 'eur', 'nope']), RULES);

    expect(result).toMatchObject({ ok: false, code: 'TYPE_ERROR' });
  });
});

describe('workRowAmountMinor', () => {
  it('parses the amount whatever else is wrong with the row', () => {
    expect(workRowAmountMinor(row(['x', '', '12.5', 'ZZZ', 'bad'], 'record has 6 fields'))).toBe(1250n);
  });

  it('is undefined when the amount is missing or does not parse', () => {
    expect(workRowAmountMinor(row(['1', 'A', null, null, null], 'short'))).toBeUndefined();
    expect(workRowAmountMinor(row(['1', 'A', '1.234', 'EUR', 't']))).toBeUndefined();
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
