import { createHash } from 'node:crypto';
import { type QuarantineByReason, type RunCounts, RunIdSchema, runIdTime } from '@ledgerlake/domain';
import { readRunRecord } from '@ledgerlake/ledgers';
import { createLakeLayout, type LakeLayout, type ObjectStore, stageBuckets } from '@ledgerlake/storage';
import {
  alarmUrl,
  executionUrl,
  logsInsightsUrl,
  pipelineLogGroups,
  runLogsQuery,
  runWindow,
  s3ObjectUrl,
  type TimeWindow,
  xrayTracesUrl,
} from '@ledgerlake/observability';
import { z } from 'zod';
import type { AlarmNotification, AlertMessage, ExecutionStatusEvent } from './alert-message';
import { FAILED_EXECUTION_STATUSES } from './alert-message';

/** A link the message offers. */
export interface IncidentLink {
  readonly label: string;
  readonly url: string;
}

/** Everything one Slack message says about one incident, whatever the kind of event it came from. */
export interface Incident {
  /** Stable across duplicate deliveries of the same incident: the key of its "posted" record. */
  readonly id: string;
  readonly kind: AlertMessage['kind'];
  /** `FAILED`, `TIMED_OUT`, `ABORTED`, `BLOCKED` or `ALARM`. */
  readonly status: string;
  /** One line: what happened. */
  readonly headline: string;
  readonly stage?: string;
  readonly region: string;
  readonly dataset?: string;
  readonly runId?: string;
  readonly executionName?: string;
  readonly executionArn?: string;
  readonly failedState?: string;
  readonly error?: string;
  readonly cause?: string;
  /** The Bronze object, `s3://bucket/key`. */
  readonly inputFile?: string;
  readonly counts?: Partial<RunCounts>;
  readonly quarantineByReason?: QuarantineByReason;
  /** Why a run was blocked, or why an alarm fired. */
  readonly reasons?: readonly string[];
  /** When it happened (ISO-8601 UTC). */
  readonly occurredAt: string;
  readonly links: readonly IncidentLink[];
}

/** The logging `describeIncident` does (Powertools' Logger has it). */
export interface IncidentLogger {
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

/** What turning an alert into an incident needs: the lake (to read the run record) and the stage. */
export interface DescribeIncidentDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  /** The deployment stage; the state machine name (`ledgerlake-<stage>`) wins when it has one. */
  readonly stage: string;
  readonly logger?: IncidentLogger;
}

const INCIDENT_ID_SAFE = /^[A-Za-z0-9._-]+$/;
const MAX_INCIDENT_ID = 128;
/** The window a query around an alarm looks back over. */
const ALARM_LOOKBACK_MS = 60 * 60 * 1000;

/**
 * The incident id: `<prefix>-<readable>` when that is a safe key of at most 128 characters, else the
 * readable part cleaned and cut, plus 16 hex digits of the SHA-256 of `unique` (so two incidents
 * never share an id because cleaning made their names equal).
 */
export function incidentId(prefix: string, readable: string, unique: string): string {
  const plain = `${prefix}-${readable}`;
  if (INCIDENT_ID_SAFE.test(readable) && plain.length <= MAX_INCIDENT_ID) return plain;
  const cleaned = readable.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 96);
  const digest = createHash('sha256').update(unique).digest('hex').slice(0, 16);
  return `${prefix}-${cleaned}-${digest}`;
}

/**
 * The incident an alert reports, or `undefined` when it reports none (an execution that succeeded or
 * is running, an alarm going back to OK): those are acknowledged without a message.
 */
export async function describeIncident(message: AlertMessage, deps: DescribeIncidentDeps): Promise<Incident | undefined> {
  switch (message.kind) {
    case 'execution':
      return (FAILED_EXECUTION_STATUSES as readonly string[]).includes(message.event.detail.status)
        ? describeExecution(message.event, deps)
        : undefined;
    case 'alarm':
      return message.alarm.NewStateValue === 'ALARM' ? describeAlarm(message.alarm, deps.stage) : undefined;
    case 'run-blocked':
      return describeBlockedRun(message.event, deps.stage);
  }
}

/** The run request the state machine (or the starter) was started with, as far as it is there. */
const RunRequestSchema = z.object({
  dataset: z.string().optional().catch(undefined),
  source: z.object({ bucket: z.string().min(1), key: z.string().min(1) }).optional().catch(undefined),
  /** The daily schedule's request to the starter. */
  sweep: z.object({ bucket: z.string().min(1), days: z.number().int() }).optional().catch(undefined),
});

/** The name of a stage's run starter, the state machine the triggers start (infra/serverless.yml). */
export function starterName(stage: string): string {
  return `ledgerlake-${stage}-starter`;
}

/** `ledgerlake-<stage>` state machines name their stage; `undefined` for any other name. */
export function stageOfStateMachine(arn: string): string | undefined {
  const name = arn.split(':')[6] ?? '';
  const match = /^ledgerlake-([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)$/.exec(name);
  return match?.[1];
}

async function describeExecution(event: ExecutionStatusEvent, deps: DescribeIncidentDeps): Promise<Incident> {
  const { detail, region } = event;
  if (detail.stateMachineArn.split(':')[6] === starterName(deps.stage)) return describeStarterFailure(event, deps.stage);
  const stage = stageOfStateMachine(detail.stateMachineArn) ?? deps.stage;
  const runId = detail.name;
  const request = parseRequest(detail.input);
  const record = RunIdSchema.safeParse(runId).success ? await readFailedRecord(runId, deps) : undefined;
  const window = runWindow(new Date(detail.startDate), detail.stopDate == null ? undefined : new Date(detail.stopDate));
  const redrive = redriveSuffix(detail);
  const source = record?.source ?? request.source;
  const error = record?.error ?? detail.error ?? undefined;
  const cause = record?.cause ?? (detail.cause == null ? undefined : causeMessage(detail.cause));
  return {
    id: incidentId('execution', `${detail.name}-${detail.status}${redrive}`, `${detail.executionArn}|${detail.status}|${redrive}`),
    kind: 'execution',
    status: detail.status,
    headline: `Run ${runId} ${STATUS_WORDS[detail.status] ?? detail.status.toLowerCase()}`,
    stage,
    region,
    ...defined('dataset', record?.dataset ?? request.dataset),
    runId,
    executionName: detail.name,
    executionArn: detail.executionArn,
    ...defined('failedState', record?.failed_state),
    ...defined('error', error === '' ? undefined : error),
    ...defined('cause', cause === '' ? undefined : cause),
    ...defined('inputFile', source === undefined ? undefined : `s3://${source.bucket}/${source.key}`),
    ...(record !== undefined && Object.keys(record.counts).length > 0 ? { counts: record.counts } : {}),
    occurredAt: new Date(detail.stopDate ?? Date.parse(event.time)).toISOString(),
    links: runLinks(region, stage, runId, detail.executionArn, window),
  };
}

/**
 * A run starter that failed: a trigger's request that started no run (or, for a sweep, not every
 * run). Its execution is named by a UUID, not a run id, and no run record exists: the incident
 * names what was asked for and links the starter's execution and logs.
 */
function describeStarterFailure(event: ExecutionStatusEvent, stage: string): Incident {
  const { detail, region } = event;
  const request = parseRequest(detail.input);
  const file = request.source === undefined ? undefined : `s3://${request.source.bucket}/${request.source.key}`;
  const asked =
    request.sweep !== undefined
      ? `the daily sweep of the last ${request.sweep.days} ingest dates of ${request.sweep.bucket} started no run, or not all`
      : `no run was started for ${file ?? 'the request in its input'}`;
  const window = runWindow(new Date(detail.startDate), detail.stopDate == null ? undefined : new Date(detail.stopDate));
  const query = ['fields @timestamp, type, details.error, details.cause', `| filter execution_arn = ${JSON.stringify(detail.executionArn)}`, '| sort @timestamp asc'].join('\n');
  const redrive = redriveSuffix(detail);
  return {
    id: incidentId('starter', `${detail.name}-${detail.status}${redrive}`, `${detail.executionArn}|${detail.status}|${redrive}`),
    kind: 'execution',
    status: detail.status,
    headline: `The run starter ${STATUS_WORDS[detail.status] ?? detail.status.toLowerCase()}: ${asked}`,
    stage,
    region,
    ...defined('dataset', request.dataset),
    executionName: detail.name,
    executionArn: detail.executionArn,
    ...defined('error', detail.error ?? undefined),
    ...defined('cause', detail.cause == null || detail.cause === '' ? undefined : causeMessage(detail.cause)),
    ...defined('inputFile', file),
    occurredAt: new Date(detail.stopDate ?? Date.parse(event.time)).toISOString(),
    links: [
      { label: 'Starter execution', url: executionUrl(region, detail.executionArn) },
      { label: 'Starter logs (Logs Insights)', url: logsInsightsUrl(region, [`/aws/vendedlogs/states/${starterName(stage)}`], query, window) },
    ],
  };
}

/** Each redrive of an execution can fail anew: its incident is a new one. */
function redriveSuffix(detail: ExecutionStatusEvent['detail']): string {
  return detail.redriveCount != null && detail.redriveCount > 0 ? `-redrive${detail.redriveCount}` : '';
}

const STATUS_WORDS: Readonly<Record<string, string>> = { FAILED: 'failed', TIMED_OUT: 'timed out', ABORTED: 'was aborted' };

function describeBlockedRun(event: Extract<AlertMessage, { kind: 'run-blocked' }>['event'], configuredStage: string): Incident {
  const { detail, region } = event;
  const stage = stageOfStateMachine(stateMachineArnOf(detail.execution_arn)) ?? configuredStage;
  const window = runWindow(runIdTime(detail.run_id), new Date(detail.blocked_at));
  return {
    id: incidentId('run-blocked', detail.run_id, detail.execution_arn),
    kind: 'run-blocked',
    status: 'BLOCKED',
    headline: `Run ${detail.run_id} blocked by the promotion gate`,
    stage,
    region,
    dataset: detail.dataset,
    runId: detail.run_id,
    executionName: detail.execution_name,
    executionArn: detail.execution_arn,
    inputFile: `s3://${detail.source.bucket}/${detail.source.key}`,
    counts: detail.counts,
    quarantineByReason: detail.quarantine_by_reason,
    reasons: detail.reasons,
    occurredAt: new Date(detail.blocked_at).toISOString(),
    links: runLinks(region, stage, detail.run_id, detail.execution_arn, window),
  };
}

function describeAlarm(alarm: AlarmNotification, stage: string): Incident {
  const region = alarm.AlarmArn.split(':')[3] ?? '';
  const changed = parseAlarmTime(alarm.StateChangeTime);
  const window: TimeWindow = { start: new Date(changed.getTime() - ALARM_LOOKBACK_MS), end: new Date(changed.getTime() + 5 * 60 * 1000) };
  const dataset = alarm.Trigger?.Dimensions?.find((dimension) => dimension.name === 'dataset')?.value;
  const query = [
    'fields @timestamp, run_id, service, level, message',
    '| filter ispresent(run_id) and level in ["WARN", "ERROR"]',
    '| sort @timestamp desc',
    '| limit 200',
  ].join('\n');
  return {
    id: incidentId('alarm', `${alarm.AlarmName}-${alarm.StateChangeTime.replace(/[^0-9T]/g, '')}`, `${alarm.AlarmArn}|${alarm.StateChangeTime}`),
    kind: 'alarm',
    status: 'ALARM',
    headline: `Alarm ${alarm.AlarmName} is in ALARM`,
    stage,
    region,
    ...defined('dataset', dataset),
    reasons: [alarm.AlarmDescription, alarm.NewStateReason].filter((line): line is string => line != null && line !== ''),
    occurredAt: changed.toISOString(),
    links: [
      { label: 'Alarm', url: alarmUrl(region, alarm.AlarmName) },
      { label: 'Recent warnings and errors (Logs Insights)', url: logsInsightsUrl(region, pipelineLogGroups(stage), query, window) },
    ],
  };
}

function runLinks(region: string, stage: string, runId: string, executionArn: string, window: TimeWindow): IncidentLink[] {
  // The run's report (its last step writes it; a blocked run's alert goes out a moment before).
  const report = createLakeLayout(stageBuckets(`ledgerlake-${stage}`)).artifacts.report(runId);
  return [
    { label: 'Execution', url: executionUrl(region, executionArn) },
    { label: 'Run logs (Logs Insights)', url: logsInsightsUrl(region, pipelineLogGroups(stage), runLogsQuery(runId), window) },
    { label: 'Trace (X-Ray)', url: xrayTracesUrl(region, runId, window) },
    { label: 'Run report', url: s3ObjectUrl(region, report.bucket, report.key) },
  ];
}

/** `arn:aws:states:<region>:<account>:execution:<machine>:<name>` → the machine's ARN. */
function stateMachineArnOf(executionArn: string): string {
  const parts = executionArn.split(':');
  return [...parts.slice(0, 5), 'stateMachine', parts[6] ?? ''].join(':');
}

async function readFailedRecord(runId: string, deps: DescribeIncidentDeps) {
  try {
    const record = await readRunRecord(deps.store, deps.layout, runId);
    return record?.status === 'FAILED' ? record : undefined;
  } catch (error) {
    // The alert matters more than its details: post what the event says.
    deps.logger?.warn('run record not read, alerting with the event alone', { run_id: runId, error: describeError(error) });
    return undefined;
  }
}

function parseRequest(input: string | null | undefined): z.infer<typeof RunRequestSchema> {
  if (input == null) return {};
  try {
    const parsed = RunRequestSchema.safeParse(JSON.parse(input));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** The message of a Lambda error Cause (`{"errorType","errorMessage","trace"}`); any other Cause as it is. */
export function causeMessage(cause: string): string {
  if (!cause.trimStart().startsWith('{')) return cause;
  try {
    const parsed = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown } | null;
    return typeof parsed?.errorType === 'string' && typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}

/** CloudWatch writes `2024-02-01T00:06:12.345+0000`; Date wants `+00:00`. An unreadable time is "now". */
function parseAlarmTime(text: string): Date {
  const time = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(time) ? new Date() : new Date(time);
}

function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'NonError', message: String(error) };
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
