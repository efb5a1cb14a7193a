import { FUNCTION_NAMES } from '@ledgerlake/domain';

/*
 * Links into the AWS console, built from the event's region and ARNs: the execution, a CloudWatch
 * Logs Insights query over the pipeline's log groups filtered on the run id, the X-Ray traces
 * annotated with the run id, and a CloudWatch alarm.
 */

/** The functions whose log groups a run's query reads (`/aws/lambda/ledgerlake-<stage>-<fn>`). */
export const PIPELINE_FUNCTIONS = FUNCTION_NAMES;

/** X-Ray's console searches at most 6 hours at once. */
const XRAY_MAX_RANGE_MS = 6 * 60 * 60 * 1000;
/** Margin around a run's start and end, so the first and last lines are inside the window. */
const WINDOW_MARGIN_MS = 5 * 60 * 1000;

/** A time window to search a run's logs and traces in. */
export interface TimeWindow {
  readonly start: Date;
  readonly end: Date;
}

/** The window around a run: from `start` to `end` (or `start` if unknown), widened by 5 minutes each side. */
export function runWindow(start: Date, end: Date | undefined): TimeWindow {
  const last = end !== undefined && end.getTime() >= start.getTime() ? end : start;
  return { start: new Date(start.getTime() - WINDOW_MARGIN_MS), end: new Date(last.getTime() + WINDOW_MARGIN_MS) };
}

function consoleBase(region: string, service: string): string {
  return `https://${region}.console.aws.amazon.com/${service}/home?region=${encodeURIComponent(region)}`;
}

/** The Step Functions console page of an execution (graph, events, the failed state). */
export function executionUrl(region: string, executionArn: string): string {
  return `${consoleBase(region, 'states')}#/v2/executions/details/${encodeURIComponent(executionArn)}`;
}

/** The CloudWatch console page of an alarm. */
export function alarmUrl(region: string, alarmName: string): string {
  return `${consoleBase(region, 'cloudwatch')}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/** The log groups of the pipeline's functions in a stage. */
export function pipelineLogGroups(stage: string): string[] {
  return PIPELINE_FUNCTIONS.map((fn) => `/aws/lambda/ledgerlake-${stage}-${fn}`);
}

/** The Logs Insights query of one run: every line the functions logged with its `run_id`, oldest first. */
export function runLogsQuery(runId: string): string {
  return [
    'fields @timestamp, service, level, message, error.name, error.message, @log',
    `| filter run_id = ${JSON.stringify(runId)}`,
    '| sort @timestamp asc',
    '| limit 1000',
  ].join('\n');
}

/**
 * A CloudWatch Logs Insights page with the run's query, its log groups and an absolute UTC window.
 *
 * The console keeps the query in the URL fragment in its own encoding (JSURL): the whole value
 * starts with `~`, an object is `(k~v~k~v)`, an array `(~a~b)`, a string `'` + its URI encoding with `%` written `*`; that text is `escape()`d,
 * prefixed `?queryDetail=`, URI-encoded once more, and `%` becomes `$`.
 */
export function logsInsightsUrl(region: string, logGroups: readonly string[], query: string, window: TimeWindow): string {
  const detail = `~${jsurl({
    end: window.end.toISOString(),
    start: window.start.toISOString(),
    timeType: 'ABSOLUTE',
    tz: 'UTC',
    editorString: query,
    isLiveTail: false,
    source: [...logGroups],
  })}`;
  const fragment = encodeURIComponent(`?queryDetail=${legacyEscape(detail)}`).replace(/%/g, '$');
  return `${consoleBase(region, 'cloudwatch')}#logsV2:logs-insights${fragment}`;
}

/** The X-Ray traces of one run (filter on the `run_id` annotation every function sets), within 6 hours of its start. */
export function xrayTracesUrl(region: string, runId: string, window: TimeWindow): string {
  const end = Math.min(window.end.getTime(), window.start.getTime() + XRAY_MAX_RANGE_MS);
  const filter = `annotation.run_id = ${JSON.stringify(runId)}`;
  const range = `${isoMinute(window.start.getTime())}~${isoMinute(end)}`;
  return `${consoleBase(region, 'xray')}#/traces?filter=${encodeURIComponent(filter)}&timeRange=${range}`;
}

function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

type JsurlValue = string | number | boolean | readonly JsurlValue[] | { readonly [key: string]: JsurlValue };

function jsurl(value: JsurlValue): string {
  if (typeof value === 'string') return `'${strictUriEncode(value).replace(/%/g, '*')}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `(${value.map((item: JsurlValue) => `~${jsurl(item)}`).join('')})`;
  const entries = Object.entries(value as { readonly [key: string]: JsurlValue });
  return `(${entries.map(([key, item]) => `${key}~${jsurl(item)}`).join('~')})`;
}

/** `encodeURIComponent` that also encodes `! ' ( ) * ~`, which mean something in the console's encoding. */
function strictUriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The legacy `escape()`: keeps `A-Z a-z 0-9 @ * _ + - . /`, writes everything else `%XX` (all ASCII here). */
function legacyEscape(text: string): string {
  return text.replace(/[^A-Za-z0-9@*_+\-./]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The S3 console page of one object (a run's report): a link that does not expire, opened with the reader's own access. */
export function s3ObjectUrl(region: string, bucket: string, key: string): string {
  return `https://${region}.console.aws.amazon.com/s3/object/${encodeURIComponent(bucket)}?region=${encodeURIComponent(region)}&bucketType=general&prefix=${encodeURIComponent(key)}`;
}
