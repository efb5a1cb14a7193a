/** Public API of the alert-consumer function: the handler factory (for the local command) and the core. */
export {
  type AlarmNotification,
  AlarmNotificationSchema,
  type AlertMessage,
  type AlertRecord,
  EXECUTION_STATUS_CHANGE,
  type ExecutionStatus,
  type ExecutionStatusEvent,
  ExecutionStatusEventSchema,
  FAILED_EXECUTION_STATUSES,
  parseAlertMessage,
  parseAlertRecord,
  type SnsNotification,
  SnsNotificationSchema,
  type SqsRecord,
  SqsRecordSchema,
} from './alert-message';
export { AlertConsumerConfigSchema, type AlertConsumerConfig } from './config';
export { createHandler, type AlertConsumerHandlerDeps, type SqsBatchResponse, type SqsEvent } from './create-handler';
export {
  AlertInProgressError,
  MalformedAlertMessageError,
  SlackRejectedError,
  SlackUnavailableError,
  WebhookConfigError,
} from './errors';
export { causeMessage, describeIncident, type Incident, incidentId, type IncidentLink, stageOfStateMachine, starterName } from './incident';
export { claimAlert, markPosted, type PostedAlert, PostedAlertSchema, readPostedAlert, releaseAlert } from './posted-alerts';
export { type AlertLogger, type AlertOutcome, DEFAULT_MAX_RECEIVE_COUNT, processAlertRecord, type ProcessAlertDeps } from './process-alert';
export { escapedWithin, escapeMrkdwn, SLACK_LIMITS, type SlackBlock, type SlackMessage, slackMessage, slackMessageText, truncate } from './slack-message';
export { type AlertSender, createSlackWebhook, type DeliveryBudget, retryAfterMs, type SlackWebhookOptions } from './slack-webhook';
export { type ParameterReader, webhookUrlSource } from './webhook-url';
export {
  type EndedExecution,
  executionStatusEvent,
  type SnsEnvelopeOptions,
  snsNotification,
  type SqsEnvelopeOptions,
  sqsRecord,
} from './envelopes';
