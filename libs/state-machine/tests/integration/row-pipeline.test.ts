import { MissingColumnsError, TransientStorageError } from '@ledgerlake/domain';
import {
  loadDefinition,
  type LocalHandler,
  type LocalLambdaContext,
  localExecutionArn,
  runLocally,
} from '../../src';

// Fake functions: canned sections, no app imports. They stand in for the four row functions and
// the run recorder, bound by function name exactly as the real handlers will be.
const definition = loadDefinition({ region: 'eu-west-1', accountId: '123456789012', stage: 'test' });
const RUN_ID = '20240105T090000Z-abc123';
const INPUT = {
  dataset: 'mortgages/transactions',
  mode: 'ingest',
  source: { bucket: 'ledgerlake-test-bronze', key: 'mortgages/transactions/ingest_date=2024-01-05/x.csv' },
};
const SECTIONS = {
  enrichment: { source_file_id: 'f1', input_rows: 3, parts: [{ part: 0, rows: 3 }] },
  loop_prevention: { status: 'CONTINUE', condemned_rows: 0, condemned_by_reason: {} },
  validation: { valid_rows: 3, quarantined_rows: 0, quarantine_by_reason: {} },
  partition_writer: { counts: { input_rows: 3, valid_rows: 3, quarantined_rows: 0, condemned_rows: 0 } },
};
/** What the promotion function returns per action (its four Tasks share one function). */
const PROMOTION = {
  'evaluate-gate': { decision: 'PROMOTE', reasons: [] },
  promote: { status: 'PUBLISHED', partitions: [{ partition: '2024-01', version: 1, rows: 3 }], gold_from: '2024-01' },
  'refresh-gold': { months: ['2024-01'], committed: 2, passes: 1 },
  'record-blocked': { status: 'BLOCKED', reasons: ['too many'], claim_released: true },
} as const;

type Calls = { fn: string; event: Record<string, unknown>; context: LocalLambdaContext }[];

function fakeHandlers(calls: Calls, overrides: Partial<Record<string, LocalHandler>> = {}): Record<string, LocalHandler> {
  const canned = (fn: string, section: unknown): LocalHandler => {
    const handler = overrides[fn];
    return async (event, context) => {
      calls.push({ fn, event: event as Record<string, unknown>, context });
      return handler ? handler(event, context) : section;
    };
  };
  return {
    'ledgerlake-test-enrichment': canned('ledgerlake-test-enrichment', SECTIONS.enrichment),
    'ledgerlake-test-loop-prevention': canned('ledgerlake-test-loop-prevention', SECTIONS.loop_prevention),
    'ledgerlake-test-validation': canned('ledgerlake-test-validation', SECTIONS.validation),
    'ledgerlake-test-partition-writer': canned('ledgerlake-test-partition-writer', SECTIONS.partition_writer),
    'ledgerlake-test-run-recorder': canned('ledgerlake-test-run-recorder', { recorded: true }),
    'ledgerlake-test-promotion': async (event, context) => {
      const { action } = event as { action: keyof typeof PROMOTION };
      calls.push({ fn: `ledgerlake-test-promotion:${action}`, event: event as Record<string, unknown>, context });
      const handler = overrides[`promotion:${action}`];
      return handler ? handler(event, context) : PROMOTION[action];
    },
  };
}

describe('row pipeline, run locally with fake functions', () => {
  it('reaches the success state with every section in the output', async () => {
    const calls: Calls = [];
    const entered: string[] = [];

    const result = await runLocally({
      definition,
      handlers: fakeHandlers(calls),
      input: INPUT,
      executionName: RUN_ID,
      onStateEntered: (state) => entered.push(state.name),
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.status === 'SUCCEEDED' && result.output).toEqual({
      run: expect.objectContaining({ ...INPUT, run_id: RUN_ID, execution_name: RUN_ID }),
      ...SECTIONS,
      gate: PROMOTION['evaluate-gate'],
      promotion: PROMOTION.promote,
      gold: PROMOTION['refresh-gold'],
    });
    expect(entered).toEqual([
      'CaptureRunContext',
      'BuildRunContext',
      'Enrich',
      'PreventLoops',
      'IsDuplicateFile',
      'Validate',
      'WritePartitions',
      'EvaluateGate',
      'IsPromotable',
      'Promote',
      'RefreshGold',
      'RunPublished',
    ]);
    expect(calls.map((call) => call.fn)).toEqual([
      'ledgerlake-test-enrichment',
      'ledgerlake-test-loop-prevention',
      'ledgerlake-test-validation',
      'ledgerlake-test-partition-writer',
      'ledgerlake-test-promotion:evaluate-gate',
      'ledgerlake-test-promotion:promote',
      'ledgerlake-test-promotion:refresh-gold',
    ]);
  });

  it('hands Gold the earliest month promotion touched', async () => {
    const calls: Calls = [];

    await runLocally({ definition, handlers: fakeHandlers(calls), input: INPUT, executionName: RUN_ID });

    const gold = calls.find((call) => call.fn === 'ledgerlake-test-promotion:refresh-gold');
    expect(gold?.event).toEqual({
      action: 'refresh-gold',
      run: expect.objectContaining({ run_id: RUN_ID }),
      promotion: PROMOTION.promote,
    });
  });

  it('takes the blocked path when the gate blocks: never promotes, records and succeeds as RunBlocked', async () => {
    const calls: Calls = [];
    const exited: string[] = [];
    const blocked = { decision: 'BLOCKED', reasons: ['quarantine rate 50.00 % is not below 5.00 %'] };

    const result = await runLocally({
      definition,
      handlers: fakeHandlers(calls, { 'promotion:evaluate-gate': async () => blocked }),
      input: INPUT,
      executionName: RUN_ID,
      onStateExited: (state) => exited.push(state.name),
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(exited.slice(-3)).toEqual(['IsPromotable', 'RecordBlocked', 'RunBlocked']);
    const recorded = calls.find((call) => call.fn === 'ledgerlake-test-promotion:record-blocked');
    expect(recorded?.event).toEqual({ action: 'record-blocked', run: expect.objectContaining({ run_id: RUN_ID }), gate: blocked });
    expect(calls.map((call) => call.fn)).not.toContain('ledgerlake-test-promotion:promote');
  });

  it('captures the run context from the execution: name = run id, id = execution ARN', async () => {
    const calls: Calls = [];

    await runLocally({ definition, handlers: fakeHandlers(calls), input: INPUT, executionName: RUN_ID });

    const run = calls[0]?.event['run'] as Record<string, unknown>;
    expect(run).toEqual({
      ...INPUT,
      run_id: RUN_ID,
      execution_name: RUN_ID,
      execution_arn: `arn:aws:states:local:000000000000:execution:ledgerlake:${RUN_ID}`,
      started_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    expect(run['execution_arn']).toBe(localExecutionArn(RUN_ID));
  });

  it('passes each function the whole state so far and a Lambda-like context', async () => {
    const calls: Calls = [];

    await runLocally({ definition, handlers: fakeHandlers(calls), input: INPUT, executionName: RUN_ID });

    const validate = calls.find((call) => call.fn === 'ledgerlake-test-validation');
    expect(Object.keys(validate?.event ?? {}).sort()).toEqual(['enrichment', 'loop_prevention', 'run']);
    expect(validate?.context).toMatchObject({
      functionName: 'ledgerlake-test-validation',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ledgerlake-test-validation',
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(validate?.context.getRemainingTimeInMillis()).toBeGreaterThan(890_000);
  });

  it('ends in Skipped, without validation or writing, for a duplicate file', async () => {
    const calls: Calls = [];
    const exited: string[] = [];
    const duplicate = { status: 'DUPLICATE_FILE', duplicate_of: '20240101T000000Z', condemned_rows: 0, condemned_by_reason: {} };

    const result = await runLocally({
      definition,
      handlers: fakeHandlers(calls, { 'ledgerlake-test-loop-prevention': async () => duplicate }),
      input: INPUT,
      executionName: RUN_ID,
      onStateExited: (state) => exited.push(state.name),
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(exited.at(-1)).toBe('Skipped');
    expect(result.status === 'SUCCEEDED' && result.output).toMatchObject({ loop_prevention: duplicate });
    expect(calls.map((call) => call.fn)).not.toContain('ledgerlake-test-validation');
    expect(calls.map((call) => call.fn)).not.toContain('ledgerlake-test-partition-writer');
  });

  it('retries a TransientStorageError and succeeds when the function recovers', async () => {
    const calls: Calls = [];
    let failuresLeft = 2;
    const flaky: LocalHandler = async () => {
      if (failuresLeft-- > 0) throw new TransientStorageError('storage: PutObject throttled');
      return SECTIONS.validation;
    };

    const result = await runLocally({
      definition,
      handlers: fakeHandlers(calls, { 'ledgerlake-test-validation': flaky }),
      input: INPUT,
      executionName: RUN_ID,
      retryIntervalMs: 0,
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(calls.filter((call) => call.fn === 'ledgerlake-test-validation')).toHaveLength(3);
    expect(calls.map((call) => call.fn)).not.toContain('ledgerlake-test-run-recorder');
  });

  it('gives up after 3 retries of a TransientStorageError and fails the run with it', async () => {
    const calls: Calls = [];
    const broken: LocalHandler = async () => {
      throw new TransientStorageError('storage: still throttled');
    };

    const result = await runLocally({
      definition,
      handlers: fakeHandlers(calls, { 'ledgerlake-test-validation': broken }),
      input: INPUT,
      executionName: RUN_ID,
      retryIntervalMs: 0,
    });

    expect(calls.filter((call) => call.fn === 'ledgerlake-test-validation')).toHaveLength(4);
    expect(result).toMatchObject({ status: 'FAILED', error: 'TransientStorageError', failedState: 'Validate' });
  });

  it('does not retry a MissingColumnsError: records the failure, then fails with the original error', async () => {
    const calls: Calls = [];
    const thrown = new MissingColumnsError('s3://bronze/x.csv', ['amount'], ['id', 'account_id']);
    const rejecting: LocalHandler = async () => {
      throw thrown;
    };

    const result = await runLocally({
      definition,
      handlers: fakeHandlers(calls, { 'ledgerlake-test-enrichment': rejecting }),
      input: INPUT,
      executionName: RUN_ID,
    });

    expect(calls.map((call) => call.fn)).toEqual(['ledgerlake-test-enrichment', 'ledgerlake-test-run-recorder']);
    const recorded = calls[1]?.event['error'] as { Error: string; Cause: string };
    expect(recorded.Error).toBe('MissingColumnsError');
    expect(JSON.parse(recorded.Cause)).toMatchObject({ errorType: 'MissingColumnsError', errorMessage: thrown.message });
    expect(result).toEqual({
      status: 'FAILED',
      executionArn: localExecutionArn(RUN_ID),
      error: 'MissingColumnsError',
      cause: recorded.Cause,
      failedState: 'Enrich',
    });
  });

  it('still fails with the original error when recording the failure fails too', async () => {
    const calls: Calls = [];

    const result = await runLocally({
      definition,
      handlers: fakeHandlers(calls, {
        'ledgerlake-test-partition-writer': async () => {
          throw new MissingColumnsError('s3://bronze/x.csv', ['amount'], []);
        },
        'ledgerlake-test-run-recorder': async () => {
          throw new Error('recorder down');
        },
      }),
      input: INPUT,
      executionName: RUN_ID,
    });

    expect(result).toMatchObject({ status: 'FAILED', error: 'MissingColumnsError', failedState: 'WritePartitions' });
  });
});
