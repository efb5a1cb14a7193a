import { DEFAULT_CURRENCIES } from './currency';
import { quoteValue, type RowValidation, validateRow } from './validate-row';

const currencies: ReadonlySet<string> = new Set(DEFAULT_CURRENCIES);
const good = ['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'] as const;

/** `good` with some fields replaced. */
function row(changes: Partial<Record<0 | 1 | 2 | 3 | 4, string>>): string[] {
  return good.map((value, index) => changes[index as 0 | 1 | 2 | 3 | 4] ?? value);
}

function failure(result: RowValidation): { code: string; detail: string } {
  if (result.ok) throw new Error('expected the row to be rejected');
  return { code: result.code, detail: result.detail };
}

describe('validateRow: valid rows', () => {
  it('returns typed values for the contract sample', () => {
    expect(validateRow(good, currencies)).toEqual({
      ok: true,
      id: 1n,
      amountMinor: 30000n,
      txMicros: 1_704_445_200_000_000n,
      utcDay: '2024-01-05',
      year: 2024,
      month: 1,
    });
  });

  it('accepts the second contract sample (negative amount, space separator)', () => {
    expect(validateRow(['2', 'ACC002', '-25.50', 'EUR', '2024-02-12 09:00:00'], currencies)).toMatchObject({
      ok: true,
      id: 2n,
      amountMinor: -2550n,
      utcDay: '2024-02-12',
      month: 2,
    });
  });

  it('uses the UTC month of an offset timestamp', () => {
    expect(validateRow(row({ 4: '2024-02-01T00:30:00+01:00' }), currencies)).toMatchObject({
      utcDay: '2024-01-31',
      year: 2024,
      month: 1,
    });
  });

  it('uses the given allowlist', () => {
    expect(validateRow(row({ 3: 'XAU' }), new Set(['XAU'])).ok).toBe(true);
  });
});

describe('validateRow: each code and its detail', () => {
  it('SCHEMA_ERROR with the reader problem', () => {
    expect(failure(validateRow(good, currencies, 'record has 4 fields; the header has 5'))).toEqual({
      code: 'SCHEMA_ERROR',
      detail: 'record has 4 fields; the header has 5',
    });
  });

  it('SCHEMA_ERROR when the field count is not five', () => {
    expect(failure(validateRow(['1', 'A', '1', 'EUR'], currencies))).toEqual({
      code: 'SCHEMA_ERROR',
      detail: 'expected 5 fields, got 4',
    });
  });

  it('NULL_VALUE_ERROR naming the empty field', () => {
    expect(failure(validateRow(row({ 1: '' }), currencies))).toEqual({
      code: 'NULL_VALUE_ERROR',
      detail: 'required field(s) empty: CustomerID',
    });
  });

  it('NULL_VALUE_ERROR naming every empty field in column order', () => {
    expect(failure(validateRow(['', 'A', '', 'EUR', ''], currencies))).toEqual({
      code: 'NULL_VALUE_ERROR',
      detail: 'required field(s) empty: TransactionID, TransactionAmount, TransactionTimestamp',
    });
  });

  it.each([
    [3, 'Currency'],
    [4, 'TransactionTimestamp'],
    [0, 'TransactionID'],
    [2, 'TransactionAmount'],
  ] as const)('NULL_VALUE_ERROR for empty field %d (%s)', (index, column) => {
    expect(failure(validateRow(row({ [index]: '' }), currencies))).toEqual({
      code: 'NULL_VALUE_ERROR',
      detail: `required field(s) empty: ${column}`,
    });
  });

  it('TYPE_ERROR for a TransactionID that is not a number', () => {
    expect(failure(validateRow(row({ 0: 'abc' }), currencies))).toEqual({
      code: 'TYPE_ERROR',
      detail: 'TransactionID "abc": is not a number; expected a whole number such as 12345',
    });
  });

  it('TYPE_ERROR for a TransactionID outside int64', () => {
    expect(failure(validateRow(row({ 0: '9223372036854775808' }), currencies))).toEqual({
      code: 'TYPE_ERROR',
      detail:
        'TransactionID "9223372036854775808": is outside the int64 range -9223372036854775808..9223372036854775807',
    });
  });

  it('TYPE_ERROR for an amount with 3 fraction digits', () => {
    expect(failure(validateRow(row({ 2: '12.345' }), currencies))).toEqual({
      code: 'TYPE_ERROR',
      detail: 'TransactionAmount "12.345": has 3 fraction digits; at most 2 allowed',
    });
  });

  it('TYPE_ERROR for an amount beyond DECIMAL(16,2)', () => {
    expect(failure(validateRow(row({ 2: '100000000000000' }), currencies))).toEqual({
      code: 'TYPE_ERROR',
      detail: 'TransactionAmount "100000000000000": exceeds DECIMAL(16,2): more than 14 integer digits',
    });
  });

  it('CURRENCY_ERROR listing a small allowlist and hinting at case', () => {
    expect(failure(validateRow(row({ 3: 'eur' }), currencies))).toEqual({
      code: 'CURRENCY_ERROR',
      detail:
        'Currency "eur": is not in the allowlist (EUR, USD, GBP, JPY, CHF, CAD, AUD, SEK, NOK, DKK, PLN); ' +
        'codes are case-sensitive, did you mean "EUR"?',
    });
  });

  it('CURRENCY_ERROR without a hint for an unknown code', () => {
    expect(failure(validateRow(row({ 3: 'XYZ' }), new Set(['EUR'])))).toEqual({
      code: 'CURRENCY_ERROR',
      detail: 'Currency "XYZ": is not in the allowlist (EUR)',
    });
  });

  it('CURRENCY_ERROR counting a large allowlist instead of listing it', () => {
    const wide = new Set(Array.from({ length: 13 }, (_, n) => `A${String.fromCharCode(65 + n)}A`));
    expect(failure(validateRow(row({ 3: 'EUR' }), wide))).toEqual({
      code: 'CURRENCY_ERROR',
      detail: 'Currency "EUR": is not in the allowlist of 13 codes',
    });
  });

  it('TIMESTAMP_ERROR for an impossible date', () => {
    expect(failure(validateRow(row({ 4: '2023-02-29T00:00:00Z' }), currencies))).toEqual({
      code: 'TIMESTAMP_ERROR',
      detail: 'TransactionTimestamp "2023-02-29T00:00:00Z": has day 29 but 2023-02 has 28 days',
    });
  });

  it('TIMESTAMP_ERROR for a date without time', () => {
    expect(failure(validateRow(row({ 4: '2024-01-05' }), currencies))).toEqual({
      code: 'TIMESTAMP_ERROR',
      detail:
        'TransactionTimestamp "2024-01-05": has a date but no time; expected a date and time such as 2024-01-05T09:00:00Z',
    });
  });
});

describe('validateRow: the first failing check wins', () => {
  const broken = { 0: 'abc', 2: '1.234', 3: 'eur', 4: 'yesterday' } as const;

  it('SCHEMA_ERROR before everything', () => {
    expect(failure(validateRow(row({ ...broken, 1: '' }), currencies, 'broken quoting')).code).toBe('SCHEMA_ERROR');
  });

  it('NULL_VALUE_ERROR before TYPE_ERROR, CURRENCY_ERROR and TIMESTAMP_ERROR', () => {
    expect(failure(validateRow(row({ ...broken, 1: '' }), currencies)).code).toBe('NULL_VALUE_ERROR');
  });

  it('TYPE_ERROR on TransactionID before TransactionAmount', () => {
    expect(failure(validateRow(row(broken), currencies)).detail).toMatch(/^TransactionID "abc"/);
  });

  it('TYPE_ERROR on TransactionAmount before CURRENCY_ERROR', () => {
    expect(failure(validateRow(row({ ...broken, 0: '7' }), currencies)).detail).toMatch(/^TransactionAmount "1.234"/);
  });

  it('CURRENCY_ERROR before TIMESTAMP_ERROR', () => {
    expect(failure(validateRow(row({ 3: 'eur', 4: 'yesterday' }), currencies)).code).toBe('CURRENCY_ERROR');
  });

  it('TIMESTAMP_ERROR last', () => {
    expect(failure(validateRow(row({ 4: 'yesterday' }), currencies)).code).toBe('TIMESTAMP_ERROR');
  });
});

describe('quoteValue', () => {
  it('quotes short values as JSON strings', () => {
    expect(quoteValue('12.345')).toBe('"12.345"');
    expect(quoteValue('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
  });

  it('keeps 60 characters and cuts the 61st', () => {
    expect(quoteValue('x'.repeat(60))).toBe(`"${'x'.repeat(60)}"`);
    expect(quoteValue('x'.repeat(61))).toBe(`"${'x'.repeat(60)}…" (61 chars)`);
  });

  it('cuts long values in details', () => {
    expect(failure(validateRow(row({ 0: 'z'.repeat(250) }), currencies)).detail).toBe(
      `TransactionID "${'z'.repeat(60)}…" (250 chars): is not a number; expected a whole number such as 12345`,
    );
  });
});
