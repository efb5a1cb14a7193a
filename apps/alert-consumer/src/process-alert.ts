import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { parseAlertRecord, recordFacts } from './alert-message';
import { MalformedAlertMessageError } from './errors';
import { describeIncident } from './incident';
import { claimAlert, markPosted, releaseAlert } from './posted-alerts';
import { slackMessage } from './slack-message';
import type { AlertSender, DeliveryBudget } from './slack-webhook';

/** The logging the core does (Powertools' Logger has it). */
export interface AlertLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** What processing one queue record needs. */
export interface ProcessAlertDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  /** The deployment stage (log group names), when the event does not tell it. */
  readonly stage: string;
  readonly sender: AlertSender;
  readonly logger: AlertLogger;
  /** Default `() => new Date()`. */
  readonly now?: () => Date;
  /** The queue's redrive `maxReceiveCount` (default 3): after that many receives SQS moves a message to the DLQ. */
  readonly maxReceiveCount?: number;
}

/** What became of one record. `dropped`: a malformed message received more often than the DLQ allows (see `processAlertRecord`). */
export type AlertOutcome =
  | { readonly status: 'posted' | 'duplicate'; readonly incident_id: string }
  | { readonly status: 'ignored' | 'dropped' };

/** Default redrive policy of the queue: the third failed receive moves a message to the dead-letter queue. */
export const DEFAULT_MAX_RECEIVE_COUNT = 3;
/** The most of a poison message's body a log line quotes. */
const MAX_LOGGED_BODY = 2_000;

/**
 * Processes one SQS record: parse it, describe its incident, claim it, post it, record it.
 * Resolves when the record is done with (posted, a duplicate, or no incident in it); throws to
 * have SQS deliver it again (Powertools batch reports it in `batchItemFailures`).
 *
 * A malformed message is logged at error level with its `messageId` and fails: the queue's redrive
 * policy moves it to the dead-letter queue on its `maxReceiveCount`-th receive, body intact, after
 * at most that many tries. Should it come back more often than that — the queue has no working
 * redrive policy — it is acknowledged instead, its body logged, so it cannot loop until retention
 * ends.
 */
export async function processAlertRecord(record: unknown, budget: DeliveryBudget, deps: ProcessAlertDeps): Promise<AlertOutcome> {
  const { store, layout, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const maxReceiveCount = deps.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;

  let parsed;
  try {
    parsed = parseAlertRecord(record);
  } catch (error) {
    if (!(error instanceof MalformedAlertMessageError)) throw error;
    const { messageId, receiveCount } = recordFacts(record);
    if (receiveCount > maxReceiveCount) {
      logger.error('malformed alert message acknowledged: received more often than the dead-letter queue allows', {
        message_id: messageId,
        receive_count: receiveCount,
        max_receive_count: maxReceiveCount,
        error,
        body: quotedBody(record),
      });
      return { status: 'dropped' };
    }
    logger.error('malformed alert message, left for the dead-letter queue', {
      message_id: messageId,
      receive_count: receiveCount,
      max_receive_count: maxReceiveCount,
      error,
    });
    throw error;
  }

  const incident = await describeIncident(parsed.message, { store, layout, stage: deps.stage, logger });
  const facts = { message_id: parsed.messageId, receive_count: parsed.receiveCount, sns_message_id: parsed.notification.MessageId };
  if (incident === undefined) {
    logger.info('no incident in this message', { ...facts, kind: parsed.message.kind });
    return { status: 'ignored' };
  }
  const keys = {
    ...facts,
    incident_id: incident.id,
    ...(incident.runId === undefined ? {} : { run_id: incident.runId }),
    ...(incident.executionArn === undefined ? {} : { execution_arn: incident.executionArn }),
  };

  const ref = layout.control.postedAlert(incident.id);
  const claim = await claimAlert(store, ref, {
    incidentId: incident.id,
    kind: incident.kind,
    ...(incident.runId === undefined ? {} : { runId: incident.runId }),
    messageId: parsed.messageId,
    now: now(),
    leaseMs: budget.remainingMs(),
  });
  if (claim.kind === 'posted') {
    logger.info('alert already posted, duplicate delivery acknowledged', { ...keys, posted_at: claim.record.posted_at });
    return { status: 'duplicate', incident_id: incident.id };
  }

  try {
    await deps.sender.send(slackMessage(incident), budget);
  } catch (error) {
    const released = await releaseAlert(store, ref, claim, now(), error instanceof Error ? error.name : 'NonError').catch(() => false);
    logger.error('alert not posted', { ...keys, error, claim_released: released });
    throw error;
  }
  const recorded = await markPosted(store, ref, claim, now()).catch((error: unknown) => {
    // The message is out: failing the record now would only post it again.
    logger.warn('alert posted but not recorded', { ...keys, error });
    return false;
  });
  logger.info('alert posted', { ...keys, status: incident.status, failed_state: incident.failedState, recorded });
  return { status: 'posted', incident_id: incident.id };
}

function quotedBody(record: unknown): string {
  const body = typeof record === 'object' && record !== null ? (record as { body?: unknown }).body : undefined;
  const text = typeof body === 'string' ? body : JSON.stringify(record) ?? '';
  return text.length > MAX_LOGGED_BODY ? `${text.slice(0, MAX_LOGGED_BODY)}… [truncated]` : text;
}
