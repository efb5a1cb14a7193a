import { MissingColumnsError, TransientStorageError } from '@ledgerlake/domain';
import {
  loadDefinition,
  type LocalHandler,
  type LocalLambdaContext,
  type LocalObjectPort,
  localExecutionArn,
  runLocally,
} from '../../src';

// Fake functions: canned sections, no app imports. They stand in for the four row functions and
// the run recorder, bound by function name exactly as the real handlers will be. The Distributed
// Maps' items and results go through an in-memory S3 (`objects`), which the fakes write and read too.
const definition = loadDefinition({ region: 'eu-west-1', accountId: '123456789012', stage: 'test' });
const RUN_ID = '20240105T090000Z-abc123';
const INPUT = {
  dataset: 'mortgages/transactions',
  mode: 'ingest',
  source: { bucket: 'ledgerlake-test-bronze', key: 'mortgages/transactions/ingest_date=2024-01-05/x.csv' },
};
const CHUNKS = [
  { index: 0, source: { bucket: 'b', key: 'k' }, start: 0, end: 10, first_line: 1 },
  { index: 1, source: { bucket: 'b', key: 'k' }, start: 10, end: 20, first_line: 3 },
];
const WORK = 'work/20240105T090000Z-abc123/';
const PARTS = [
  { part: 0, rows: 2 },
  { part: 100, rows: 1 },
];
/** What the Maps' children return: the chunk results, the part summaries. */
const CHUNK_RESULTS = [
  { chunk: 0, input_rows: 2, input_minor: '100', parts: [{ part: 0, rows: 2 }] },
  { chunk: 1, input_rows: 1, input_minor: '50', parts: [{ part: 100, rows: 1 }] },
];
const PART_SUMMARIES = [
  { part: 0, counts: { input_rows: 2, valid_rows: 2, quarantined_rows: 0, condemned_rows: 0 } },
  { part: 100, counts: { input_rows: 1, valid_rows: 1, quarantined_rows: 0, condemned_rows: 0 } },
];
/** A Distributed Map's output: its map run, and the manifest of its results under `prefix`. */
const mapOutput = (prefix: string) => ({
  MapRunArn: expect.stringMatching(/^arn:aws:states:local:000000000000:mapRun:ledgerlake\//),
  ResultWriterDetails: { Bucket: 'artifacts', Key: expect.stringMatching(new RegExp(`^${prefix}/[0-9a-f-]{36}/manifest\\.json$`)) },
});
const SECTIONS = {
  plan: {
    source_file_id: 'f1',
    chunk_count: 2,
    chunk_manifest: { bucket: 'artifacts', key: `${WORK}plan/chunks.json` },
    chunk_results: { bucket: 'artifacts', prefix: `${WORK}map-results/chunks` },
    map_concurrency: 40,
  },
  enrichment: {
    source_file_id: 'f1',
    input_rows: 3,
    part_count: 2,
    part_manifest: { bucket: 'artifacts', key: `${WORK}enriched/parts.json` },
    part_results: { bucket: 'artifacts', prefix: `${WORK}map-results/parts` },
  },
  loop_prevention: { status: 'CONTINUE', condemned_rows: 0, condemned_by_reason: {} },
  validation: { valid_rows: 3, quarantined_rows: 0, quarantine_by_reason: {} },
  partition_writer: { counts: { input_rows: 3, valid_rows: 3, quarantined_rows: 0, condemned_rows: 0 } },
};
/** An in-memory S3: what the Distributed Maps read and write, and the fakes with them. */
function memoryObjects(): LocalObjectPort & { readonly objects: Map<string, string> } {
  const objects = new Map<string, string>();
  return {
    objects,
    get: async (bucket, key) => {
      const body = objects.get(`${bucket}/${key}`);
      return body === undefined ? undefined : Buffer.from(body);
    },
    put: async (bucket, key, body) => void objects.set(`${bucket}/${key}`, body),
  };
}

/** The outputs of every child of a Distributed Map, read back from its ResultWriter's files. */
async function mapResults(objects: LocalObjectPort, output: unknown): Promise<unknown[]> {
  const read = async (bucket: string, key: string): Promise<unknown> =>
    JSON.parse(Buffer.from((await objects.get(bucket, key)) ?? Buffer.from('null')).toString());
  const { ResultWriterDetails: where } = output as { ResultWriterDetails: { Bucket: string; Key: string } };
  const manifest = (await read(where.Bucket, where.Key)) as { ResultFiles: { SUCCEEDED: { Key: string }[] } };
  const children: unknown[] = [];
  for (const { Key } of manifest.ResultFiles.SUCCEEDED) {
    for (const child of (await read(where.Bucket, Key)) as { Output: string }[]) children.push(JSON.parse(child.Output));
  }
  return children;
}

let objects = memoryObjects();
beforeEach(() => {
  objects = memoryObjects();
});

/** What each function returns per action (several Tasks share a function); `-` = no action. */
const CANNED: Record<string, (event: Record<string, unknown>) => unknown> = {
  'enrichment:plan': async () => {
    await objects.put('artifacts', SECTIONS.plan.chunk_manifest.key, JSON.stringify(CHUNKS));
    return SECTIONS.plan;
  },
  'enrichment:enrich-chunk': (event) => CHUNK_RESULTS[(event['chunk'] as { index: number }).index],
  'enrichment:combine': async () => {
    await objects.put('artifacts', SECTIONS.enrichment.part_manifest.key, JSON.stringify(PARTS));
    return SECTIONS.enrichment;
  },
  'loop-prevention:-': () => SECTIONS.loop_prevention,
  'validation:validate-part': (event) => ({ part: (event['part'] as { part: number }).part, valid_rows: 1 }),
  'partition-writer:write-part': (event) => PART_SUMMARIES.find((p) => p.part === (event['part'] as { part: number }).part),
  'validation:check-breaker': () => SECTIONS.validation,
  'partition-writer:finish': () => SECTIONS.partition_writer,
  // RecordFailure's result is stored back at $.error: the run's error, with the record.
  'run-recorder:-': (event) => ({ ...(event['error'] as object), status: 'FAILED', record: { bucket: 'artifacts', key: 'runs/x/run.json' } }),
  'promotion:recover': () => ({ recovered: 0, live: 0, failed: 0 }),
  'promotion:evaluate-gate': () => ({ decision: 'PROMOTE', reasons: [] }),
  'promotion:promote': () => ({ status: 'PUBLISHED', partitions: [{ partition: '2024-01', version: 1, rows: 3 }], gold_from: '2024-01' }),
  'promotion:refresh-gold': () => ({ months: ['2024-01'], committed: 2, passes: 1 }),
  'promotion:record-blocked': () => ({ status: 'BLOCKED', reasons: ['too many'], claim_released: true }),
  'run-recorder:report': () => ({ report: 'runs/x/report.html', bytes: 1 }),
};
const FUNCTIONS = ['enrichment', 'loop-prevention', 'validation', 'partition-writer', 'run-recorder', 'promotion'];

/** One call: `fn` is `<function>:<action>` (`-` without an action). */
type Calls = { fn: string; event: Record<string, unknown>; context: LocalLambdaContext }[];

/** Fake functions: canned results per action, no app imports; `overrides` by `<function>:<action>`. */
function fakeHandlers(calls: Calls, overrides: Partial<Record<string, LocalHandler>> = {}): Record<string, LocalHandler> {
  return Object.fromEntries(
    FUNCTIONS.map((fn) => [
      `ledgerlake-test-${fn}`,
      async (event: unknown, context: LocalLambdaContext) => {
        const input = event as Record<string, unknown>;
        const name = `${fn}:${typeof input['action'] === 'string' ? input['action'] : '-'}`;
        calls.push({ fn: name, event: input, context });
        const override = overrides[name];
        if (override) return override(event, context);
        const canned = CANNED[name];
        if (canned === undefined) throw new Error(`fake: no canned result for ${name}`);
        return canned(input);
      },
    ]),
  );
}

const TOP_LEVEL = new Set(Object.keys(definition.States));

/** A function failing with an error no retry can fix. */
const rejecting: LocalHandler = async () => {
  throw new MissingColumnsError('s3://bronze/x.csv', ['amount'], ['id', 'account_id']);
};

describe('row pipeline, run locally with fake functions', () => {
  it('reaches the success state with every section in the output', async () => {
    const calls: Calls = [];
    const entered: string[] = [];

    const result = await runLocally({
      definition,
      objects,
      handlers: fakeHandlers(calls),
      input: INPUT,
      executionName: RUN_ID,
      onStateEntered: (state) => entered.push(state.name),
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.status === 'SUCCEEDED' && result.output).toEqual({
      run: expect.objectContaining({ ...INPUT, run_id: RUN_ID, execution_name: RUN_ID }),
      recovery: CANNED['promotion:recover']?.({}),
      ...SECTIONS,
      chunks: mapOutput(`${WORK}map-results/chunks`),
      parts: mapOutput(`${WORK}map-results/parts`),
      gate: CANNED['promotion:evaluate-gate']?.({}),
      promotion: CANNED['promotion:promote']?.({}),
      gold: CANNED['promotion:refresh-gold']?.({}),
    });
    expect(entered.filter((name) => TOP_LEVEL.has(name))).toEqual([
      'CaptureRunContext',
      'BuildRunContext',
      'RecoverPromotions',
      'PlanChunks',
      'EnrichChunks',
      'CombineChunks',
      'PreventLoops',
      'IsDuplicateFile',
      'ProcessParts',
      'CheckBreaker',
      'FinishRun',
      'EvaluateGate',
      'IsPromotable',
      'Promote',
      'RefreshGold',
      'ReportRun',
      'RunEnded',
      'RunPublished',
    ]);
    const sequence = calls.map((call) => call.fn);
    expect(sequence.filter((fn) => fn === 'enrichment:enrich-chunk')).toHaveLength(2);
    expect(sequence.filter((fn) => fn === 'validation:validate-part')).toHaveLength(2);
    expect(sequence.filter((fn) => fn === 'partition-writer:write-part')).toHaveLength(2);
    expect(sequence.filter((fn) => !fn.endsWith('-chunk') && !fn.endsWith('-part'))).toEqual([
      'promotion:recover',
      'enrichment:plan',
      'enrichment:combine',
      'loop-prevention:-',
      'validation:check-breaker',
      'partition-writer:finish',
      'promotion:evaluate-gate',
      'promotion:promote',
      'promotion:refresh-gold',
      'run-recorder:report',
    ]);
  });

  it('gives each chunk and each part its own child execution, with its item and the sections it reads, and the next Task their results', async () => {
    const calls: Calls = [];

    await runLocally({ definition, objects, handlers: fakeHandlers(calls), input: INPUT, executionName: RUN_ID });

    const chunkEvents = calls.filter((call) => call.fn === 'enrichment:enrich-chunk').map((call) => call.event);
    expect(chunkEvents.map((event) => event['chunk'])).toEqual(CHUNKS);
    expect(chunkEvents[0]).toEqual({ action: 'enrich-chunk', run: expect.objectContaining({ run_id: RUN_ID }), plan: SECTIONS.plan, chunk: CHUNKS[0] });
    const write = calls.find((call) => call.fn === 'partition-writer:write-part' && (call.event['part'] as { part: number }).part === 100);
    expect(write?.event).toEqual({
      action: 'write-part',
      run: expect.objectContaining({ run_id: RUN_ID }),
      enrichment: SECTIONS.enrichment,
      loop_prevention: SECTIONS.loop_prevention,
      validation: { part: 100, valid_rows: 1 },
      part: { part: 100, rows: 1 },
    });
    const finish = calls.find((call) => call.fn === 'partition-writer:finish');
    expect(finish?.event['parts']).toEqual(mapOutput(`${WORK}map-results/parts`));
    expect(await mapResults(objects, finish?.event['parts'])).toEqual(PART_SUMMARIES);
    const combine = calls.find((call) => call.fn === 'enrichment:combine');
    expect(await mapResults(objects, combine?.event['chunks'])).toEqual(CHUNK_RESULTS);
    const check = calls.find((call) => call.fn === 'validation:check-breaker');
    expect(Object.keys(check?.event ?? {}).sort()).toEqual(['action', 'enrichment', 'parts', 'run']);
  });

  it('completes the promotion from its intent: RefreshGold gets the run (and the id of its file) only', async () => {
    const calls: Calls = [];

    await runLocally({ definition, objects, handlers: fakeHandlers(calls), input: INPUT, executionName: RUN_ID });

    const gold = calls.find((call) => call.fn === 'promotion:refresh-gold');
    expect(Object.keys(gold?.event ?? {}).sort()).toEqual(['action', 'run', 'source_file_id']);
    expect(calls.some((call) => call.fn === 'promotion:roll-forward')).toBe(false);
  });

  it.each(['promotion:promote', 'promotion:refresh-gold'])(
    'rolls a begun promotion forward when %s fails, and ends published',
    async (failing) => {
      const calls: Calls = [];
      const rolled = { run_id: RUN_ID, status: 'PUBLISHED', partitions: [{ partition: '2024-01', version: 1, rows: 3 }] };
      const exited: string[] = [];

      const result = await runLocally({
        definition,
        objects,
        handlers: fakeHandlers(calls, { [failing]: rejecting, 'promotion:roll-forward': async () => rolled }),
        input: INPUT,
        executionName: RUN_ID,
        onStateExited: (state) => exited.push(state.name),
      });

      expect(result.status).toBe('SUCCEEDED');
      expect(result.status === 'SUCCEEDED' && (result.output as Record<string, unknown>)['rolled_forward']).toEqual(rolled);
      expect(exited.slice(-5)).toEqual(['RollForward', 'IsRolledForward', 'ReportRun', 'RunEnded', 'RunPublished']);
      expect(calls.some((call) => call.fn === 'run-recorder:-')).toBe(false);
    },
  );

  it('records the original error when the promotion never began (roll-forward finds no intent)', async () => {
    const calls: Calls = [];

    const result = await runLocally({
      definition,
      objects,
      handlers: fakeHandlers(calls, {
        'promotion:promote': rejecting,
        'promotion:roll-forward': async () => ({ run_id: RUN_ID, status: 'NOT_BEGUN' }),
      }),
      input: INPUT,
      executionName: RUN_ID,
    });

    expect(result).toMatchObject({ status: 'FAILED', error: 'MissingColumnsError', failedState: 'Promote' });
    const recorder = calls.find((call) => call.fn === 'run-recorder:-');
    expect((recorder?.event['error'] as { Error: string }).Error).toBe('MissingColumnsError');
  });

  it('takes the blocked path when the gate blocks: never promotes, records and succeeds as RunBlocked', async () => {
    const calls: Calls = [];
    const exited: string[] = [];
    const blocked = { decision: 'BLOCKED', reasons: ['quarantine rate 50.00 % is not below 5.00 %'] };

    const result = await runLocally({
      definition,
      objects,
      handlers: fakeHandlers(calls, { 'promotion:evaluate-gate': async () => blocked }),
      input: INPUT,
      executionName: RUN_ID,
      onStateExited: (state) => exited.push(state.name),
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(exited.slice(-5)).toEqual(['IsPromotable', 'RecordBlocked', 'ReportRun', 'RunEnded', 'RunBlocked']);
    const recorded = calls.find((call) => call.fn === 'promotion:record-blocked');
    expect(recorded?.event).toEqual({ action: 'record-blocked', run: expect.objectContaining({ run_id: RUN_ID }), gate: blocked, source_file_id: expect.any(String) });
    expect(calls.map((call) => call.fn)).not.toContain('promotion:promote');
  });

  it('captures the run context from the execution: name = run id, id = execution ARN', async () => {
    const calls: Calls = [];

    await runLocally({ definition, objects, handlers: fakeHandlers(calls), input: INPUT, executionName: RUN_ID });

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

    await runLocally({ definition, objects, handlers: fakeHandlers(calls), input: INPUT, executionName: RUN_ID });

    const validate = calls.find((call) => call.fn === 'loop-prevention:-');
    expect(Object.keys(validate?.event ?? {}).sort()).toEqual(['chunks', 'enrichment', 'plan', 'recovery', 'run']);
    expect(validate?.context).toMatchObject({
      functionName: 'ledgerlake-test-loop-prevention',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ledgerlake-test-loop-prevention',
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
      objects,
      handlers: fakeHandlers(calls, { 'loop-prevention:-': async () => duplicate }),
      input: INPUT,
      executionName: RUN_ID,
      onStateExited: (state) => exited.push(state.name),
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(exited.at(-1)).toBe('Skipped');
    expect(result.status === 'SUCCEEDED' && result.output).toMatchObject({ loop_prevention: duplicate });
    expect(calls.map((call) => call.fn).filter((fn) => fn.startsWith('validation') || fn.startsWith('partition-writer'))).toEqual([]);
  });

  it('retries a TransientStorageError and succeeds when the function recovers', async () => {
    const calls: Calls = [];
    let failuresLeft = 2;
    const flaky: LocalHandler = async () => {
      if (failuresLeft-- > 0) throw new TransientStorageError('storage: PutObject throttled');
      return { part: 0, valid_rows: 1 };
    };

    const result = await runLocally({
      definition,
      objects,
      handlers: fakeHandlers(calls, { 'validation:validate-part': flaky }),
      input: INPUT,
      executionName: RUN_ID,
      retryIntervalMs: 0,
    });

    expect(result.status).toBe('SUCCEEDED');
    // Two parts: one validated at once, one after two retries (the failures hit whichever came first).
    expect(calls.filter((call) => call.fn === 'validation:validate-part')).toHaveLength(4);
    expect(calls.map((call) => call.fn)).not.toContain('run-recorder:-');
  });

  it('gives up after 3 retries of a TransientStorageError and fails the run with it', async () => {
    const calls: Calls = [];
    const broken: LocalHandler = async () => {
      throw new TransientStorageError('storage: still throttled');
    };

    const result = await runLocally({
      definition,
      objects,
      handlers: fakeHandlers(calls, { 'validation:validate-part': broken }),
      input: INPUT,
      executionName: RUN_ID,
      retryIntervalMs: 0,
    });

    // The first part's four attempts fail its child, and the child the Map (no failure tolerated);
    // RecordFailure gets the Map's error (the real run-recorder reads the child's own from the results).
    expect(calls.filter((call) => call.fn === 'validation:validate-part').length).toBeGreaterThanOrEqual(4);
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold', failedState: 'ProcessParts' });
    const recorded = calls.find((call) => call.fn === 'run-recorder:-');
    expect(recorded?.event['enrichment']).toEqual(SECTIONS.enrichment);
  });

  it('does not retry a MissingColumnsError: records the failure, then fails with the original error', async () => {
    const calls: Calls = [];
    const thrown = new MissingColumnsError('s3://bronze/x.csv', ['amount'], ['id', 'account_id']);
    const rejecting: LocalHandler = async () => {
      throw thrown;
    };

    const result = await runLocally({
      definition,
      objects,
      handlers: fakeHandlers(calls, { 'enrichment:plan': rejecting }),
      input: INPUT,
      executionName: RUN_ID,
    });

    expect(calls.map((call) => call.fn)).toEqual(['promotion:recover', 'enrichment:plan', 'run-recorder:-', 'run-recorder:report']);
    const recorded = calls[2]?.event['error'] as { Error: string; Cause: string };
    expect(recorded.Error).toBe('MissingColumnsError');
    expect(JSON.parse(recorded.Cause)).toMatchObject({ errorType: 'MissingColumnsError', errorMessage: thrown.message });
    expect(result).toEqual({
      status: 'FAILED',
      executionArn: localExecutionArn(RUN_ID),
      error: 'MissingColumnsError',
      cause: recorded.Cause,
      failedState: 'PlanChunks',
      stats: expect.objectContaining({ child_executions: 0 }),
    });
  });

  it('still fails with the original error when recording the failure fails too', async () => {
    const calls: Calls = [];

    const result = await runLocally({
      definition,
      objects,
      handlers: fakeHandlers(calls, {
        'partition-writer:finish': async () => {
          throw new MissingColumnsError('s3://bronze/x.csv', ['amount'], []);
        },
        'run-recorder:-': async () => {
          throw new Error('recorder down');
        },
      }),
      input: INPUT,
      executionName: RUN_ID,
    });

    expect(result).toMatchObject({ status: 'FAILED', error: 'MissingColumnsError', failedState: 'FinishRun' });
  });
});
