import { ConfigError } from '@ledgerlake/domain';
import { bucketsFromEnv, LakeBucketsEnvSchema } from './lake-buckets-env';
import { parseConfig } from './parse-config';

const env = {
  BRONZE_BUCKET: 'll-prod-bronze',
  SILVER_BUCKET: 'll-prod-silver',
  GOLD_BUCKET: 'll-prod-gold',
  QUARANTINE_BUCKET: 'll-prod-quarantine',
  ARTIFACTS_BUCKET: 'll-prod-artifacts',
};

describe('LakeBucketsEnvSchema', () => {
  it('maps the five bucket variables to the logical buckets', () => {
    expect(bucketsFromEnv(parseConfig(LakeBucketsEnvSchema, env, 'test'))).toEqual({
      bronze: 'll-prod-bronze',
      silver: 'll-prod-silver',
      gold: 'll-prod-gold',
      quarantine: 'll-prod-quarantine',
      artifacts: 'll-prod-artifacts',
    });
  });

  it('names every missing or malformed bucket variable at once', () => {
    const bad = { ...env, SILVER_BUCKET: 'Not_A_Bucket', GOLD_BUCKET: undefined };

    expect(() => parseConfig(LakeBucketsEnvSchema, bad, 'test')).toThrow(ConfigError);
    expect(() => parseConfig(LakeBucketsEnvSchema, bad, 'test')).toThrow(/2 bad keys: SILVER_BUCKET \(invalid, expected an S3 bucket name.*GOLD_BUCKET \(missing/);
  });
});
