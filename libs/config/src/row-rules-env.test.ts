import { ConfigError, DEFAULT_ROW_RULE_SETTINGS } from '@ledgerlake/domain';
import { parseConfig } from './parse-config';
import { RowRulesEnvSchema, rowRuleSettingsFromEnv } from './row-rules-env';

const parse = (env: Record<string, string>) => rowRuleSettingsFromEnv(parseConfig(RowRulesEnvSchema, env, 'test'));

describe('RowRulesEnvSchema', () => {
  it('gives the domain defaults when nothing is set', () => {
    expect(parse({})).toEqual({ ...DEFAULT_ROW_RULE_SETTINGS, currencies: [...DEFAULT_ROW_RULE_SETTINGS.currencies] });
  });

  it('reads every key', () => {
    expect(
      parse({
        CURRENCY_ALLOWLIST: 'EUR, CZK',
        ACCOUNT_ID_PATTERN: 'ACC\\d{3} ',
        ACCOUNT_ID_MAX_LENGTH: '12',
        TX_DATE_MIN: '2000-01-01',
        TX_DATE_MAX_FUTURE_DAYS: '0',
      }),
    ).toEqual({ currencies: ['EUR', 'CZK'], accountIdPattern: 'ACC\\d{3} ', accountIdMaxLength: 12, txDateMin: '2000-01-01', txDateMaxFutureDays: 0 });
  });

  it('names the key of a pattern that does not compile, in one sentence, without the value', () => {
    let error: unknown;
    try {
      parse({ ACCOUNT_ID_PATTERN: '[A-Z' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'test: invalid configuration, 1 bad key: ACCOUNT_ID_PATTERN (invalid, expected a regular expression with the u flag; ' +
        'it is not a valid regular expression (Unterminated character class))',
    );
  });

  it('names every bad key at once', () => {
    expect(() => parse({ ACCOUNT_ID_MAX_LENGTH: '0', TX_DATE_MIN: '2023-02-29', TX_DATE_MAX_FUTURE_DAYS: '-1' })).toThrow(
      /3 bad keys: ACCOUNT_ID_MAX_LENGTH \(invalid, expected a positive integer\), TX_DATE_MIN \(invalid, expected a real date YYYY-MM-DD .*\), TX_DATE_MAX_FUTURE_DAYS \(invalid, expected a whole number, 0 or more\)/,
    );
    expect(() => parse({ TX_DATE_MIN: '1970' })).toThrow(/TX_DATE_MIN \(invalid, expected a date YYYY-MM-DD\)/);
  });
});
