import { DescribeMapRunCommand, GetExecutionHistoryCommand, type HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { cloudReportLinks, executionPlace, executionTimeline, timelineFromHistory } from './execution-timeline';

const at = (ms: number) => new Date(Date.UTC(2024, 0, 5, 9, 0, 0) + ms);
const event = (ms: number, fields: Partial<HistoryEvent>): HistoryEvent => ({ timestamp: at(ms), type: 'TaskStateEntered', id: ms, ...fields }) as HistoryEvent;
const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-prod:20240105T090000Z-abc123';

describe('timelineFromHistory', () => {
  it("spans each state from its first entry to its last exit, counts a Map's iterations and ends a running state at the last event", () => {
    const spans = timelineFromHistory([
      event(0, { type: 'ExecutionStarted' }),
      event(10, { stateEnteredEventDetails: { name: 'PlanChunks' } }),
      event(250, { stateExitedEventDetails: { name: 'PlanChunks' } }),
      event(260, { stateEnteredEventDetails: { name: 'Parts' } }),
      event(270, { mapIterationStartedEventDetails: { name: 'Parts', index: 0 } }),
      event(280, { mapIterationStartedEventDetails: { name: 'Parts', index: 1 } }),
      event(900, { stateExitedEventDetails: { name: 'Parts' } }),
      event(910, { stateEnteredEventDetails: { name: 'ReportRun' } }),
      event(950, { type: 'LambdaFunctionScheduled' }),
    ]);

    expect(spans).toEqual([
      { name: 'PlanChunks', start_ms: 10, end_ms: 250 },
      { name: 'Parts', start_ms: 260, end_ms: 900, iterations: 2 },
      { name: 'ReportRun', start_ms: 910, end_ms: 950 },
    ]);
  });

  it('reads every page of the history', async () => {
    const sfn = mockClient(SFNClient);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [event(0, { stateEnteredEventDetails: { name: 'A' } })], nextToken: 't2' });
    sfn.on(GetExecutionHistoryCommand, { nextToken: 't2' }).resolves({ events: [event(40, { stateExitedEventDetails: { name: 'A' } })] });

    expect(await executionTimeline(new SFNClient({ region: 'eu-west-1' }), ARN)).toEqual([{ name: 'A', start_ms: 0, end_ms: 40 }]);
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input)).toEqual([
      { executionArn: ARN, maxResults: 1000, includeExecutionData: false },
      { executionArn: ARN, maxResults: 1000, includeExecutionData: false, nextToken: 't2' },
    ]);
    sfn.restore();
  });

  it("counts a Distributed Map's iterations from its map run", async () => {
    const sfn = mockClient(SFNClient);
    const mapRunArn = 'arn:aws:states:eu-west-1:123456789012:mapRun:ledgerlake-prod/ProcessParts:abc';
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        event(0, { type: 'MapStateEntered', stateEnteredEventDetails: { name: 'ProcessParts' } }),
        event(5, { type: 'MapRunStarted', mapRunStartedEventDetails: { mapRunArn } }),
        event(800, { type: 'MapStateExited', stateExitedEventDetails: { name: 'ProcessParts' } }),
      ],
    });
    sfn.on(DescribeMapRunCommand, { mapRunArn }).resolves({ itemCounts: { total: 34 } as never });

    expect(await executionTimeline(new SFNClient({ region: 'eu-west-1' }), ARN)).toEqual([{ name: 'ProcessParts', start_ms: 0, end_ms: 800, iterations: 34 }]);
    sfn.restore();
  });
});

describe('cloudReportLinks', () => {
  it("links the execution, the run's Logs Insights query over the stage's functions and its traces, in the execution's region", () => {
    expect(executionPlace(ARN)).toEqual({ region: 'eu-west-1', stage: 'prod' });
    const links = cloudReportLinks('20240105T090000Z-abc123', ARN, at(0), at(60_000));

    expect(links.map((link) => link.label)).toEqual(['Execution', 'Log lines (Logs Insights)', 'Traces (X-Ray)']);
    expect(links[0]?.href).toBe(`https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${encodeURIComponent(ARN)}`);
    expect(links[1]?.href).toContain('ledgerlake-prod-validation');
    expect(links[2]?.href).toContain('20240105T090000Z-abc123');
    expect(cloudReportLinks('x', 'arn:aws:states:eu-west-1:1:execution:other:x', at(0), at(1))).toEqual([]);
  });
});
