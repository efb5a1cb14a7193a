import { type CompleteRowFields, type ColumnRole, TRANSACTIONS_DATASET } from './dataset-spec';
import { DEFAULT_ROW_RULE_SETTINGS, rowRules, type RowRuleSettings } from './row-rules';
import { quoteValue, type RowValidation, validateRow, visibleText } from './validate-row';

const STARTED = '2024-06-01T10:00:00.000Z';
/** The default rules of a run started at STARTED, with some settings replaced. */
function rulesWith(changes: Partial<RowRuleSettings> = {}) {
  return rowRules({ ...DEFAULT_ROW_RULE_SETTINGS, ...changes }, STARTED, TRANSACTIONS_DATASET);
}
const rules = rulesWith();
const good: CompleteRowFields = { id: '1', account: 'ACC001', amount: '300.00', currency: 'EUR', timestamp: '2024-01-05T09:00:00Z' };

/** `good` with some fields replaced. */
function row(changes: Partial<Record<ColumnRole, string>>): CompleteRowFields {
  return { ...good, ...changes };
}

function failure(result: RowValidation): { code: string; detail: string } {
  if (result.ok) throw new Error('expected the row to be rejected');
  return { code: result.code, detail: result.detail };
}

describe('validateRow: valid rows', () => {
  it('returns typed values for the contract sample', () => {
    expect(validateRow(good, rules)).toEqual({
      ok: true,
      id: 1n,
      amountMinor: 30000n,
      txMicros: 1_704_445_200_000_000n,
      year: 2024,
      month: 1,
    });
  });

  it('accepts the second contract sample (negative amount, space separator)', () => {
    expect(validateRow({ id: '2', account: 'ACC002', amount: '-25.50', currency: 'EUR', timestamp: '2024-02-12 09:00:00' }, rules)).toMatchObject({
      ok: true,
      id: 2n,
      amountMinor: -2550n,
      month: 2,
    });
  });

  it('uses the UTC month of an offset timestamp', () => {
    expect(validateRow(row({ timestamp: '2024-02-01T00:30:00+01:00' }), rules)).toMatchObject({
      year: 2024,
      month: 1,
    });
  });

  it('uses the given allowlist', () => {
    expect(validateRow(row({ currency: 'XAU' }), rulesWith({ currencies: ['XAU'] })).ok).toBe(true);
  });

  it('takes typed fields parsed before as they are, and checks the rules on them', () => {
    const at = { epochMicros: 1_704_445_200_000_000n, year: 2024, month: 1 };

    // The values given win over the text: nothing is parsed again.
    expect(validateRow(good, rules, undefined, { id: 9n, amountMinor: 5n, at })).toEqual({ ok: true, id: 9n, amountMinor: 5n, txMicros: at.epochMicros, year: 2024, month: 1 });
    // The date window is still checked on the instant given.
    expect(failure(validateRow(good, rules, undefined, { id: 1n, amountMinor: 5n, at: { ...at, epochMicros: 1_800_000_000_000_000n } })).code).toBe('TIMESTAMP_ERROR');
    // A field that did not parse is parsed again for its reason.
    expect(failure(validateRow(row({ amount: '1.234' }), rules, undefined, { id: 1n, amountMinor: undefined, at }))).toEqual(failure(validateRow(row({ amount: '1.234' }), rules)));
    expect(failure(validateRow(row({ timestamp: 'soon' }), rules, undefined, { id: 1n, amountMinor: 5n, at: undefined }))).toEqual(failure(validateRow(row({ timestamp: 'soon' }), rules)));
  });
});

describe('validateRow: each code and its detail', () => {
  it('SCHEMA_ERROR with the reader problem', () => {
    expect(failure(validateRow(good, rules, 'record has 4 fields; the header has 5'))).toEqual({
      code: 'SCHEMA_ERROR',
      detail: 'record has 4 fields; the header has 5',
    });
  });

  it('NULL_VALUE_ERROR naming the empty field', () => {
    expect(failure(validateRow(row({ account: '' }), rules))).toEqual({
      code: 'NULL_VALUE_ERROR',
      detail: 'required field(s) empty: CustomerID',
    });
  });

  it('NULL_VALUE_ERROR naming every empty field in column order', () => {
    expect(failure(validateRow(row({ id: '', account: 'A', amount: '', timestamp: '' }), rules))).toEqual({
      code: 'NULL_VALUE_ERROR',
      detail: 'required field(s) empty: TransactionID, TransactionAmount, TransactionTimestamp',
    });
  });

  it.each([
    ['currency', 'Currency'],
    ['timestamp', 'TransactionTimestamp'],
    ['id', 'TransactionID'],
    ['amount', 'TransactionAmount'],
  ] as const)('NULL_VALUE_ERROR for empty field %s (%s)', (role, column) => {
    expect(failure(validateRow(row({ [role]: '' }), rules))).toEqual({
      code: 'NULL_VALUE_ERROR',
      detail: `required field(s) empty: ${column}`,
    });
  });

  it('TYPE_ERROR for a TransactionID that is not a number', () => {
    expect(failure(validateRow(row({ id: 'abc' }), rules))).toEqual({
      code: 'TYPE_ERROR',
      detail: 'TransactionID "abc": is not a number; expected a whole number such as 12345',
    });
  });

  it('TYPE_ERROR for a TransactionID outside int64', () => {
    expect(failure(validateRow(row({ id: '9223372036854775808' }), rules))).toEqual({
      code: 'TYPE_ERROR',
      detail:
        'TransactionID "9223372036854775808": is outside the int64 range -9223372036854775808..9223372036854775807',
    });
  });

  it('TYPE_ERROR for an amount with 3 fraction digits', () => {
    expect(failure(validateRow(row({ amount: '12.345' }), rules))).toEqual({
      code: 'TYPE_ERROR',
      detail: 'TransactionAmount "12.345": has 3 fraction digits; at most 2 allowed',
    });
  });

  it('TYPE_ERROR for an amount beyond DECIMAL(16,2)', () => {
    expect(failure(validateRow(row({ amount: '100000000000000' }), rules))).toEqual({
      code: 'TYPE_ERROR',
      detail: 'TransactionAmount "100000000000000": exceeds DECIMAL(16,2): more than 14 integer digits',
    });
  });

  it('CURRENCY_ERROR listing a small allowlist and hinting at case', () => {
    expect(failure(validateRow(row({ currency: 'eur' }), rules))).toEqual({
      code: 'CURRENCY_ERROR',
      detail:
        'Currency "eur": is not in the allowlist (EUR, USD, GBP, JPY, CHF, CAD, AUD, SEK, NOK, DKK, PLN); ' +
        'codes are case-sensitive, did you mean "EUR"?',
    });
  });

  it('CURRENCY_ERROR without a hint for an unknown code', () => {
    expect(failure(validateRow(row({ currency: 'XYZ' }), rulesWith({ currencies: ['EUR'] })))).toEqual({
      code: 'CURRENCY_ERROR',
      detail: 'Currency "XYZ": is not in the allowlist (EUR)',
    });
  });

  it('CURRENCY_ERROR counting a large allowlist instead of listing it', () => {
    const wide = rulesWith({ currencies: Array.from({ length: 13 }, (_, n) => `A${String.fromCharCode(65 + n)}A`) });
    expect(failure(validateRow(row({ currency: 'EUR' }), wide))).toEqual({
      code: 'CURRENCY_ERROR',
      detail: 'Currency "EUR": is not in the allowlist of 13 codes',
    });
  });

  it('TIMESTAMP_ERROR for an impossible date', () => {
    expect(failure(validateRow(row({ timestamp: '2023-02-29T00:00:00Z' }), rules))).toEqual({
      code: 'TIMESTAMP_ERROR',
      detail: 'TransactionTimestamp "2023-02-29T00:00:00Z": has day 29 but 2023-02 has 28 days',
    });
  });

  it('TIMESTAMP_ERROR for a date without time', () => {
    expect(failure(validateRow(row({ timestamp: '2024-01-05' }), rules))).toEqual({
      code: 'TIMESTAMP_ERROR',
      detail:
        'TransactionTimestamp "2024-01-05": has a date but no time; expected a date and time such as 2024-01-05T09:00:00Z',
    });
  });
});

describe('validateRow: hostile account ids are TYPE_ERROR, the detail naming the character', () => {
  it.each([
    ['a line feed', 'ACC\n1', 'contains U+000A LINE FEED at position 4', '"ACC\\n1"'],
    ['a NUL', 'ACC\u00001', 'contains U+0000 NULL at position 4', '"ACC\\u00001"'],
    ['a zero-width space', 'ACC\u200b1', 'contains U+200B ZERO WIDTH SPACE at position 4', '"ACC\\u200b1"'],
    ['a byte order mark', 'AC\ufeffC1', 'contains U+FEFF ZERO WIDTH NO-BREAK SPACE at position 3', '"AC\\ufeffC1"'],
    ['a right-to-left override', 'ACC\u202e1', 'contains U+202E RIGHT-TO-LEFT OVERRIDE at position 4', '"ACC\\u202e1"'],
    ['a no-break space', 'ACC\u00a01', 'contains U+00A0 NO-BREAK SPACE at position 4', '"ACC\\u00a01"'],
  ])('%s', (_, account, problem, quoted) => {
    expect(failure(validateRow(row({ account: account }), rules))).toEqual({ code: 'TYPE_ERROR', detail: `CustomerID ${quoted}: ${problem}` });
  });

  it.each(['=', '+', '-', '@'])("an id starting with '%s' (a spreadsheet formula)", (first) => {
    expect(failure(validateRow(row({ account: `${first}HYPERLINK("x")` }), rules))).toEqual({
      code: 'TYPE_ERROR',
      detail: `CustomerID "${first}HYPERLINK(\\"x\\")": starts with '${first}', which spreadsheets read as a formula`,
    });
  });

  it('a comma, which the default pattern refuses', () => {
    expect(failure(validateRow(row({ account: 'ACC,1' }), rules))).toEqual({
      code: 'TYPE_ERROR',
      detail: 'CustomerID "ACC,1": does not match the account id pattern [^,"]+',
    });
  });

  it('an id longer than the maximum, counted in characters', () => {
    expect(failure(validateRow(row({ account: 'A'.repeat(65) }), rules)).detail).toMatch(/^CustomerID "A{60}…" \(65 chars\): is 65 characters long; at most 64 allowed$/);
    expect(validateRow(row({ account: '😀'.repeat(64) }), rules).ok).toBe(true);
  });

  it('accepts letters of any script, digits, punctuation and inner spaces by default', () => {
    for (const account of ['ACC001', 'acc-01/7_x.y', 'Jürgen Öberg', '口座-12', 'ACC 001']) {
      expect(validateRow(row({ account: account }), rules).ok).toBe(true);
    }
  });

  it('uses the configured pattern, and keeps the safety rules on whatever it allows', () => {
    const strict = rulesWith({ accountIdPattern: 'ACC\\d{3}', accountIdMaxLength: 6 });
    expect(validateRow(row({ account: 'ACC001' }), strict).ok).toBe(true);
    expect(failure(validateRow(row({ account: 'ACC01' }), strict)).detail).toBe('CustomerID "ACC01": does not match the account id pattern ACC\\d{3}');
    expect(failure(validateRow(row({ account: 'ACC0011' }), strict)).detail).toMatch(/at most 6 allowed$/);
    const anything = rulesWith({ accountIdPattern: '[^]*' });
    expect(validateRow(row({ account: 'ACC,"1"' }), anything).ok).toBe(true);
    expect(failure(validateRow(row({ account: 'ACC\u200b1' }), anything)).detail).toMatch(/ZERO WIDTH SPACE/);
    expect(failure(validateRow(row({ account: '=1+1' }), anything)).detail).toMatch(/starts with '='/);
  });
});

describe('validateRow: the plausibility window of TransactionTimestamp', () => {
  const window = '1970-01-01T00:00:00Z to 2024-06-02T10:00:00Z (not before 1970-01-01, at most 1 day after the run started)';

  it.each(['0001-01-01T00:00:00Z', '1969-12-31T23:59:59.999999Z', '9999-12-31T23:59:59Z', '2024-06-02T10:00:00.000001Z'])(
    'TIMESTAMP_ERROR for %s, naming the window',
    (timestamp) => {
      expect(failure(validateRow(row({ timestamp: timestamp }), rules))).toEqual({
        code: 'TIMESTAMP_ERROR',
        detail: `TransactionTimestamp "${timestamp}": is outside the plausibility window ${window}`,
      });
    },
  );

  it.each(['1970-01-01T00:00:00Z', '2024-06-02T10:00:00Z', '2024-06-02T11:00:00+01:00'])('accepts %s, at an end of the window', (timestamp) => {
    expect(validateRow(row({ timestamp: timestamp }), rules).ok).toBe(true);
  });

  it('counts the future from the run start it was compiled with, not from the clock', () => {
    const later = rowRules(DEFAULT_ROW_RULE_SETTINGS, '2030-01-01T00:00:00Z', TRANSACTIONS_DATASET);
    expect(validateRow(row({ timestamp: '2029-06-01T00:00:00Z' }), later).ok).toBe(true);
    expect(validateRow(row({ timestamp: '2029-06-01T00:00:00Z' }), rules).ok).toBe(false);
  });

  it('uses the configured first day and future days', () => {
    const narrow = rulesWith({ txDateMin: '2024-01-01', txDateMaxFutureDays: 0 });
    expect(failure(validateRow(row({ timestamp: '2023-12-31T23:59:59Z' }), narrow)).detail).toBe(
      'TransactionTimestamp "2023-12-31T23:59:59Z": is outside the plausibility window 2024-01-01T00:00:00Z to 2024-06-01T10:00:00Z ' +
        '(not before 2024-01-01, not after the run started)',
    );
    expect(validateRow(row({ timestamp: '2024-06-01T10:00:00Z' }), narrow).ok).toBe(true);
    expect(validateRow(row({ timestamp: '2024-06-01T10:00:01Z' }), narrow).ok).toBe(false);
  });
});

describe('validateRow: the first failing check wins', () => {
  const broken = { id: 'abc', amount: '1.234', currency: 'eur', timestamp: 'yesterday' } as const;

  it('SCHEMA_ERROR before everything', () => {
    expect(failure(validateRow(row({ ...broken, account: '' }), rules, 'broken quoting')).code).toBe('SCHEMA_ERROR');
  });

  it('NULL_VALUE_ERROR before TYPE_ERROR, CURRENCY_ERROR and TIMESTAMP_ERROR', () => {
    expect(failure(validateRow(row({ ...broken, account: '' }), rules)).code).toBe('NULL_VALUE_ERROR');
  });

  it('TYPE_ERROR on TransactionID before TransactionAmount', () => {
    expect(failure(validateRow(row(broken), rules)).detail).toMatch(/^TransactionID "abc"/);
  });

  it('TYPE_ERROR on TransactionID before CustomerID, and CustomerID before TransactionAmount', () => {
    expect(failure(validateRow(row({ ...broken, account: '=x' }), rules)).detail).toMatch(/^TransactionID "abc"/);
    expect(failure(validateRow(row({ ...broken, id: '7', account: '=x' }), rules)).detail).toMatch(/^CustomerID "=x"/);
  });

  it('TYPE_ERROR on TransactionAmount before CURRENCY_ERROR', () => {
    expect(failure(validateRow(row({ ...broken, id: '7' }), rules)).detail).toMatch(/^TransactionAmount "1.234"/);
  });

  it('CURRENCY_ERROR before TIMESTAMP_ERROR', () => {
    expect(failure(validateRow(row({ currency: 'eur', timestamp: 'yesterday' }), rules)).code).toBe('CURRENCY_ERROR');
  });

  it('TIMESTAMP_ERROR last', () => {
    expect(failure(validateRow(row({ timestamp: 'yesterday' }), rules)).code).toBe('TIMESTAMP_ERROR');
  });

  it('a CURRENCY_ERROR before an implausible date', () => {
    expect(failure(validateRow(row({ currency: 'eur', timestamp: '0001-01-01T00:00:00Z' }), rules)).code).toBe('CURRENCY_ERROR');
  });
});

describe('visibleText', () => {
  it('shows line ends, tabs and every invisible character as escapes, and the rest as it is', () => {
    expect(visibleText('a\r\n\tb')).toBe('a\\r\\n\\tb');
    expect(visibleText('\u001b[31mred\u0000 \u202eevil\u200b')).toBe('\\u001b[31mred\\u0000 \\u202eevil\\u200b');
    expect(visibleText('Ümlaut €5 ok')).toBe('Ümlaut €5 ok');
  });
});

describe('quoteValue', () => {
  it('quotes short values as JSON strings', () => {
    expect(quoteValue('12.345')).toBe('"12.345"');
    expect(quoteValue('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
  });

  it('escapes what a person cannot see: C1 controls, format characters, separators, spaces but U+0020', () => {
    expect(quoteValue('a\u0085b\u200bc\u202ed\u2028e\u00a0f g\u{e0001}')).toBe('"a\\u0085b\\u200bc\\u202ed\\u2028e\\u00a0f g\\u{e0001}"');
  });

  it('keeps 60 characters and cuts the 61st', () => {
    expect(quoteValue('x'.repeat(60))).toBe(`"${'x'.repeat(60)}"`);
    expect(quoteValue('x'.repeat(61))).toBe(`"${'x'.repeat(60)}…" (61 chars)`);
  });

  it('cuts long values in details', () => {
    expect(failure(validateRow(row({ id: 'z'.repeat(250) }), rules)).detail).toBe(
      `TransactionID "${'z'.repeat(60)}…" (250 chars): is not a number; expected a whole number such as 12345`,
    );
  });
});
