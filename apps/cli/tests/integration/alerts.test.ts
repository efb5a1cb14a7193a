import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBlockedEvent } from '@ledgerlake/domain';
import { startFakeSlack, type FakeSlack } from '@ledgerlake/testing';
import { createLocalAlerts } from '../../src/local-alerts';
import { openLake } from '../../src/lake-folder';
import { runCli, runLogLines, useTempLake } from '../support/cli-harness';

const dirs = useTempLake('ledgerlake-cli-alerts-');
const NO_CURRENCY = 'TransactionID,CustomerID,TransactionAmount,TransactionTimestamp\n1,ACC001,1.00,2024-01-05T09:00:00Z\n';

interface PostedBody {
  text: string;
  blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
}

describe('failure alerts of the local command', () => {
  let slack: FakeSlack;
  beforeEach(async () => {
    slack = await startFakeSlack();
  });
  afterEach(async () => {
    await slack.close();
  });

  it('posts one Slack message naming the run, the failed state and the missing column when an ingest fails', async () => {
    const file = join(dirs.work, 'no-currency.csv');
    await writeFile(file, NO_CURRENCY);

    const result = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work, { env: { SLACK_WEBHOOK_URL: slack.url } });

    expect(result.code).toBe(1);
    const [outcome] = JSON.parse(result.stdout) as { run_id: string; status: string }[];
    const runId = String(outcome?.run_id);
    expect(outcome?.status).toBe('FAILED');
    expect(slack.requests).toHaveLength(1);
    const body = slack.requests[0]?.body as PostedBody;
    expect(body.text).toBe(`Run ${runId} failed in PlanChunks: MissingColumnsError`);
    const fields = body.blocks.flatMap((block) => block.fields ?? []).map((field) => field.text);
    expect(fields).toEqual(expect.arrayContaining([`*Run id*\n\`${runId}\``, '*Failed state*\n`PlanChunks`', '*Error*\n`MissingColumnsError`']));
    const cause = body.blocks.find((block) => block.text?.text.startsWith('*Cause*'))?.text?.text;
    expect(cause).toContain('missing required column(s) Currency');
    expect(JSON.stringify(body)).toContain('/aws/lambda/ledgerlake-local-enrichment'.replace(/\//g, '*2F'));
    expect(result.stderr).not.toContain(slack.secret);
    const log = await runLogLines(dirs.lake, runId);
    expect(log).toContainEqual(expect.objectContaining({ service: 'alert-consumer', message: 'alert posted', run_id: runId }));
    expect(JSON.stringify(log)).not.toContain(slack.secret);
    expect(existsSync(join(dirs.lake, 'artifacts/alerts/posted', `execution-${runId}-FAILED.json`))).toBe(true);
  });

  it('without a webhook keeps the whole message in the lake and says so in one line on stderr, never stdout', async () => {
    const file = join(dirs.work, 'no-currency.csv');
    await writeFile(file, NO_CURRENCY);

    const result = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work);

    const [outcome] = JSON.parse(result.stdout) as { run_id: string }[];
    const kept = await readdir(join(dirs.lake, 'artifacts/alerts/shown'));
    expect(kept).toHaveLength(1);
    const path = join(dirs.lake, 'artifacts/alerts/shown', kept[0] as string);
    expect(result.stderr).toBe(`ledgerlake: alert: Run ${outcome?.run_id} failed in PlanChunks: MissingColumnsError (no SLACK_WEBHOOK_URL: its full text is in ${path})\n`);
    const text = await readFile(path, 'utf8');
    expect(text).toContain(`Run id: ${outcome?.run_id}\n`);
    expect(text).toContain('Failed state: PlanChunks\n');
    expect(text).toMatch(/Cause:\n.*missing required column\(s\) Currency/);
    expect(result.stdout).not.toContain('Failed state');
  });

  it('--quiet keeps the message without the line; --no-alerts delivers none at all', async () => {
    const file = join(dirs.work, 'no-currency.csv');
    await writeFile(file, NO_CURRENCY);
    const other = join(dirs.work, 'no-currency-2.csv');
    await writeFile(other, NO_CURRENCY.replace('ACC001', 'ACC002'));

    const quiet = await runCli(['ingest', file, '--quiet', '--lake', dirs.lake], dirs.work);
    const none = await runCli(['ingest', other, '--no-alerts', '--lake', dirs.lake], dirs.work, { env: { SLACK_WEBHOOK_URL: slack.url } });

    expect(quiet).toMatchObject({ code: 1, stderr: '' });
    expect(await readdir(join(dirs.lake, 'artifacts/alerts/shown'))).toHaveLength(1);
    expect(none).toMatchObject({ code: 1, stderr: '' });
    expect(slack.requests).toHaveLength(0);
    expect(await readdir(join(dirs.lake, 'artifacts/alerts/shown'))).toHaveLength(1);
  });

  it('says nothing when the run succeeds', async () => {
    const file = join(dirs.work, 'ok.csv');
    await writeFile(file, 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n1,ACC001,1.00,EUR,2024-01-05T09:00:00Z\n');

    const result = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work, { env: { SLACK_WEBHOOK_URL: slack.url } });

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(0);
  });

  it('publishes an event the pipeline raises itself (a blocked run) once, however often it is published', async () => {
    const lake = await openLake(dirs.lake);
    let stderr = '';
    const alerts = createLocalAlerts({ lake, env: { SLACK_WEBHOOK_URL: slack.url }, stderr: { write: (chunk: string) => (stderr += chunk) } });
    const event = runBlockedEvent({
      run_id: '20240204T061500Z-zz9y8x',
      execution_arn: 'arn:aws:states:local:000000000000:execution:ledgerlake:20240204T061500Z-zz9y8x',
      execution_name: '20240204T061500Z-zz9y8x',
      dataset: 'mortgages/transactions',
      mode: 'ingest',
      source: { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2024-02-04/tx.csv' },
      counts: { input_rows: 100, valid_rows: 90, quarantined_rows: 10, condemned_rows: 0 },
      quarantine_by_reason: { CURRENCY_ERROR: 10 },
      condemned_by_reason: {},
      reasons: ['quarantine rate 10.00 % (10 of 100 rows) is not below the 5 % threshold'],
      blocked_at: '2024-02-04T06:17:30.000Z',
    });

    const first = await alerts.publish(event);
    const second = await alerts.publish(event);

    expect([first, second]).toEqual(['posted', 'none']);
    expect(slack.requests).toHaveLength(1);
    expect((slack.requests[0]?.body as PostedBody).text).toBe('Run 20240204T061500Z-zz9y8x blocked by the promotion gate');
    expect(stderr).toBe('');
  });

  it('reports on stderr when Slack refuses the alert, and the command still ends as the run did', async () => {
    slack.respondWith({ status: 403, body: 'invalid_token' });
    const file = join(dirs.work, 'no-currency.csv');
    await writeFile(file, NO_CURRENCY);

    const result = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work, { env: { SLACK_WEBHOOK_URL: slack.url } });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the failure alert could not be delivered');
    expect(result.stderr).not.toContain(slack.secret);
  });
});
