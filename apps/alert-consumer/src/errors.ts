import { LedgerLakeError } from '@ledgerlake/domain';

/**
 * A queue message that is not an alert this function knows (not an SNS notification, not JSON, an
 * unknown event): trying it again cannot help, it has to reach the dead-letter queue.
 */
export class MalformedAlertMessageError extends LedgerLakeError {
  override readonly name = 'MalformedAlertMessageError' as const;
  readonly retryable = false;
}

/** Slack did not take the message in the time the invocation had (5xx, 429, a network error): SQS delivers it again. */
export class SlackUnavailableError extends LedgerLakeError {
  override readonly name = 'SlackUnavailableError' as const;
  readonly retryable = true;
  constructor(
    message: string,
    /** The last HTTP status, when Slack answered at all. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Slack refused the message for good (400 invalid payload, 403/404 a revoked or wrong webhook, 410 an
 * archived channel): retrying now is pointless; the message fails and reaches the dead-letter queue
 * unless the webhook is fixed before its last delivery.
 */
export class SlackRejectedError extends LedgerLakeError {
  override readonly name = 'SlackRejectedError' as const;
  readonly retryable = false;
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The webhook URL could not be obtained or is not an https/http URL. The message never holds the URL. */
export class WebhookConfigError extends LedgerLakeError {
  override readonly name = 'WebhookConfigError' as const;
  readonly retryable = true;
}

/** Another delivery of the same incident holds the posting claim right now: this one is tried again later. */
export class AlertInProgressError extends LedgerLakeError {
  override readonly name = 'AlertInProgressError' as const;
  readonly retryable = true;
}
