import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability } from '@ledgerlake/observability';
import { RunStateSchema } from '@ledgerlake/contract';
import { claimFile, readLedgerEntry, readRunRecord } from '@ledgerlake/ledgers';
import { createLakeLayout, FsObjectStore, localBuckets } from '@ledgerlake/storage';
import { captureSink, fakeLambdaContext, loadFixture } from '@ledgerlake/testing';
import { createHandler } from '../../src';

describe('run-recorder handler', () => {
  let lake: string;
  beforeEach(() => {
    lake = mkdtempSync(join(tmpdir(), 'ledgerlake-run-recorder-'));
  });
  afterEach(() => {
    rmSync(lake, { recursive: true, force: true });
  });

  it('records the failed run and releases its claim in the middy chain, returning the run error with the record (stored back at $.error)', async () => {
    const store = new FsObjectStore(lake);
    const layout = createLakeLayout(localBuckets());
    const event = loadFixture<Record<string, unknown>>(join(__dirname, 'fixtures'), 'state-input');
    const state = RunStateSchema.parse(event);
    const sha = state.enrichment?.content_sha256 ?? '';
    await claimFile(store, layout, { contentSha256: sha, runId: state.run.run_id, source: state.run.source, at: new Date('2024-02-01T00:01:00Z') });
    const capture = captureSink();
    const obs = createObservability({ serviceName: 'run-recorder', sink: capture.sink });
    const handler = createHandler({ store, layout, obs, now: () => new Date('2024-02-01T00:05:00Z') });

    const result = await handler(event, fakeLambdaContext({ functionName: 'run-recorder' }));

    expect(result).toEqual({
      Error: 'CircuitBreakerOpenError',
      Cause: expect.any(String),
      status: 'FAILED',
      record: { bucket: 'artifacts', key: 'runs/20240201T000000Z/run.json' },
    });
    expect(await readRunRecord(store, layout, '20240201T000000Z')).toMatchObject({
      status: 'FAILED',
      error: 'CircuitBreakerOpenError',
      cause: 'validation: circuit breaker open: TYPE_ERROR failed 120 of 1000 rows in the last 60 min',
      failed_state: 'ProcessParts',
      counts: { input_rows: 1000, condemned_rows: 0 },
      failed_at: '2024-02-01T00:05:00.000Z',
    });
    expect(await readLedgerEntry(store, layout, sha)).toMatchObject({ status: 'released', release_reason: 'CircuitBreakerOpenError' });
    const log = capture.logs().find((line) => line['message'] === 'run recorded as failed');
    expect(log).toMatchObject({ run_id: '20240201T000000Z', execution_arn: state.run.execution_arn, error: 'CircuitBreakerOpenError' });
    const [metrics] = capture.metrics();
    expect(metrics).toMatchObject({ run_id: '20240201T000000Z' });
  });

  it('fails with a clear error for an input that is not a failed run state', async () => {
    const obs = createObservability({ serviceName: 'run-recorder', sink: captureSink().sink });
    const handler = createHandler({ store: new FsObjectStore(lake), layout: createLakeLayout(localBuckets()), obs });

    await expect(handler({ error: { Error: 'X', Cause: '' } }, fakeLambdaContext({ functionName: 'run-recorder' }))).rejects.toMatchObject({
      name: 'InvalidEventError',
      message: expect.stringMatching(/^RecordFailure: the event is not valid: run: /),
    });
  });
});
