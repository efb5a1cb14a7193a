import { bucketsFromEnv, parseConfig } from '@ledgerlake/config';
import { ConfigError } from '@ledgerlake/domain';
import { lakeBucketsEnv } from '@ledgerlake/testing';
import { AlertConsumerConfigSchema } from './config';

const BUCKETS = lakeBucketsEnv('dev');
const SECRET_URL = 'https://hooks.slack.com/services/T000/B000/secretsecretsecret';

describe('AlertConsumerConfigSchema', () => {
  it('reads the buckets, the stage and the SSM parameter name, with defaults', () => {
    const config = parseConfig(
      AlertConsumerConfigSchema,
      { ...BUCKETS, STAGE: 'dev', SLACK_WEBHOOK_PARAMETER: '/ledgerlake/dev/slack-webhook-url' },
      'alert-consumer',
    );

    expect(bucketsFromEnv(config)).toMatchObject({ artifacts: 'll-dev-artifacts' });
    expect(config).toMatchObject({
      STAGE: 'dev',
      SLACK_WEBHOOK_PARAMETER: '/ledgerlake/dev/slack-webhook-url',
      MAX_RECEIVE_COUNT: 3,
      SLACK_WEBHOOK_CACHE_SECONDS: 300,
    });
  });

  it('takes the URL itself instead of a parameter', () => {
    const config = parseConfig(AlertConsumerConfigSchema, { ...BUCKETS, STAGE: 'local', SLACK_WEBHOOK_URL: SECRET_URL }, 'alert-consumer');

    expect(config.SLACK_WEBHOOK_URL).toBe(SECRET_URL);
  });

  it.each([
    ['neither', {}],
    ['both', { SLACK_WEBHOOK_PARAMETER: '/p', SLACK_WEBHOOK_URL: SECRET_URL }],
  ])('refuses %s of the webhook sources, without quoting the URL', (_, webhook) => {
    const parse = () => parseConfig(AlertConsumerConfigSchema, { ...BUCKETS, STAGE: 'dev', ...webhook }, 'alert-consumer');

    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/exactly one of SLACK_WEBHOOK_PARAMETER/);
    expect(() => parse()).not.toThrow(SECRET_URL);
  });

  it('reports every bad key at once', () => {
    const parse = () => parseConfig(AlertConsumerConfigSchema, { STAGE: 'Bad Stage', SLACK_WEBHOOK_PARAMETER: 'no-slash' }, 'alert-consumer');

    expect(parse).toThrow(/7 bad keys/);
  });
});
