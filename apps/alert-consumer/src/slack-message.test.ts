import type { Incident } from './incident';
import { escapedWithin, escapeMrkdwn, SLACK_LIMITS, slackMessage, slackMessageText, truncate } from './slack-message';

const INCIDENT: Incident = {
  id: 'execution-20240201T090000Z-k3x9qa-FAILED',
  kind: 'execution',
  status: 'FAILED',
  headline: 'Run 20240201T090000Z-k3x9qa failed',
  stage: 'prod',
  region: 'eu-west-1',
  dataset: 'mortgages/transactions',
  runId: '20240201T090000Z-k3x9qa',
  executionName: '20240201T090000Z-k3x9qa',
  executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-prod:20240201T090000Z-k3x9qa',
  failedState: 'Enrich',
  error: 'MissingColumnsError',
  cause: 'enrichment: s3://b/k.csv is missing required column(s) Currency (header has: <TransactionID>)',
  inputFile: 's3://ledgerlake-prod-bronze/mortgages/transactions/ingest_date=2024-02-01/tx-feb.csv',
  counts: { input_rows: 1200, condemned_rows: 0 },
  occurredAt: '2024-02-01T09:00:04.567Z',
  links: [
    { label: 'Execution', url: 'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/x' },
    { label: 'Run logs (Logs Insights)', url: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home#y' },
  ],
};

describe('slackMessage', () => {
  it('says what happened, where, and links to it, block by block', () => {
    const message = slackMessage(INCIDENT);

    expect(message.text).toBe('Run 20240201T090000Z-k3x9qa failed in Enrich: MissingColumnsError');
    expect(message.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: ':rotating_light: Run 20240201T090000Z-k3x9qa failed', emoji: true } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Dataset*\nmortgages/transactions' },
          { type: 'mrkdwn', text: '*Run id*\n`20240201T090000Z-k3x9qa`' },
          { type: 'mrkdwn', text: '*Execution*\n`20240201T090000Z-k3x9qa`' },
          { type: 'mrkdwn', text: '*Failed state*\n`Enrich`' },
          { type: 'mrkdwn', text: '*Error*\n`MissingColumnsError`' },
          { type: 'mrkdwn', text: '*Input file*\n`s3://ledgerlake-prod-bronze/mortgages/transactions/ingest_date=2024-02-01/tx-feb.csv`' },
          { type: 'mrkdwn', text: '*Status*\nFAILED' },
        ],
      },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Cause*\n```enrichment: s3://b/k.csv is missing required column(s) Currency (header has: &lt;TransactionID&gt;)```' },
      },
      { type: 'section', text: { type: 'mrkdwn', text: '*Counts*\ninput 1200 · condemned 0' } },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Execution' }, url: INCIDENT.links[0]?.url, action_id: 'link-0' },
          { type: 'button', text: { type: 'plain_text', text: 'Run logs (Logs Insights)' }, url: INCIDENT.links[1]?.url, action_id: 'link-1' },
        ],
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'incident execution-20240201T090000Z-k3x9qa-FAILED · 2024-02-01T09:00:04.567Z · stage prod · eu-west-1' }],
      },
    ]);
  });

  it('keeps a huge cause within the 3000 characters of a section, and says it was cut', () => {
    const message = slackMessage({ ...INCIDENT, cause: '<'.repeat(10_000) });

    const cause = message.blocks.find((block) => block.type === 'section' && block.text?.text.startsWith('*Cause*'));
    const text = cause?.type === 'section' ? (cause.text?.text ?? '') : '';
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
    expect(text).toMatch(/^\*Cause\*\n```(&lt;)+… \[truncated\]```$/);
  });

  it('lists the reasons of a blocked run and leaves out what is unknown', () => {
    const message = slackMessage({
      id: 'run-blocked-20240204T061500Z-zz9y8x',
      kind: 'run-blocked',
      status: 'BLOCKED',
      headline: 'Run 20240204T061500Z-zz9y8x blocked by the promotion gate',
      region: 'eu-west-1',
      reasons: ['quarantine rate 7.50 % is not below 5 %', 'condemned rows 500 > 100'],
      counts: { input_rows: 1500000, valid_rows: 1387000, quarantined_rows: 112500, condemned_rows: 500 },
      occurredAt: '2024-02-04T06:17:30.000Z',
      links: [],
    });

    expect(message.blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect(JSON.stringify(message.blocks)).toContain('*Why it was blocked*\\n• quarantine rate 7.50 % is not below 5 %\\n• condemned rows 500 &gt; 100');
    expect(JSON.stringify(message.blocks)).toContain('input 1500000 · valid 1387000 · quarantined 112500 · condemned 500');
  });

  it('cuts a long headline to the 150 characters of a header', () => {
    const message = slackMessage({ ...INCIDENT, headline: `Run ${'x'.repeat(300)} failed` });

    const header = message.blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBe(SLACK_LIMITS.header);
  });
});

describe('slackMessageText', () => {
  it('renders the same message as plain text', () => {
    const text = slackMessageText(slackMessage(INCIDENT));

    expect(text).toContain(':rotating_light: Run 20240201T090000Z-k3x9qa failed\n');
    expect(text).toContain('Failed state: Enrich\n');
    expect(text).toContain('Cause:\nenrichment: s3://b/k.csv is missing required column(s) Currency (header has: <TransactionID>)\n');
    expect(text).toContain('Counts:\ninput 1200 · condemned 0\n');
    expect(text).toContain(`Execution: ${INCIDENT.links[0]?.url}\n`);
  });
});

describe('truncate / escapeMrkdwn', () => {
  it('cuts on code points and marks the cut', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('😀'.repeat(20), 15)).toBe('😀😀… [truncated]');
  });

  it('escapes &, < and >', () => {
    expect(escapeMrkdwn('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
  });
});

describe('escapedWithin', () => {
  it('never cuts an entity in half', () => {
    expect(escapedWithin('<<<<<<', 16)).toBe('… [truncated]');
    expect(escapedWithin('a<<<<<<', 18)).toBe('a&lt;… [truncated]');
    expect(escapedWithin('a<', 10)).toBe('a&lt;');
  });
});
