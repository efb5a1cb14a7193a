import { createLakeLayout, MemoryObjectStore, stageBuckets } from '@ledgerlake/storage';
import { delivered, fixture, QUEUE_ARN } from '../tests/support/alerts';
import { sqsRecord } from './envelopes';
import { MalformedAlertMessageError, SlackUnavailableError } from './errors';
import { readPostedAlert } from './posted-alerts';
import { processAlertRecord } from './process-alert';
import type { SlackMessage } from './slack-message';
import type { AlertSender } from './slack-webhook';

const layout = createLakeLayout(stageBuckets('ledgerlake-prod'));
const BUDGET = { remainingMs: () => 25_000 };
const INCIDENT = 'execution-20240201T090000Z-k3x9qa-FAILED';

function recordingLogger() {
  const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, ...extra: Record<string, unknown>[]) => {
    lines.push({ level, message, extra: Object.assign({}, ...extra) as Record<string, unknown> });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

function recordingSender(failures: Error[] = []): AlertSender & { sent: SlackMessage[] } {
  const sent: SlackMessage[] = [];
  return {
    sent,
    send: (message) => {
      const failure = failures.shift();
      if (failure !== undefined) return Promise.reject(failure);
      sent.push(message);
      return Promise.resolve();
    },
  };
}

function setup(failures: Error[] = []) {
  const store = new MemoryObjectStore();
  const sender = recordingSender(failures);
  const logger = recordingLogger();
  const deps = { store, layout, stage: 'prod', sender, logger, now: () => new Date('2024-02-01T09:00:10Z') };
  return { store, sender, logger, deps };
}

describe('processAlertRecord', () => {
  it('posts one message for a failed execution and records it as posted', async () => {
    const { store, sender, logger, deps } = setup();

    const outcome = await processAlertRecord(delivered(fixture('execution-failed'), { messageId: 'm-1' }), BUDGET, deps);

    expect(outcome).toEqual({ status: 'posted', incident_id: INCIDENT });
    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0]?.text).toBe('Run 20240201T090000Z-k3x9qa failed: MissingColumnsError');
    expect(await readPostedAlert(store, layout.control.postedAlert(INCIDENT))).toMatchObject({ status: 'posted', message_id: 'm-1' });
    expect(logger.lines).toContainEqual({
      level: 'info',
      message: 'alert posted',
      extra: expect.objectContaining({ run_id: '20240201T090000Z-k3x9qa', incident_id: INCIDENT, message_id: 'm-1', recorded: true }),
    });
  });

  it('posts a duplicate delivery of the same incident only once', async () => {
    const { sender, deps } = setup();

    const first = await processAlertRecord(delivered(fixture('execution-failed'), { messageId: 'm-1' }), BUDGET, deps);
    const second = await processAlertRecord(delivered(fixture('execution-failed'), { messageId: 'm-2' }), BUDGET, deps);

    expect([first.status, second.status]).toEqual(['posted', 'duplicate']);
    expect(sender.sent).toHaveLength(1);
  });

  it('fails the record when Slack does not take it, releasing the claim so the redelivery posts', async () => {
    const { store, sender, logger, deps } = setup([new SlackUnavailableError('alert-consumer: Slack did not take the message', 503)]);
    const record = delivered(fixture('execution-failed'), { messageId: 'm-1' });

    await expect(processAlertRecord(record, BUDGET, deps)).rejects.toThrow(SlackUnavailableError);
    expect(await readPostedAlert(store, layout.control.postedAlert(INCIDENT))).toMatchObject({ status: 'released', last_error: 'SlackUnavailableError' });
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'alert not posted', extra: expect.objectContaining({ claim_released: true }) }));

    const again = await processAlertRecord(record, BUDGET, deps);

    expect(again.status).toBe('posted');
    expect(sender.sent).toHaveLength(1);
    expect(await readPostedAlert(store, layout.control.postedAlert(INCIDENT))).toMatchObject({ status: 'posted', attempts: 2 });
  });

  it('fails a malformed message, logging its message id, so the redrive policy moves it to the DLQ', async () => {
    const { store, sender, logger, deps } = setup();
    const poison = sqsRecord('not json', { queueArn: QUEUE_ARN, messageId: 'poison-1', receiveCount: 2 });

    await expect(processAlertRecord(poison, BUDGET, deps)).rejects.toThrow(MalformedAlertMessageError);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        message: 'malformed alert message, left for the dead-letter queue',
        extra: expect.objectContaining({ message_id: 'poison-1', receive_count: 2, max_receive_count: 3 }),
      },
    ]);
    expect(sender.sent).toEqual([]);
    expect(await store.list(layout.buckets.artifacts, 'alerts/')).toMatchObject({ objects: [] });
  });

  it('acknowledges a malformed message received more often than the DLQ allows, logging its body', async () => {
    const { logger, deps } = setup();
    const poison = sqsRecord('not json', { queueArn: QUEUE_ARN, messageId: 'poison-1', receiveCount: 4 });

    const outcome = await processAlertRecord(poison, BUDGET, deps);

    expect(outcome).toEqual({ status: 'dropped' });
    expect(logger.lines[0]).toMatchObject({ level: 'error', extra: { message_id: 'poison-1', receive_count: 4, body: 'not json' } });
  });

  it('acknowledges a message that reports no incident without posting', async () => {
    const { sender, deps } = setup();

    expect(await processAlertRecord(delivered(fixture('execution-succeeded')), BUDGET, deps)).toEqual({ status: 'ignored' });
    expect(await processAlertRecord(delivered(fixture('alarm-ok')), BUDGET, deps)).toEqual({ status: 'ignored' });
    expect(sender.sent).toEqual([]);
  });

  it('posts an alarm and a blocked run, each once', async () => {
    const { sender, deps } = setup();

    await processAlertRecord(delivered(fixture('alarm-condemned-rows')), BUDGET, deps);
    await processAlertRecord(delivered(fixture('run-blocked')), BUDGET, deps);
    await processAlertRecord(delivered(fixture('run-blocked')), BUDGET, deps);

    expect(sender.sent.map((message) => message.text)).toEqual([
      'Alarm ledgerlake-prod-condemned-rows is in ALARM',
      'Run 20240204T061500Z-zz9y8x blocked by the promotion gate',
    ]);
  });
});
