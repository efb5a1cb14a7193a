import {
  type AlertSender,
  createHandler,
  createSlackWebhook,
  type EndedExecution,
  executionStatusEvent,
  slackMessageText,
  snsNotification,
  sqsRecord,
} from '@ledgerlake/alert-consumer';
import { createObservability, type LambdaContext, type LineSink } from '@ledgerlake/observability';
import { randomSuffix } from '@ledgerlake/runbook';
import { FsObjectStore } from '@ledgerlake/storage';
import type { LocalLake } from './lake-folder';
import { lakeFor, LOCAL_DEFINITION_PARAMS, type LocalWiring } from './local-lake';
import type { CliOutput } from './cli-io';

/*
 * Failure alerts on a laptop. The cloud path is execution status change → EventBridge → SNS
 * `etl-failures` → SQS → the alert-consumer Lambda → Slack. Locally the command builds the very
 * events the cloud would deliver (the EventBridge event, inside an SNS notification, inside an SQS
 * record) and runs the alert-consumer's own handler on them in-process: the same code posts the same
 * message. With `SLACK_WEBHOOK_URL` set it goes to that webhook; without, its whole text is kept in
 * the lake (`artifacts/alerts/shown/<time>-<id>.txt`) and stderr gets one line naming the alert and
 * that file (never stdout, which `--json` owns; nothing with `quiet`). Posted incidents are
 * remembered in the lake (`artifacts/alerts/posted/`), as in the cloud.
 */

/** The function's timeout in the cloud: the local invocation gets the same time to post. */
const ALERT_TIMEOUT_MS = 30_000;
const { region, accountId, stage } = LOCAL_DEFINITION_PARAMS;
const TOPIC_ARN = `arn:aws:sns:${region}:${accountId}:ledgerlake-${stage}-etl-failures`;
const QUEUE_ARN = `arn:aws:sqs:${region}:${accountId}:ledgerlake-${stage}-etl-failures`;
const FUNCTION_NAME = `ledgerlake-${stage}-alert-consumer`;

/** How an alert ended: posted to Slack, kept in the lake (no webhook), nothing new to say (no incident, or already posted), or not delivered. */
export type LocalAlertOutcome = 'posted' | 'kept' | 'none' | 'failed';

/** Options of `createLocalAlerts`. */
export interface LocalAlertsOptions {
  readonly lake: LocalLake;
  /** `SLACK_WEBHOOK_URL` is read from it. */
  readonly env: NodeJS.ProcessEnv;
  /** Where the message goes without a webhook, and where a delivery failure is reported. */
  readonly stderr: CliOutput;
  /** Fault injection (tests): the alert consumer's store is `wiring.storeFor('alert-consumer', …)`'s. */
  readonly wiring?: LocalWiring;
  /** `--quiet`: no line on stderr for an alert kept in the lake (a delivery failure is still said). */
  readonly quiet?: boolean;
  /** The clock the kept alert's name is stamped with; default the system's. */
  readonly now?: () => Date;
}

/** The local alert path. */
export interface LocalAlerts {
  /** A failed, timed-out or aborted execution: what EventBridge reports to `etl-failures`. `sink` gets the function's log lines (the run's log). */
  executionEnded(execution: EndedExecution, sink?: LineSink): Promise<LocalAlertOutcome>;
  /** An EventBridge-shaped event the pipeline publishes to `etl-failures` itself (e.g. `RunBlockedEvent`). */
  publish(event: unknown, sink?: LineSink): Promise<LocalAlertOutcome>;
}

/** The local alert path over a lake: see the module comment. */
export function createLocalAlerts(options: LocalAlertsOptions): LocalAlerts {
  const { stderr } = options;
  const lake = lakeFor('alert-consumer', options.lake, options.wiring);
  const webhookUrl = options.env['SLACK_WEBHOOK_URL'] || undefined;

  const deliver = async (message: unknown, sink: LineSink | undefined): Promise<LocalAlertOutcome> => {
    // Without a sink the lines are dropped rather than printed: stdout belongs to the command.
    const obs = createObservability({ serviceName: 'alert-consumer', sink: sink ?? (() => undefined) });
    let sent = false;
    const keepingSender: AlertSender = {
      send: async (slack) => {
        const name = `${(options.now?.() ?? new Date()).toISOString().replace(/[-:.]/g, '')}-${randomSuffix()}`;
        const ref = lake.layout.control.shownAlert(name);
        await lake.store.put(ref, slackMessageText(slack), { contentType: 'text/plain; charset=utf-8' });
        const where = lake.store instanceof FsObjectStore ? lake.store.pathOf(ref) : `${ref.bucket}/${ref.key}`;
        if (options.quiet !== true) stderr.write(`ledgerlake: alert: ${slack.text} (no SLACK_WEBHOOK_URL: its full text is in ${where})\n`);
        sent = true;
      },
    };
    const webhook = webhookUrl === undefined ? undefined : createSlackWebhook({ webhookUrl: () => Promise.resolve(webhookUrl), logger: obs.logger });
    const sender: AlertSender = webhook === undefined ? keepingSender : { send: (slack, budget) => webhook.send(slack, budget).then(() => void (sent = true)) };
    const handler = createHandler({ store: lake.store, layout: lake.layout, obs, stage, sender });

    const record = sqsRecord(snsNotification(message, { topicArn: TOPIC_ARN }), { queueArn: QUEUE_ARN });
    const response = await handler({ Records: [record] }, localContext());
    if (response.batchItemFailures.length > 0) {
      const where = sink === undefined ? '' : ' (the alert-consumer lines of the run log say why)';
      stderr.write(`ledgerlake: the failure alert could not be delivered${where}.\n`);
      return 'failed';
    }
    if (!sent) return 'none';
    return webhook === undefined ? 'kept' : 'posted';
  };

  return {
    executionEnded: (execution, sink) => deliver(executionStatusEvent(execution), sink),
    publish: (event, sink) => deliver(event, sink),
  };
}

function localContext(): LambdaContext {
  const deadline = Date.now() + ALERT_TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${FUNCTION_NAME}`,
    memoryLimitInMB: '256',
    awsRequestId: `local-${Date.now().toString(36)}`,
    logGroupName: `/aws/lambda/${FUNCTION_NAME}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
