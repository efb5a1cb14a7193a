import { DescribeMapRunCommand, GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { executionUrl, logsInsightsUrl, pipelineLogGroups, runLogsQuery, runWindow, xrayTracesUrl } from '@ledgerlake/observability';
import type { Span } from './charts';
import type { TrailLink } from './facts';

/*
 * The cloud's side of a run's report: its timeline from the execution's history (each state from
 * when it was first entered to when it was last left; a Map's iterations counted), and its trail —
 * the execution, its Logs Insights query, its X-Ray traces — as console links.
 */

/** The spans of the states in an execution's history events, in the order they were first entered. */
export function timelineFromHistory(events: readonly HistoryEvent[]): Span[] {
  const t0 = events[0]?.timestamp?.getTime() ?? 0;
  const spans = new Map<string, { start: number; end: number | undefined }>();
  const iterations = new Map<string, number>();
  for (const event of events) {
    const at = (event.timestamp?.getTime() ?? t0) - t0;
    const entered = event.stateEnteredEventDetails?.name;
    const exited = event.stateExitedEventDetails?.name;
    if (entered !== undefined && !spans.has(entered)) spans.set(entered, { start: at, end: undefined });
    if (exited !== undefined) {
      const span = spans.get(exited);
      if (span !== undefined) span.end = at;
    }
    const map = event.mapIterationStartedEventDetails?.name;
    if (map !== undefined) iterations.set(map, (iterations.get(map) ?? 0) + 1);
  }
  const last = (events.at(-1)?.timestamp?.getTime() ?? t0) - t0;
  return [...spans].map(([name, span]) => ({
    name,
    start_ms: span.start,
    end_ms: span.end ?? last,
    ...(iterations.has(name) ? { iterations: iterations.get(name) as number } : {}),
  }));
}

/** The execution's timeline so far, read page by page from Step Functions; a Distributed Map's iterations are its map run's items. */
export async function executionTimeline(sfn: Pick<SFNClient, 'send'>, executionArn: string): Promise<Span[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: false, ...(nextToken === undefined ? {} : { nextToken }) }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const spans = timelineFromHistory(events);
  // A Distributed Map runs its iterations as child executions: the map run counts them.
  let map: string | undefined;
  const items = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'MapStateEntered') map = event.stateEnteredEventDetails?.name;
    const mapRunArn = event.mapRunStartedEventDetails?.mapRunArn;
    if (mapRunArn !== undefined && map !== undefined) {
      const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
      if (run.itemCounts?.total !== undefined) items.set(map, run.itemCounts.total);
    }
  }
  return spans.map((span) => (items.has(span.name) ? { ...span, iterations: items.get(span.name) as number } : span));
}

/** The stage and region an execution of `ledgerlake-<stage>` runs in, read from its ARN. */
export function executionPlace(executionArn: string): { readonly region: string; readonly stage: string } | undefined {
  const match = /^arn:[\w-]+:states:([a-z0-9-]+):\d+:execution:ledgerlake-([a-z][a-z0-9]*):/.exec(executionArn);
  return match === null ? undefined : { region: match[1] as string, stage: match[2] as string };
}

/** The run's trail in the console: its execution, its log lines (Logs Insights over every function), its traces. */
export function cloudReportLinks(runId: string, executionArn: string, startedAt: Date, now: Date): TrailLink[] {
  const place = executionPlace(executionArn);
  if (place === undefined) return [];
  const window = runWindow(startedAt, now);
  return [
    { label: 'Execution', href: executionUrl(place.region, executionArn) },
    { label: 'Log lines (Logs Insights)', href: logsInsightsUrl(place.region, pipelineLogGroups(place.stage), runLogsQuery(runId), window) },
    { label: 'Traces (X-Ray)', href: xrayTracesUrl(place.region, runId, window) },
  ];
}
