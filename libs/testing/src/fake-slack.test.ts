import { startFakeSlack } from './fake-slack';

describe('startFakeSlack', () => {
  it('records a JSON post and answers ok, then the queued answers in order', async () => {
    const slack = await startFakeSlack();
    try {
      slack.respondWith({ status: 429, headers: { 'retry-after': '3' }, body: 'rate_limited' });
      const post = () => fetch(slack.url, { method: 'POST', body: JSON.stringify({ text: 'hi' }) });

      const limited = await post();
      const ok = await post();

      expect([limited.status, limited.headers.get('retry-after'), await limited.text()]).toEqual([429, '3', 'rate_limited']);
      expect([ok.status, await ok.text()]).toEqual([200, 'ok']);
      expect(slack.requests).toHaveLength(2);
      expect(slack.requests[0]).toMatchObject({ method: 'POST', body: { text: 'hi' } });
      expect(slack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/services\/T0LEDGER\/B0LAKE\//);
      expect(slack.url.endsWith(slack.secret)).toBe(true);
    } finally {
      await slack.close();
    }
  });

  it('answers 404 no_service to any other path, and keeps a body that is not JSON as text', async () => {
    const slack = await startFakeSlack();
    try {
      const response = await fetch(new URL('/services/T/B/wrong', slack.url), { method: 'POST', body: 'plain' });

      expect([response.status, await response.text()]).toEqual([404, 'no_service']);
      expect(slack.requests[0]?.body).toBe('plain');
    } finally {
      await slack.close();
    }
  });
});
