import { WebhookConfigError } from './errors';
import { webhookUrlSource } from './webhook-url';

const URL_VALUE = 'https://hooks.slack.com/services/T000/B000/secretsecret';

function fakeParameters(value: unknown) {
  const calls: unknown[][] = [];
  return { calls, get: (...args: unknown[]) => (calls.push(args), Promise.resolve(value)) };
}

describe('webhookUrlSource', () => {
  it('reads the SecureString decrypted, with the configured cache age', async () => {
    const parameters = fakeParameters(URL_VALUE);
    const source = webhookUrlSource({ SLACK_WEBHOOK_PARAMETER: '/ledgerlake/prod/slack-webhook-url', SLACK_WEBHOOK_CACHE_SECONDS: 300 }, parameters);

    expect(await source()).toBe(URL_VALUE);
    expect(parameters.calls).toEqual([['/ledgerlake/prod/slack-webhook-url', { decrypt: true, maxAge: 300 }]]);
  });

  it('uses a configured URL as it is, without SSM', async () => {
    const parameters = fakeParameters('unused');
    const source = webhookUrlSource({ SLACK_WEBHOOK_URL: URL_VALUE, SLACK_WEBHOOK_CACHE_SECONDS: 300 }, parameters);

    expect(await source()).toBe(URL_VALUE);
    expect(parameters.calls).toEqual([]);
  });

  it('fails naming the parameter when it holds nothing', async () => {
    const source = webhookUrlSource({ SLACK_WEBHOOK_PARAMETER: '/p', SLACK_WEBHOOK_CACHE_SECONDS: 1 }, fakeParameters(undefined));

    await expect(source()).rejects.toThrow(WebhookConfigError);
    await expect(source()).rejects.toThrow('the SSM parameter /p holds no webhook URL');
  });

  it('refuses a configuration with no source at all', () => {
    expect(() => webhookUrlSource({ SLACK_WEBHOOK_CACHE_SECONDS: 1 }, fakeParameters(''))).toThrow(WebhookConfigError);
  });
});
