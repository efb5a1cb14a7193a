import { executionUrl, logsInsightsUrl, pipelineLogGroups, runLogsQuery, runWindow, xrayTracesUrl } from './console-links';

const RUN_ID = '20240201T090000Z-k3x9qa';
const EXECUTION_ARN = `arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-prod:${RUN_ID}`;
const WINDOW = runWindow(new Date('2024-02-01T09:00:00Z'), new Date('2024-02-01T09:00:04Z'));

/** Undoes the console's fragment encoding (see logsInsightsUrl), back to the JSURL text. */
function queryDetailOf(url: string): string {
  const fragment = url.slice(url.indexOf('#logsV2:logs-insights') + '#logsV2:logs-insights'.length);
  const once = decodeURIComponent(fragment.replace(/\$/g, '%'));
  expect(once.startsWith('?queryDetail=')).toBe(true);
  return decodeURIComponent(once.slice('?queryDetail='.length));
}

/** The string values of the JSURL text, decoded (`'` + URI encoding with `*` for `%`). */
function jsurlStrings(detail: string): string[] {
  return [...detail.matchAll(/'([^~)]*)/g)].map((match) => decodeURIComponent((match[1] ?? '').replace(/\*/g, '%')));
}

describe('console links', () => {
  it('opens the execution in the Step Functions console of its region', () => {
    expect(executionUrl('eu-west-1', EXECUTION_ARN)).toBe(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${encodeURIComponent(EXECUTION_ARN)}`,
    );
  });

  it('widens a run by 5 minutes each side', () => {
    expect(WINDOW).toEqual({ start: new Date('2024-02-01T08:55:00Z'), end: new Date('2024-02-01T09:05:04Z') });
    expect(runWindow(new Date('2024-02-01T09:00:00Z'), undefined).end).toEqual(new Date('2024-02-01T09:05:00Z'));
  });

  it("pre-fills Logs Insights with the run's query over every function's log group and the run's window", () => {
    const url = logsInsightsUrl('eu-west-1', pipelineLogGroups('prod'), runLogsQuery(RUN_ID), WINDOW);

    expect(url.startsWith('https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D')).toBe(true);
    expect(url).not.toMatch(/[%~()' ]/);
    const detail = queryDetailOf(url);
    expect(detail).toMatch(/^~\(end~'.*~start~'.*~timeType~'ABSOLUTE~tz~'UTC~editorString~'.*~isLiveTail~false~source~\(~'.*\)\)$/);
    const strings = jsurlStrings(detail);
    expect(strings).toContain('2024-02-01T09:05:04.000Z');
    expect(strings).toContain('2024-02-01T08:55:00.000Z');
    expect(strings).toContain(`fields @timestamp, service, level, message, error.name, error.message, @log\n| filter run_id = "${RUN_ID}"\n| sort @timestamp asc\n| limit 1000`);
    expect(strings).toEqual(
      expect.arrayContaining([
        '/aws/lambda/ledgerlake-prod-enrichment',
        '/aws/lambda/ledgerlake-prod-loop-prevention',
        '/aws/lambda/ledgerlake-prod-validation',
        '/aws/lambda/ledgerlake-prod-partition-writer',
        '/aws/lambda/ledgerlake-prod-promotion',
        '/aws/lambda/ledgerlake-prod-run-recorder',
        '/aws/lambda/ledgerlake-prod-alert-consumer',
      ]),
    );
  });

  it('encodes the characters that mean something in the console encoding', () => {
    const detail = queryDetailOf(logsInsightsUrl('eu-west-1', ['/a'], "filter x = 'a~b(c)!*'", WINDOW));

    expect(jsurlStrings(detail)).toContain("filter x = 'a~b(c)!*'");
  });

  it('finds the traces annotated with the run id, within X-Ray’s 6-hour limit', () => {
    const long = runWindow(new Date('2024-02-01T00:00:00Z'), new Date('2024-02-01T12:00:00Z'));

    const url = xrayTracesUrl('eu-west-1', RUN_ID, long);

    expect(url).toBe(
      `https://eu-west-1.console.aws.amazon.com/xray/home?region=eu-west-1#/traces?filter=${encodeURIComponent(`annotation.run_id = "${RUN_ID}"`)}` +
        '&timeRange=2024-01-31T23:55~2024-02-01T05:55',
    );
  });
});
