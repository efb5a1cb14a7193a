import { InvalidEventError, StorageError, TransientStorageError } from '@ledgerlake/domain';
import { type RunState } from '@ledgerlake/contract';
import { claimFile, readLedgerEntry, readRunRecord, RUN_RECORD_MAX_CAUSE_BYTES } from '@ledgerlake/ledgers';
import { createLakeLayout, localBuckets, MemoryObjectStore, type ObjectStore } from '@ledgerlake/storage';

import { causeMessage, recordRunFailure, type CoreLogger } from './record-failure';

const layout = createLakeLayout(localBuckets());
const RUN_ID = '20240201T000000Z';
const SHA = 'a'.repeat(64);
const FAILED_AT = new Date('2024-02-01T00:05:00.000Z');
const now = () => FAILED_AT;

const RUN: RunState['run'] = {
  run_id: RUN_ID,
  execution_arn: `arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-ingest:${RUN_ID}`,
  execution_name: RUN_ID,
  started_at: '2024-02-01T00:00:00.000Z',
  dataset: 'mortgages/transactions',
  mode: 'ingest',
  source: { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2024-02-01/tx.csv', etag: '"abc"' },
};

const ENRICHMENT: NonNullable<RunState['enrichment']> = {
  source_file_id: 's3://bronze/mortgages/transactions/ingest_date=2024-02-01/tx.csv#abc',
  content_sha256: SHA,
  bytes_read: 1000,
  header: ['TransactionID', 'CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp'],
  extra_columns: [],
  input_rows: 4,
  input_amount: '300.50',
  work: { bucket: 'artifacts', prefix: `work/${RUN_ID}/` },
  part_count: 1,
  part_span: 1,
  part_manifest: { bucket: 'artifacts', key: `work/${RUN_ID}/enriched/parts.json` },
  part_results: { bucket: 'artifacts', prefix: `work/${RUN_ID}/map-results/parts` },
};

const LOOP_PREVENTION: NonNullable<RunState['loop_prevention']> = {
  status: 'CONTINUE',
  condemned_rows: 1,
  condemned_by_reason: { DUPLICATE_FAILURE: 1 },
};

/** How Lambda reports an error thrown by a function, as Step Functions passes it in `Cause`. */
function lambdaCause(errorType: string, errorMessage: string): string {
  return JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, '    at checkBreaker (index.js:1:1)'] });
}

const BREAKER_ERROR = {
  Error: 'CircuitBreakerOpenError',
  Cause: lambdaCause('CircuitBreakerOpenError', 'validation: circuit breaker open: TYPE_ERROR failed 120 of 1000 rows'),
};

interface LoggedLine {
  level: string;
  message: string;
  extra: Record<string, unknown>;
}

function recordingLogger(): CoreLogger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const log =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      lines.push({ level, message, extra: Object.assign({}, ...extra) as Record<string, unknown> });
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

async function claimForRun(store: ObjectStore, runId = RUN_ID): Promise<void> {
  await claimFile(store, layout, { contentSha256: SHA, runId, source: RUN.source, at: new Date('2024-02-01T00:01:00Z') });
}

describe('recordRunFailure', () => {
  it('writes runs/<run_id>/run.json with the error name and the message parsed out of a Lambda Cause', async () => {
    const store = new MemoryObjectStore();
    const state = { run: RUN, enrichment: ENRICHMENT, loop_prevention: LOOP_PREVENTION, error: BREAKER_ERROR };

    const result = await recordRunFailure(state, { store, layout, now });

    // Stored back at $.error for RunFailed: the run's error, with the record.
    expect(result).toEqual({ ...BREAKER_ERROR, status: 'FAILED', record: { bucket: 'artifacts', key: `runs/${RUN_ID}/run.json` } });
    expect(await readRunRecord(store, layout, RUN_ID)).toEqual({
      run_id: RUN_ID,
      execution_arn: RUN.execution_arn,
      dataset: 'mortgages/transactions',
      mode: 'ingest',
      started_at: RUN.started_at,
      source: { bucket: 'bronze', key: RUN.source.key },
      source_file_id: ENRICHMENT.source_file_id,
      counts: { input_rows: 4, condemned_rows: 1 },
      status: 'FAILED',
      failed_at: FAILED_AT.toISOString(),
      error: 'CircuitBreakerOpenError',
      cause: 'validation: circuit breaker open: TYPE_ERROR failed 120 of 1000 rows',
      failed_state: 'ProcessParts',
    });
  });

  it('keeps a Cause that is not Lambda-shaped JSON as it is', async () => {
    const store = new MemoryObjectStore();
    const error = { Error: 'States.Timeout', Cause: 'Task timed out after 900.00 seconds' };

    await recordRunFailure({ run: RUN, enrichment: ENRICHMENT, error }, { store, layout, now });

    expect(await readRunRecord(store, layout, RUN_ID)).toMatchObject({
      error: 'States.Timeout',
      cause: 'Task timed out after 900.00 seconds',
      failed_state: 'PreventLoops',
    });
  });

  it('is idempotent: a retried recorder returns the record already written, unchanged', async () => {
    const store = new MemoryObjectStore();
    await claimForRun(store);
    const state = { run: RUN, enrichment: ENRICHMENT, loop_prevention: LOOP_PREVENTION, error: BREAKER_ERROR };
    const first = await recordRunFailure(state, { store, layout, now });
    const written = await readRunRecord(store, layout, RUN_ID);

    const again = await recordRunFailure(state, { store, layout, now: () => new Date('2024-02-01T00:09:00Z') });

    expect(again).toEqual(first);
    expect(await readRunRecord(store, layout, RUN_ID)).toEqual(written);
    expect(await readLedgerEntry(store, layout, SHA)).toMatchObject({ status: 'released', released_at: FAILED_AT.toISOString() });
  });

  it("releases the run's processed-file claim so a re-drive can claim the content", async () => {
    const store = new MemoryObjectStore();
    await claimForRun(store);
    const logger = recordingLogger();

    await recordRunFailure(
      { run: RUN, enrichment: ENRICHMENT, loop_prevention: LOOP_PREVENTION, error: BREAKER_ERROR },
      { store, layout, now, logger },
    );

    expect(await readLedgerEntry(store, layout, SHA)).toMatchObject({
      run_id: RUN_ID,
      status: 'released',
      released_at: FAILED_AT.toISOString(),
      release_reason: 'CircuitBreakerOpenError',
    });
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'file claim released' }));
  });

  it("leaves another run's claim alone", async () => {
    const store = new MemoryObjectStore();
    await claimForRun(store, '20240131T000000Z');

    await recordRunFailure({ run: RUN, enrichment: ENRICHMENT, error: BREAKER_ERROR }, { store, layout, now });

    expect(await readLedgerEntry(store, layout, SHA)).toMatchObject({ run_id: '20240131T000000Z', status: 'claimed' });
  });

  it('records a run that failed after enrichment but before loop prevention claimed anything (no ledger entry)', async () => {
    const store = new MemoryObjectStore();
    const logger = recordingLogger();
    const error = { Error: 'TransientStorageError', Cause: lambdaCause('TransientStorageError', 'storage: slow down') };

    const result = await recordRunFailure({ run: RUN, enrichment: ENRICHMENT, error }, { store, layout, now, logger });

    expect(result.status).toBe('FAILED');
    expect(await readLedgerEntry(store, layout, SHA)).toBeUndefined();
    expect(logger.lines).toContainEqual(expect.objectContaining({ message: 'no file claim of this run to release' }));
  });

  it('records a run that failed before enrichment: no counts, no source file id, failed in Enrich', async () => {
    const store = new MemoryObjectStore();
    const error = { Error: 'InvalidInputError', Cause: lambdaCause('InvalidInputError', 'enrichment: bronze/x.csv is empty') };

    await recordRunFailure({ run: RUN, recovery: { recovered: 0, live: 0, failed: 0 }, error }, { store, layout, now });

    const record = await readRunRecord(store, layout, RUN_ID);
    expect(record).toMatchObject({ counts: {}, failed_state: 'PlanChunks', cause: 'enrichment: bronze/x.csv is empty' });
    expect(record).not.toHaveProperty('source_file_id');
  });

  it("records a failed Map child's own error, not the Map's States.ExceedToleratedFailureThreshold, and returns it for RunFailed", async () => {
    const store = new MemoryObjectStore();
    await claimForRun(store);
    // What the ProcessParts Map's ResultWriter leaves when a child failed.
    const folder = `${ENRICHMENT.part_results.prefix}/5a1d2c3e-0000-4000-8000-000000000001`;
    const failed = [{ Name: 'child-3', Status: 'FAILED', Input: '{}', Error: BREAKER_ERROR.Error, Cause: BREAKER_ERROR.Cause }];
    await store.put({ bucket: 'artifacts', key: `${folder}/FAILED_0.json` }, JSON.stringify(failed));
    const manifest = {
      DestinationBucket: 'artifacts',
      MapRunArn: 'arn:aws:states:eu-west-1:123456789012:mapRun:ledgerlake-ingest/ProcessParts:5a1d2c3e',
      ResultFiles: { FAILED: [{ Key: `${folder}/FAILED_0.json`, Size: 1 }], PENDING: [], SUCCEEDED: [] },
    };
    await store.put({ bucket: 'artifacts', key: `${folder}/manifest.json` }, JSON.stringify(manifest));
    const mapError = { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'The specified tolerated failure threshold was exceeded' };
    const state = { run: RUN, plan: {}, enrichment: ENRICHMENT, loop_prevention: LOOP_PREVENTION, error: mapError };

    const result = await recordRunFailure(state, { store, layout, now });

    expect(result).toMatchObject(BREAKER_ERROR);
    expect(await readRunRecord(store, layout, RUN_ID)).toMatchObject({
      status: 'FAILED',
      failed_state: 'ProcessParts',
      error: 'CircuitBreakerOpenError',
      cause: 'validation: circuit breaker open: TYPE_ERROR failed 120 of 1000 rows',
    });
    expect(await readLedgerEntry(store, layout, SHA)).toMatchObject({ status: 'released', release_reason: 'CircuitBreakerOpenError' });
  });

  it("keeps the Map's error when its result files hold no failed child", async () => {
    const store = new MemoryObjectStore();
    const mapError = { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'The specified tolerated failure threshold was exceeded' };

    const result = await recordRunFailure({ run: RUN, enrichment: ENRICHMENT, loop_prevention: LOOP_PREVENTION, error: mapError }, { store, layout, now });

    expect(result).toMatchObject(mapError);
    expect(await readRunRecord(store, layout, RUN_ID)).toMatchObject({ error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('takes the counts of the partition writer when it ran, and names the gate as failed after it', async () => {
    const store = new MemoryObjectStore();
    const counts = { input_rows: 4, valid_rows: 2, quarantined_rows: 1, condemned_rows: 1 };
    const state = {
      run: RUN,
      enrichment: ENRICHMENT,
      loop_prevention: LOOP_PREVENTION,
      validation: { valid_rows: 2, quarantined_rows: 1, quarantine_by_reason: { TYPE_ERROR: 1 } },
      partition_writer: {
        counts,
        quarantine_by_reason: { TYPE_ERROR: 1 },
        condemned_by_reason: { DUPLICATE_FAILURE: 1 },
        amounts: { input_minor: '30050', valid_minor: '30000', quarantined_minor: '50', condemned_minor: '0' },
        critical_errors: [],
        critical_error_count: 0,
        partitions: [],
        quarantine_file_count: 0,
        condemned_file_count: 0,
        manifest: { bucket: 'artifacts', key: `runs/${RUN_ID}/manifest.json` },
      },
      error: { Error: 'States.Runtime', Cause: 'An error occurred while executing the state' },
    };

    await recordRunFailure(state, { store, layout, now });

    const record = await readRunRecord(store, layout, RUN_ID);
    expect(record?.counts).toEqual(counts);
    expect(record).toHaveProperty('failed_state', 'EvaluateGate');
  });

  it('leaves a malformed section out of the record instead of failing, and says so', async () => {
    const store = new MemoryObjectStore();
    const logger = recordingLogger();

    await recordRunFailure(
      { run: RUN, enrichment: ENRICHMENT, validation: { valid_rows: 'many' }, error: BREAKER_ERROR },
      { store, layout, now, logger },
    );

    expect(await readRunRecord(store, layout, RUN_ID)).toMatchObject({ counts: { input_rows: 4 } });
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', extra: { malformed_sections: ['validation'] } }));
  });

  it('does not fail when the claim cannot be released for a lasting reason (the record is written)', async () => {
    const store = new MemoryObjectStore();
    await store.put(layout.control.processedFile(SHA), 'not json');
    const logger = recordingLogger();

    const result = await recordRunFailure({ run: RUN, enrichment: ENRICHMENT, error: BREAKER_ERROR }, { store, layout, now, logger });

    expect(result.status).toBe('FAILED');
    expect(await readRunRecord(store, layout, RUN_ID)).toBeDefined();
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'file claim not released' }));
  });

  it('lets a transient storage error through, so the state machine retries it', async () => {
    const store = new MemoryObjectStore();
    store.head = () => Promise.reject(new TransientStorageError('storage: slow down'));

    await expect(recordRunFailure({ run: RUN, enrichment: ENRICHMENT, error: BREAKER_ERROR }, { store, layout, now })).rejects.toThrow(
      TransientStorageError,
    );
    expect(await readRunRecord(store, layout, RUN_ID)).toBeDefined();
  });

  it('lets a lasting failure to write the record through', async () => {
    const store = new MemoryObjectStore();
    store.putIfAbsent = () => Promise.reject(new StorageError('storage: access denied'));

    await expect(recordRunFailure({ run: RUN, error: BREAKER_ERROR }, { store, layout, now })).rejects.toThrow(StorageError);
  });

  it.each([
    ['no run', { error: BREAKER_ERROR }, /run: /],
    ['no error', { run: RUN }, /error: /],
    ['an error without a name', { run: RUN, error: { Cause: 'x' } }, /error\.Error: /],
    ['a run id that is not one', { run: { ...RUN, run_id: 'x/..' }, error: BREAKER_ERROR }, /run\.run_id: /],
    ['not an object', 'oops', /the event: /],
  ])('refuses an input with %s, naming what is wrong', async (_, input, problem) => {
    const store = new MemoryObjectStore();

    const recording = recordRunFailure(input, { store, layout, now });

    await expect(recording).rejects.toThrow(InvalidEventError);
    await expect(recordRunFailure(input, { store, layout, now })).rejects.toThrow(problem);
    expect(await store.list('artifacts', 'runs/')).toMatchObject({ objects: [] });
  });
});

describe('causeMessage', () => {
  it('takes errorMessage out of a Lambda error Cause', () => {
    expect(causeMessage(lambdaCause('StorageError', 'storage: access denied to a/b'))).toBe('storage: access denied to a/b');
  });

  it('keeps JSON that is not a Lambda error as it is', () => {
    expect(causeMessage('{"message":"x"}')).toBe('{"message":"x"}');
    expect(causeMessage('{"errorType":1,"errorMessage":"x"}')).toBe('{"errorType":1,"errorMessage":"x"}');
    expect(causeMessage('{broken')).toBe('{broken');
    expect(causeMessage('null')).toBe('null');
  });

  it('cuts a long cause to 4 KB on a character boundary and says it did', () => {
    const long = 'é'.repeat(RUN_RECORD_MAX_CAUSE_BYTES);

    const cut = causeMessage(lambdaCause('Error', long));

    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(RUN_RECORD_MAX_CAUSE_BYTES);
    expect(cut).toMatch(/^é+… \[truncated\]$/);
  });

  it('cuts a long raw cause too', () => {
    expect(Buffer.byteLength(causeMessage('x'.repeat(40_000)), 'utf8')).toBe(RUN_RECORD_MAX_CAUSE_BYTES);
  });
});
