import {
  CloudWatchLogsClient,
  type CloudWatchLogsClientConfig,
  DescribeLogGroupsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { FUNCTION_NAMES, type FunctionName, runIdTime } from '@ledgerlake/domain';
import { readRunRecord, runRecordEndedAt } from '@ledgerlake/ledgers';
import { CliError, EXIT } from './cli-error';
import type { LocalLake } from './lake-folder';
import { checkLogRequest, levelsFrom, type LogFilter } from './logs';
import { awsClientConfig, describeStage, describeStageError, type StageTarget } from './stage-lake';
import { stageResources } from './stage-names';

/*
 * `ledgerlake logs RUN_ID --stage NAME`: the run's lines from CloudWatch Logs. One Logs Insights
 * query over every function's log group (`/aws/lambda/ledgerlake-<stage>-<fn>`; `--function`: its
 * own only) for the run's window, filtered on `run_id` (every Powertools line and metric record of
 * a run carries it: libs/observability run-context.ts), with the same `--level` filter as on a lake folder.
 * The lines are the functions' JSON, parsed back: `formatLogRecord` prints them as locally.
 */

/** The CloudWatch Logs client a stage command uses; tests point it elsewhere. */
export type LogsClientFactory = (config: CloudWatchLogsClientConfig) => CloudWatchLogsClient;

/** Logs Insights returns at most this many lines per query. */
export const LOGS_INSIGHTS_LIMIT = 10_000;

/** How far before the run id's second and after the run's end the window reaches (clock skew, the alert consumer after the run). */
const WINDOW_MARGIN_MS = 15 * 60_000;

/** What a stage's `logs` found. */
export interface StageLogs {
  readonly records: Record<string, unknown>[];
  /** The log groups queried and the window, as the command reports them. */
  readonly logGroups: readonly string[];
  readonly window: { readonly from: string; readonly to: string };
  /** True when Logs Insights' line limit cut the result. */
  readonly truncated: boolean;
}

/** A run's log records on a stage, through one Logs Insights query. */
export async function stageRunLogs(
  lake: LocalLake,
  target: StageTarget,
  runId: string,
  filter: LogFilter,
  options: { readonly logs?: LogsClientFactory; readonly pollMs?: number; readonly now: () => Date },
): Promise<StageLogs> {
  checkLogRequest(runId, filter);
  const names = stageResources(target.stage);
  const wanted = filter.function === undefined ? [...names.logGroups.values()] : [logGroupOf(target, filter.function)];
  const client = options.logs?.(awsClientConfig(target)) ?? new CloudWatchLogsClient(awsClientConfig(target));
  const fail = (error: unknown, resource: string): never => {
    throw new CliError(describeStageError(error, target, resource));
  };
  // A function never invoked has no log group yet, and Logs Insights refuses a query naming one.
  const prefix = `/aws/lambda/${names.bucketPrefix}-`;
  const existing = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await client
      .send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, ...(nextToken === undefined ? {} : { nextToken }) }))
      .catch((error: unknown) => fail(error, `the log groups ${prefix}*`));
    for (const group of page.logGroups ?? []) if (group.logGroupName !== undefined) existing.add(group.logGroupName);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const logGroups = wanted.filter((group) => existing.has(group));
  if (logGroups.length === 0) {
    throw new CliError(`${describeStage(target, 'Stage')} has no log group ${wanted.join(', ')}: its functions have not run yet, or the stage is not deployed here (check --region).`);
  }

  const record = await readRunRecord(lake.store, lake.layout, runId);
  const from = new Date(runIdTime(runId).getTime() - WINDOW_MARGIN_MS);
  const end = record === undefined ? options.now() : new Date(Math.min(Date.parse(runRecordEndedAt(record)) + WINDOW_MARGIN_MS, options.now().getTime()));
  const to = end.getTime() < from.getTime() ? from : end;
  const started = await client
    .send(
      new StartQueryCommand({
        logGroupNames: logGroups,
        startTime: Math.floor(from.getTime() / 1000),
        endTime: Math.ceil(to.getTime() / 1000),
        queryString: logsInsightsQuery(runId, filter),
        limit: LOGS_INSIGHTS_LIMIT,
      }),
    )
    .catch((error: unknown) => fail(error, `the log groups of ${names.bucketPrefix}`));
  const queryId = started.queryId;
  if (queryId === undefined) throw new Error('cli: CloudWatch Logs started a query without an id');
  for (;;) {
    const result = await client.send(new GetQueryResultsCommand({ queryId })).catch((error: unknown) => fail(error, `the log groups of ${names.bucketPrefix}`));
    if (result.status === 'Complete') {
      const records = (result.results ?? []).map((fields) => parseLine(fields.find((field) => field.field === '@message')?.value ?? ''));
      return { records, logGroups, window: { from: from.toISOString(), to: to.toISOString() }, truncated: records.length >= LOGS_INSIGHTS_LIMIT };
    }
    if (result.status === 'Failed' || result.status === 'Cancelled' || result.status === 'Timeout') {
      throw new CliError(`The Logs Insights query ${queryId} for run ${runId} on ${describeStage(target)} ended ${result.status}: try a narrower --function, or again later.`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
}

/**
 * The Logs Insights query of a run: its lines (`run_id` equal to the id: Powertools' lines and
 * EMF records carry it as a field), oldest first; with a level, that level and above only.
 */
export function logsInsightsQuery(runId: string, filter: LogFilter): string {
  const lines = ['fields @timestamp, @message', `filter run_id = ${JSON.stringify(runId)}`];
  if (filter.level !== undefined) lines.push(`filter level in [${levelsFrom(filter.level).map((level) => JSON.stringify(level)).join(', ')}]`);
  lines.push('sort @timestamp asc', `limit ${LOGS_INSIGHTS_LIMIT}`);
  return lines.join(' | ');
}

/** `validation` or `ledgerlake-<stage>-validation` → its log group; another name is a usage error listing the functions. */
function logGroupOf(target: StageTarget, name: string): string {
  const names = stageResources(target.stage);
  const short = name.startsWith(`${names.bucketPrefix}-`) ? name.slice(names.bucketPrefix.length + 1) : name;
  const group = names.logGroups.get(short as FunctionName);
  if (group === undefined) throw new CliError(`Unknown function ${name} (expected one of ${FUNCTION_NAMES.join(', ')}).`, EXIT.usage);
  return group;
}

function parseLine(message: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(message);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // A line that is not a function's JSON (the runtime's own START/END/REPORT never carries run_id).
  }
  return { message: message.trimEnd() };
}
