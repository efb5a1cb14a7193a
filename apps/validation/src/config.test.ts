import { bucketsFromEnv, parseConfig } from '@ledgerlake/config';
import { ConfigError, DEFAULT_CURRENCIES, DEFAULT_QUALITY_POLICY, DEFAULT_ROW_RULE_SETTINGS } from '@ledgerlake/domain';
import { settingsFromConfig, ValidationConfigSchema } from './config';
import { lakeBucketsEnv } from '@ledgerlake/testing';

const BUCKETS = lakeBucketsEnv('dev');

describe('ValidationConfigSchema', () => {
  it('defaults to the contract: the domain row rules and quality policy (a 60 min / >100 rows / >5 % breaker)', () => {
    const config = parseConfig(ValidationConfigSchema, BUCKETS, 'validation');

    expect(settingsFromConfig(config)).toEqual({
      rules: { ...DEFAULT_ROW_RULE_SETTINGS, currencies: [...DEFAULT_CURRENCIES] },
      breaker: DEFAULT_QUALITY_POLICY.breaker,
    });
    expect(bucketsFromEnv(config)).toEqual({
      bronze: 'll-dev-bronze',
      silver: 'll-dev-silver',
      gold: 'll-dev-gold',
      quarantine: 'll-dev-quarantine',
      artifacts: 'll-dev-artifacts',
    });
  });

  it('reads the row rules and thresholds from the environment', () => {
    const config = parseConfig(
      ValidationConfigSchema,
      {
        ...BUCKETS,
        CURRENCY_ALLOWLIST: 'EUR, CZK',
        ACCOUNT_ID_PATTERN: 'ACC\\d+',
        ACCOUNT_ID_MAX_LENGTH: '10',
        TX_DATE_MIN: '2000-01-01',
        TX_DATE_MAX_FUTURE_DAYS: '0',
        BREAKER_WINDOW_MINUTES: '30',
        BREAKER_MIN_FAILED_ROWS: '500',
        BREAKER_MIN_FAILED_RATE: '0.1',
      },
      'validation',
    );

    expect(settingsFromConfig(config)).toEqual({
      rules: { currencies: ['EUR', 'CZK'], accountIdPattern: 'ACC\\d+', accountIdMaxLength: 10, txDateMin: '2000-01-01', txDateMaxFutureDays: 0 },
      breaker: { windowMinutes: 30, tripAboveFailedRows: 500, tripAboveFailedRate: { numerator: 1n, denominator: 10n } },
    });
  });

  it('reports every bad key at once, without values', () => {
    const parse = () =>
      parseConfig(
        ValidationConfigSchema,
        { ...BUCKETS, SILVER_BUCKET: 'Not_A_Bucket', CURRENCY_ALLOWLIST: 'EUR,euro', ACCOUNT_ID_PATTERN: '(ACC', BREAKER_MIN_FAILED_RATE: '5%' },
        'validation',
      );

    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/4 bad keys: SILVER_BUCKET .*CURRENCY_ALLOWLIST.*ACCOUNT_ID_PATTERN.*BREAKER_MIN_FAILED_RATE/);
    expect(parse).not.toThrow(/Not_A_Bucket|euro|\(ACC/);
  });
});
