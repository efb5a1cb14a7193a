import { StorageError } from '@ledgerlake/domain';
import { createLakeLayout, localBuckets, MemoryObjectStore, type ObjectRef } from '@ledgerlake/storage';
import {
  readRunRecord,
  RUN_RECORD_MAX_CAUSE_BYTES,
  RunRecordSchema,
  writeRunRecordIfAbsent,
  type FailedRunRecord,
  type InterruptedRunRecord,
} from './run-record';

const layout = createLakeLayout(localBuckets());
const RUN_ID = '20250301T100000Z';

const failed = (over: Partial<FailedRunRecord> = {}): FailedRunRecord => ({
  run_id: RUN_ID,
  execution_arn: `arn:aws:states:eu-west-1:123456789012:execution:ledgerlake:${RUN_ID}`,
  dataset: 'mortgages/transactions',
  mode: 'ingest',
  started_at: '2025-03-01T10:00:00.000Z',
  source: { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2025-03-01/a.csv' },
  counts: { input_rows: 3 },
  status: 'FAILED',
  failed_at: '2025-03-01T10:01:00.000Z',
  error: 'CircuitBreakerOpenError',
  cause: 'validation: the circuit breaker is open',
  failed_state: 'Validate',
  ...over,
});

const interrupted = (over: Partial<InterruptedRunRecord> = {}): InterruptedRunRecord => {
  const { status: _status, failed_at: _at, error: _error, cause: _cause, failed_state: _state, ...base } = failed();
  return { ...base, status: 'INTERRUPTED', interrupted_at: '2025-03-01T10:00:30.000Z', signal: 'SIGINT', state: 'ProcessParts', ...over };
};

describe('run record', () => {
  it('writes runs/<run_id>/run.json and reads it back', async () => {
    const store = new MemoryObjectStore();

    const stored = await writeRunRecordIfAbsent(store, layout, failed());

    expect(stored).toEqual({ ref: { bucket: 'artifacts', key: `runs/${RUN_ID}/run.json` }, record: failed(), created: true });
    expect(await readRunRecord(store, layout, RUN_ID)).toEqual(failed());
  });

  it('keeps the first record when written again, and returns it', async () => {
    const store = new MemoryObjectStore();
    await writeRunRecordIfAbsent(store, layout, failed());

    const again = await writeRunRecordIfAbsent(store, layout, failed({ failed_at: '2025-03-01T10:02:00.000Z' }));

    expect(again).toMatchObject({ record: failed(), created: false });
    expect(await readRunRecord(store, layout, RUN_ID)).toEqual(failed());
  });

  it('reads no record of a run that has none', async () => {
    expect(await readRunRecord(new MemoryObjectStore(), layout, RUN_ID)).toBeUndefined();
  });

  it('refuses a record whose cause exceeds 4 KB, and a status it does not know', () => {
    expect(RunRecordSchema.safeParse(failed({ cause: 'x'.repeat(RUN_RECORD_MAX_CAUSE_BYTES) })).success).toBe(true);
    expect(RunRecordSchema.safeParse(failed({ cause: 'x'.repeat(RUN_RECORD_MAX_CAUSE_BYTES + 1) })).success).toBe(false);
    expect(RunRecordSchema.safeParse({ ...failed(), status: 'PUBLISHED' }).success).toBe(false);
  });

  it('names the object when a stored record is malformed', async () => {
    const store = new MemoryObjectStore();
    await store.put(layout.artifacts.runRecord(RUN_ID), '{"status":"FAILED"}');

    await expect(readRunRecord(store, layout, RUN_ID)).rejects.toThrow(`pipeline: run record artifacts/runs/${RUN_ID}/run.json is malformed`);
  });

  it('lets a storage failure other than "exists" through', async () => {
    const store = new MemoryObjectStore();
    store.putIfAbsent = (ref: ObjectRef) => Promise.reject(new StorageError(`storage: denied ${ref.key}`));

    await expect(writeRunRecordIfAbsent(store, layout, failed())).rejects.toThrow(StorageError);
  });

  it('fails clearly when the record exists but vanishes before it is read', async () => {
    const store = new MemoryObjectStore();
    await writeRunRecordIfAbsent(store, layout, failed());
    store.getBytes = () => Promise.resolve(undefined);

    await expect(writeRunRecordIfAbsent(store, layout, failed())).rejects.toThrow('exists but cannot be read');
  });

  it('records an interrupted run with its signal and state, create-if-absent like the others', async () => {
    const store = new MemoryObjectStore();

    const stored = await writeRunRecordIfAbsent(store, layout, interrupted());
    const again = await writeRunRecordIfAbsent(store, layout, interrupted({ signal: 'SIGTERM', state: 'FinishRun' }));

    expect(stored).toMatchObject({ created: true, record: interrupted() });
    expect(again).toMatchObject({ created: false, record: interrupted() });
    expect(await readRunRecord(store, layout, RUN_ID)).toEqual(interrupted());
  });

  it('refuses an interrupted record without a known signal or a state', () => {
    expect(RunRecordSchema.safeParse(interrupted({ signal: 'SIGHUP' as 'SIGINT' })).success).toBe(false);
    expect(RunRecordSchema.safeParse(interrupted({ state: '' })).success).toBe(false);
    const { interrupted_at: _at, ...withoutTime } = interrupted();
    expect(RunRecordSchema.safeParse(withoutTime).success).toBe(false);
  });
});
