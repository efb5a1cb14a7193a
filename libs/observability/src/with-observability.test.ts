import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { TransientStorageError } from '@ledgerlake/domain';
import flatInput from '../tests/fixtures/state-input-flat.json';
import sqsEvent from '../tests/fixtures/sqs-event.json';
import stateInput from '../tests/fixtures/state-input.json';
import { createObservability, type Observability } from './create-observability';
import type { LambdaContext } from './lambda-context';
import { INVOCATION_FAILED_MESSAGE } from './log-errors';
import { recordRunMetrics } from './run-metrics';
import { withObservability } from './with-observability';

type JsonRecord = Record<string, unknown>;

// The shared fake lives in @ledgerlake/testing, which depends on this lib: a copy keeps the
// dependency one-way.
function testContext(): LambdaContext {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'ledgerlake-dev-silver-writer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ledgerlake-dev-silver-writer',
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/ledgerlake-dev-silver-writer',
    logStreamName: '2025/01/14/[$LATEST]abcdef0123456789',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const ENV_KEYS = ['AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_EXECUTION_ENV', 'POWERTOOLS_TRACE_ENABLED', 'POWERTOOLS_DEV'];
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

afterEach(() => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  jest.restoreAllMocks();
});

/** A function as the handlers build it, writing to an in-memory sink. */
function setUp(): { obs: Observability; lines: string[]; logs: () => JsonRecord[]; emf: () => JsonRecord[] } {
  const lines: string[] = [];
  const obs = createObservability({
    serviceName: 'silver-writer',
    dataset: 'mortgages/transactions',
    sink: (line) => lines.push(line),
  });
  const records = (): JsonRecord[] => lines.map((line) => JSON.parse(line) as JsonRecord);
  return {
    obs,
    lines,
    logs: () => records().filter((record) => !('_aws' in record)),
    emf: () => records().filter((record) => '_aws' in record),
  };
}

function countingHandler(obs: Observability) {
  return withObservability(async (event: unknown) => {
    obs.logger.info('reading bronze object');
    const counts = (event as { counts?: { input_rows: number } }).counts;
    recordRunMetrics(obs.metrics, { input_rows: counts?.input_rows ?? 0 });
    obs.logger.info('partition written', { rows: 990 });
    return { status: 'WRITTEN' };
  }, obs);
}

describe('withObservability', () => {
  it('stamps the run_id, execution_arn and source_file_id of the state input on every log line', async () => {
    const { obs, logs } = setUp();
    const handler = countingHandler(obs);

    const response = await handler(stateInput, testContext());

    expect(response).toEqual({ status: 'WRITTEN' });
    expect(logs().map((log) => log['message'])).toEqual(['reading bronze object', 'partition written']);
    for (const log of logs()) {
      expect(log).toMatchObject({
        run_id: stateInput.run.run_id,
        execution_arn: stateInput.run.execution_arn,
        source_file_id: stateInput.run.source_file_id,
        service: 'silver-writer',
        function_name: 'ledgerlake-dev-silver-writer',
        function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      });
    }
  });

  it('carries the next run ids on a warm invocation, and none of the previous run', async () => {
    const { obs, lines, logs } = setUp();
    const handler = countingHandler(obs);
    await handler(stateInput, testContext());
    lines.length = 0;

    await handler(flatInput, testContext());

    expect(logs()).toHaveLength(2);
    for (const log of logs()) {
      expect(log).toMatchObject({
        run_id: flatInput.run_id,
        execution_arn: flatInput.execution_arn,
        source_file_id: flatInput.source_file_id,
      });
    }
    expect(lines.join('\n')).not.toContain(stateInput.run.run_id);
  });

  it('adds no run keys, and keeps none from before, for an event without run context', async () => {
    const { obs, lines, logs, emf } = setUp();
    const handler = countingHandler(obs);
    await handler(stateInput, testContext());
    lines.length = 0;

    await handler(sqsEvent, testContext());

    expect(logs()).toHaveLength(2);
    for (const record of [...logs(), ...emf()]) {
      expect(record).not.toHaveProperty('run_id');
      expect(record).not.toHaveProperty('execution_arn');
      expect(record).not.toHaveProperty('source_file_id');
    }
  });

  it('publishes one EMF record with run_id and execution_arn as metadata and only service and dataset as dimensions', async () => {
    const { obs, emf } = setUp();
    const handler = countingHandler(obs);

    await handler(stateInput, testContext());

    expect(emf()).toHaveLength(1);
    const [record] = emf();
    expect(record).toMatchObject({
      run_id: stateInput.run.run_id,
      execution_arn: stateInput.run.execution_arn,
      service: 'silver-writer',
      dataset: 'mortgages/transactions',
      InputRows: 1000,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'LedgerLake',
            Dimensions: [['service', 'dataset']],
            Metrics: [{ Name: 'InputRows', Unit: MetricUnit.Count }],
          },
        ],
      },
    });
  });

  it('counts a cold start once, inside the invocation record that carries the run_id', async () => {
    process.env['AWS_LAMBDA_INITIALIZATION_TYPE'] = 'on-demand';
    const { obs, emf } = setUp();
    const handler = countingHandler(obs);

    await handler(stateInput, testContext());
    await handler(flatInput, testContext());

    const [cold, warm] = emf();
    expect(emf()).toHaveLength(2);
    expect(cold).toMatchObject({ ColdStart: 1, run_id: stateInput.run.run_id });
    expect(cold?.['_aws']).toMatchObject({ CloudWatchMetrics: [{ Dimensions: [['service', 'dataset']] }] });
    expect(warm).not.toHaveProperty('ColdStart');
  });

  it('rethrows the handler error unchanged, logs it once with name, message and retryable, and still publishes metrics', async () => {
    const { obs, logs, emf } = setUp();
    const failure = new TransientStorageError('storage: GET ledgerlake-bronze/a.csv throttled');
    const handler = withObservability(async () => {
      recordRunMetrics(obs.metrics, { bytes_read: 512 });
      throw failure;
    }, obs);

    const outcome = handler(stateInput, testContext());

    await expect(outcome).rejects.toBe(failure);
    await expect(outcome).rejects.toHaveProperty('name', 'TransientStorageError');
    const errors = logs().filter((log) => log['level'] === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: INVOCATION_FAILED_MESSAGE,
      run_id: stateInput.run.run_id,
      error: { name: 'TransientStorageError', message: failure.message, retryable: true },
    });
    expect(emf()).toEqual([expect.objectContaining({ BytesRead: 512, run_id: stateInput.run.run_id })]);
  });

  it('clears the run keys after a failed invocation too', async () => {
    const { obs, lines, logs } = setUp();
    const failing = withObservability(async () => {
      throw new Error('boom');
    }, obs);
    await expect(failing(stateInput, testContext())).rejects.toThrow('boom');
    lines.length = 0;

    obs.logger.info('between invocations');

    expect(logs()).toHaveLength(1);
    expect(logs()[0]).not.toHaveProperty('run_id');
  });

  it('logs a thrown non-Error value once and rethrows it as is', async () => {
    const { obs, logs } = setUp();
    const handler = withObservability(async () => {
      throw 'plain string';
    }, obs);

    await expect(handler(stateInput, testContext())).rejects.toBe('plain string');
    expect(logs().filter((log) => log['level'] === 'ERROR')).toEqual([
      expect.objectContaining({ error: { name: 'NonError', message: 'plain string' } }),
    ]);
  });

  it('logs the incoming event, with the run ids, when asked to', async () => {
    const { obs, logs } = setUp();
    const handler = withObservability(async () => 'done', obs, { logEvent: true });

    await handler(stateInput, testContext());

    const eventLines = logs().filter((log) => log['message'] === 'Lambda invocation event');
    expect(eventLines).toEqual([expect.objectContaining({ event: stateInput, run_id: stateInput.run.run_id })]);
  });

  it('writes nothing to stdout when a sink is given', async () => {
    const stdout = jest.spyOn(process.stdout, 'write');
    const { obs, lines } = setUp();
    const handler = countingHandler(obs);

    await handler(stateInput, testContext());
    obs.metrics.singleMetric().addMetric('Retries', MetricUnit.Count, 1);
    obs.logger.createChild({ persistentKeys: { part: 'child' } }).info('from a child logger');

    expect(stdout).not.toHaveBeenCalled();
    expect(lines.some((line) => line.includes('"Retries":1'))).toBe(true);
    expect(lines.some((line) => line.includes('from a child logger'))).toBe(true);
  });

  it('writes each record on one line even when POWERTOOLS_DEV asks for pretty output', async () => {
    process.env['POWERTOOLS_DEV'] = 'true';
    const { obs, lines } = setUp();

    await countingHandler(obs)(stateInput, testContext());

    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain('\n');
  });

  it.each([
    ['outside Lambda (no AWS_EXECUTION_ENV)', {}],
    ['with POWERTOOLS_TRACE_ENABLED=false in Lambda', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'false' }],
  ])('runs with the tracer disabled %s and still annotates through it', async (_case, env: Record<string, string>) => {
    delete process.env['AWS_EXECUTION_ENV'];
    Object.assign(process.env, env);
    const { obs, logs } = setUp();
    const annotate = jest.spyOn(obs.tracer, 'putAnnotation');

    const response = await countingHandler(obs)(stateInput, testContext());

    expect(obs.tracer.isTracingEnabled()).toBe(false);
    expect(response).toEqual({ status: 'WRITTEN' });
    expect(annotate).toHaveBeenCalledWith('run_id', stateInput.run.run_id);
    expect(logs()).toHaveLength(2);
  });
});
