import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability } from '@ledgerlake/observability';
import { writeRunRecordIfAbsent } from '@ledgerlake/ledgers';
import { createLakeLayout, FsObjectStore, localBuckets } from '@ledgerlake/storage';
import { captureSink, fakeLambdaContext, startFakeSlack, type FakeSlack } from '@ledgerlake/testing';
import { createHandler, createSlackWebhook, type SqsEvent } from '../../src';
import { fixture } from '../support/alerts';

const RUN_ID = '20240201T090000Z-k3x9qa';
const EXECUTION_ARN = `arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-prod:${RUN_ID}`;

describe('alert-consumer handler', () => {
  let lake: string;
  let slack: FakeSlack;
  beforeEach(async () => {
    lake = mkdtempSync(join(tmpdir(), 'ledgerlake-alert-consumer-'));
    slack = await startFakeSlack();
  });
  afterEach(async () => {
    rmSync(lake, { recursive: true, force: true });
    await slack.close();
  });

  function build(options: { remainingMs?: number } = {}) {
    const store = new FsObjectStore(lake);
    const layout = createLakeLayout(localBuckets());
    const capture = captureSink();
    const obs = createObservability({ serviceName: 'alert-consumer', sink: capture.sink });
    // The invocation's clock moves only by what the client waits: fast, and every wait is seen.
    const waits: number[] = [];
    const elapsed = () => waits.reduce((sum, ms) => sum + ms, 0);
    const sender = createSlackWebhook({
      webhookUrl: () => Promise.resolve(slack.url),
      logger: obs.logger,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
      baseDelayMs: 10,
    });
    const handler = createHandler({ store, layout, obs, stage: 'prod', sender, now: () => new Date('2024-02-01T09:00:10Z') });
    const context = fakeLambdaContext({ functionName: 'ledgerlake-prod-alert-consumer', getRemainingTimeInMillis: () => (options.remainingMs ?? 25_000) - elapsed() });
    return { store, layout, capture, handler, context, waits };
  }

  it('posts one message per incident of a real-shaped batch and reports only the poison message as failed', async () => {
    const { store, layout, capture, handler, context } = build();
    await writeRunRecordIfAbsent(store, layout, {
      run_id: RUN_ID,
      execution_arn: EXECUTION_ARN,
      dataset: 'mortgages/transactions',
      mode: 'ingest',
      started_at: '2024-02-01T09:00:00.123Z',
      source: { bucket: 'ledgerlake-prod-bronze', key: 'mortgages/transactions/ingest_date=2024-02-01/tx-feb.csv' },
      counts: { input_rows: 1200 },
      status: 'FAILED',
      failed_at: '2024-02-01T09:00:04.000Z',
      error: 'MissingColumnsError',
      cause: 'enrichment: s3://ledgerlake-prod-bronze/mortgages/transactions/ingest_date=2024-02-01/tx-feb.csv is missing required column(s) Currency',
      failed_state: 'Enrich',
    });
    const batch = fixture<SqsEvent>('sqs-batch');

    const response = await handler(batch, context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '8f6c2a7e-0d1b-4e3a-9c5f-6b7a8d9e0f1a' }] });
    expect(slack.requests).toHaveLength(3);
    const [failed] = slack.requests;
    const body = failed?.body as { text: string; blocks: { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { url?: string; text: { text: string } }[] }[] };
    expect(body.text).toBe(`Run ${RUN_ID} failed in Enrich: MissingColumnsError`);
    const fields = body.blocks.find((block) => block.fields !== undefined)?.fields?.map((field) => field.text);
    expect(fields).toEqual([
      '*Dataset*\nmortgages/transactions',
      `*Run id*\n\`${RUN_ID}\``,
      `*Execution*\n\`${RUN_ID}\``,
      '*Failed state*\n`Enrich`',
      '*Error*\n`MissingColumnsError`',
      '*Input file*\n`s3://ledgerlake-prod-bronze/mortgages/transactions/ingest_date=2024-02-01/tx-feb.csv`',
      '*Status*\nFAILED',
    ]);
    const texts = body.blocks.map((block) => block.text?.text ?? '');
    expect(texts).toContain(
      '*Cause*\n```enrichment: s3://ledgerlake-prod-bronze/mortgages/transactions/ingest_date=2024-02-01/tx-feb.csv is missing required column(s) Currency```',
    );
    expect(texts).toContain('*Counts*\ninput 1200');
    const buttons = body.blocks.find((block) => block.type === 'actions')?.elements ?? [];
    expect(buttons.map((button) => button.text.text)).toEqual(['Execution', 'Run logs (Logs Insights)', 'Trace (X-Ray)', 'Run report']);
    expect(buttons[0]?.url).toBe(`https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${encodeURIComponent(EXECUTION_ARN)}`);
    expect(buttons[1]?.url).toContain('ledgerlake-prod-run-recorder');
    expect(buttons[2]?.url).toContain(encodeURIComponent(`annotation.run_id = "${RUN_ID}"`));
    expect((slack.requests[1]?.body as { text: string }).text).toBe('Alarm ledgerlake-prod-quarantine-rate is in ALARM');
    expect((slack.requests[2]?.body as { text: string }).text).toBe('Run 20240204T061500Z-zz9y8x blocked by the promotion gate');
    const poison = capture.logs().find((line) => line['message'] === 'malformed alert message, left for the dead-letter queue');
    expect(poison).toMatchObject({ level: 'ERROR', message_id: '8f6c2a7e-0d1b-4e3a-9c5f-6b7a8d9e0f1a', receive_count: 2, service: 'alert-consumer' });
    expect(capture.metrics()[0]).toMatchObject({ AlertsPosted: 3, AlertsFailed: 1, AlertsDuplicate: 0 });
  });

  it('posts nothing more when the same batch is delivered again', async () => {
    const { handler, context } = build();
    const batch = fixture<SqsEvent>('sqs-batch');
    await handler(batch, context);

    const again = await handler(batch, context);

    expect(again.batchItemFailures).toHaveLength(1);
    expect(slack.requests).toHaveLength(3);
  });

  it('honours Retry-After, retries 5xx, and reports a record Slack never took for redelivery', async () => {
    slack.respondWith({ status: 429, headers: { 'retry-after': '2' } }, { status: 500 }, { status: 200 }, ...Array.from({ length: 50 }, () => ({ status: 503 })));
    const { handler, context, waits } = build({ remainingMs: 9_000 });
    const batch = fixture<SqsEvent>('sqs-batch');

    const response = await handler({ Records: [batch.Records[0], batch.Records[1]] as Record<string, unknown>[] }, context);

    // The first record: 429 (waits the 2 s asked), 500 (waits 10 ms), 200. The second: 503 until the time is up.
    expect(waits.slice(0, 2)).toEqual([2_000, 10]);
    expect(waits.slice(2)).toEqual([10, 20, 40, 80, 160, 320]);
    expect(slack.requests).toHaveLength(3 + 7);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '2e1424d4-f796-459a-8184-9c92662be6da' }] });
  });

  it('never writes the webhook URL into a log line, even when posting fails', async () => {
    slack.respondWith(...Array.from({ length: 50 }, () => ({ status: 500, body: 'internal_error' })));
    const { capture, handler, context } = build({ remainingMs: 7_000 });
    const batch = fixture<SqsEvent>('sqs-batch');

    const response = await handler({ Records: [batch.Records[0]] as Record<string, unknown>[] }, context);

    expect(response.batchItemFailures).toHaveLength(1);
    expect(capture.logs().some((line) => line['message'] === 'alert not posted')).toBe(true);
    expect(capture.lines.length).toBeGreaterThan(2);
    expect(capture.lines.join('\n')).not.toContain(slack.secret);
    expect(capture.lines.join('\n')).not.toContain('/services/T0LEDGER');
  });
});
