import { CurrencyCodeSchema, DEFAULT_CURRENCIES } from './currency';

describe('currency', () => {
  it('defaults to exactly the contract allowlist', () => {
    expect([...DEFAULT_CURRENCIES].sort()).toEqual(
      ['AUD', 'CAD', 'CHF', 'DKK', 'EUR', 'GBP', 'JPY', 'NOK', 'PLN', 'SEK', 'USD'],
    );
  });

  it('has only well-formed default codes', () => {
    expect(DEFAULT_CURRENCIES.filter((code) => !CurrencyCodeSchema.safeParse(code).success)).toEqual([]);
  });

  it.each(['eur', 'EU', 'EURO', 'E1R', ' EUR', ''])('rejects the code %j', (code) => {
    expect(CurrencyCodeSchema.safeParse(code).success).toBe(false);
  });
});
