import { startFakeSlack, type FakeSlack } from '@ledgerlake/testing';
import { SlackRejectedError, SlackUnavailableError, WebhookConfigError } from './errors';
import type { SlackMessage } from './slack-message';
import { createSlackWebhook, retryAfterMs } from './slack-webhook';

const MESSAGE: SlackMessage = { text: 'Run 20240201T090000Z failed', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }] };

/** A clock the fake sleep moves: the budget shrinks by exactly what the client waited. */
function fakeTime(totalMs: number) {
  const waits: number[] = [];
  let elapsed = 0;
  return {
    waits,
    sleep: (ms: number) => {
      waits.push(ms);
      elapsed += ms;
      return Promise.resolve();
    },
    budget: { remainingMs: () => totalMs - elapsed },
  };
}

describe('createSlackWebhook', () => {
  let slack: FakeSlack;
  beforeEach(async () => {
    slack = await startFakeSlack();
  });
  afterEach(async () => {
    await slack.close();
  });

  it('posts the message as JSON to the webhook once', async () => {
    const time = fakeTime(30_000);
    const webhook = createSlackWebhook({ webhookUrl: () => Promise.resolve(slack.url), sleep: time.sleep });

    await webhook.send(MESSAGE, time.budget);

    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]).toMatchObject({ method: 'POST', body: MESSAGE });
    expect(slack.requests[0]?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(time.waits).toEqual([]);
  });

  it('waits exactly what Retry-After asks after a 429, then posts again', async () => {
    slack.respondWith({ status: 429, headers: { 'retry-after': '7' }, body: 'rate_limited' });
    const time = fakeTime(30_000);
    const webhook = createSlackWebhook({ webhookUrl: () => Promise.resolve(slack.url), sleep: time.sleep });

    await webhook.send(MESSAGE, time.budget);

    expect(time.waits).toEqual([7_000]);
    expect(slack.requests).toHaveLength(2);
  });

  it('backs off exponentially after 5xx answers, then succeeds', async () => {
    slack.respondWith({ status: 500 }, { status: 502 }, { status: 503 });
    const time = fakeTime(30_000);
    const webhook = createSlackWebhook({ webhookUrl: () => Promise.resolve(slack.url), sleep: time.sleep, baseDelayMs: 100 });

    await webhook.send(MESSAGE, time.budget);

    expect(time.waits).toEqual([100, 200, 400]);
    expect(slack.requests).toHaveLength(4);
  });

  it('gives up with a retryable error when the next wait would not fit the time left, and says why', async () => {
    slack.respondWith(...Array.from({ length: 20 }, () => ({ status: 500 })));
    const time = fakeTime(10_000);
    const webhook = createSlackWebhook({ webhookUrl: () => Promise.resolve(slack.url), sleep: time.sleep, baseDelayMs: 1_000, reserveMs: 2_000 });

    const sending = webhook.send(MESSAGE, time.budget);

    await expect(sending).rejects.toThrow(SlackUnavailableError);
    await expect(sending).rejects.toMatchObject({ retryable: true, status: 500 });
    await expect(sending).rejects.toThrow(/HTTP 500 on attempt 4\); waiting 8000 ms more does not fit the time left/);
    // 10 s, less 2 s kept back: 1 + 2 + 4 s of waiting fit, 8 s more does not.
    expect(time.waits).toEqual([1_000, 2_000, 4_000]);
    expect(slack.requests).toHaveLength(4);
  });

  it('does not wait a Retry-After longer than the invocation has left', async () => {
    slack.respondWith({ status: 429, headers: { 'retry-after': '60' } });
    const time = fakeTime(30_000);
    const webhook = createSlackWebhook({ webhookUrl: () => Promise.resolve(slack.url), sleep: time.sleep });

    await expect(webhook.send(MESSAGE, time.budget)).rejects.toThrow(/HTTP 429 on attempt 1\); waiting 60000 ms more/);
    expect(time.waits).toEqual([]);
  });

  it('refuses at once, not retryable, when Slack rejects the payload or the webhook', async () => {
    slack.respondWith({ status: 400, body: 'invalid_blocks' });
    const time = fakeTime(30_000);
    const webhook = createSlackWebhook({ webhookUrl: () => Promise.resolve(slack.url), sleep: time.sleep });

    const sending = webhook.send(MESSAGE, time.budget);

    await expect(sending).rejects.toThrow(SlackRejectedError);
    await expect(sending).rejects.toMatchObject({ retryable: false, status: 400 });
    await expect(sending).rejects.toThrow('alert-consumer: Slack refused the message: HTTP 400 invalid_blocks');
    expect(slack.requests).toHaveLength(1);
  });

  it('retries a network error, and no error message holds the URL', async () => {
    const closed = await startFakeSlack();
    const url = closed.url;
    await closed.close();
    const time = fakeTime(8_000);
    const webhook = createSlackWebhook({ webhookUrl: () => Promise.resolve(url), sleep: time.sleep, baseDelayMs: 500, reserveMs: 1_000 });

    const error = (await webhook.send(MESSAGE, time.budget).catch((thrown: unknown) => thrown)) as Error;

    expect(error).toBeInstanceOf(SlackUnavailableError);
    expect(error.message).toMatch(/network error ECONNREFUSED/);
    expect(time.waits.length).toBeGreaterThan(1);
    expect(JSON.stringify({ message: error.message, stack: error.stack, cause: error.cause })).not.toContain(closed.secret);
  });

  it('starts no request when the invocation has no time left', async () => {
    const webhook = createSlackWebhook({ webhookUrl: () => Promise.resolve(slack.url) });

    await expect(webhook.send(MESSAGE, { remainingMs: () => 4_000 })).rejects.toThrow(/no time left/);
    expect(slack.requests).toHaveLength(0);
  });

  it.each([
    ['unreadable', () => Promise.reject(new Error('ParameterNotFound: /ledgerlake/dev/slack-webhook-url')), /could not be read \(Error\)/],
    ['not a URL', () => Promise.resolve('hooks.slack.com/services/T/B/s3cr3t-value'), /is not a URL$/],
    ['not http(s)', () => Promise.resolve('ftp://hooks.slack.com/services/T/B/s3cr3t-value'), /not an http\(s\) URL/],
  ])('fails with WebhookConfigError when the URL is %s, without quoting it', async (_, webhookUrl, message) => {
    const webhook = createSlackWebhook({ webhookUrl });

    const error = (await webhook.send(MESSAGE, { remainingMs: () => 30_000 }).catch((thrown: unknown) => thrown)) as Error;

    expect(error).toBeInstanceOf(WebhookConfigError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('s3cr3t');
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2024-02-01T09:00:00Z');

  it('reads seconds and HTTP dates, and takes one second for anything else', () => {
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 01 Feb 2024 09:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs(null, now)).toBe(1_000);
    expect(retryAfterMs('soon', now)).toBe(1_000);
  });
});
