import { CircuitBreakerOpenError, DATASET, formatRunId, InvalidInputError } from '@ledgerlake/domain';
import { enrichFile } from '@ledgerlake/enrichment';
import { preventLoops } from '@ledgerlake/loop-prevention';
import { DEFAULT_PARTITION_WRITER_SETTINGS, writePartitions } from '@ledgerlake/partition-writer';
import type { PartitionWriterResult, RunState } from '@ledgerlake/pipeline';
import { createLakeLayout, type LakeLayout, MemoryObjectStore, stageBuckets } from '@ledgerlake/storage';
import { DEFAULT_VALIDATION_SETTINGS, validateRun, type ValidationSettings } from '@ledgerlake/validation';
import type { FunctionService } from './function-services';
import { RecordingObjectStore, type S3Access } from './recording-object-store';

const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';

/** A first file: two months, a quarantined row (bad currency), a condemned one (same key twice). */
const FIRST_FILE = [
  HEADER,
  '1,ACC001,300.00,EUR,2024-01-05T09:00:00Z',
  '2,ACC001,26.00,EUR,2024-02-10T09:00:00Z',
  '3,ACC002,-25.50,XXX,2024-02-12T09:00:00Z',
  '1,ACC001,300.00,EUR,2024-01-05T09:00:00Z',
].join('\n');

/** A second file, after the first was published: a new row, a published key, a re-sent quarantined row. */
const SECOND_FILE = [
  HEADER,
  '4,ACC001,100.00,EUR,2024-02-25T09:00:00Z',
  '2,ACC001,26.00,EUR,2024-02-10T09:00:00Z',
  '3,ACC002,-25.50,XXX,2024-02-12T09:00:00Z',
].join('\n');

/** A third file with a bad row, validated with thresholds that trip the circuit breaker. */
const THIRD_FILE = [HEADER, '5,ACC003,10.00,EUR,2024-03-01T09:00:00Z', '6,ACC003,abc,EUR,2024-03-02T09:00:00Z'].join('\n');

const TRIPPING_BREAKER: ValidationSettings = {
  ...DEFAULT_VALIDATION_SETTINGS,
  breaker: { windowMinutes: 60, minFailedRows: 0, minFailedRate: 0 },
};

/** The recorded accesses of every function, and the layout (bucket names) they were made under. */
export interface RecordedAccesses {
  readonly layout: LakeLayout;
  readonly accesses: readonly S3Access[];
}

function runState(layout: LakeLayout, fileName: string, started: Date, suffix: string): RunState {
  const runId = formatRunId(started, suffix);
  const source = layout.bronze.file(started.toISOString().slice(0, 10), fileName);
  return {
    run: {
      run_id: runId,
      execution_arn: `arn:aws:states:eu-west-1:123456789012:execution:ledgerlake:${runId}`,
      execution_name: runId,
      started_at: started.toISOString(),
      dataset: DATASET,
      mode: 'ingest',
      source: { bucket: source.bucket, key: source.key },
    },
  };
}

/**
 * Runs the four function cores, as the state machine chains them, on a stage's buckets (in
 * memory), recording the S3 permissions each function needs. The runs cover every path that
 * touches a different key: new content (ledger claim, missing breaker/ledger/`_LATEST.json`,
 * Silver/Quarantine/Condemned writes, quarantine index), content after a publication (published
 * Silver read back, quarantine history read), a missing Bronze object, and a tripping breaker.
 */
export async function recordRowPipelineAccesses(stage: string): Promise<RecordedAccesses> {
  const layout = createLakeLayout(stageBuckets(`ledgerlake-${stage}`));
  const lake = new MemoryObjectStore();
  const store = new RecordingObjectStore(lake);
  const as = <T>(actor: FunctionService, step: () => Promise<T>): Promise<T> => {
    store.actor = actor;
    return step();
  };

  const land = async (state: RunState, csv: string): Promise<void> => {
    await lake.put({ bucket: state.run.source.bucket, key: state.run.source.key }, `${csv}\n`);
  };

  const runUpToValidation = async (state: RunState, settings: ValidationSettings): Promise<RunState> => {
    const now = () => new Date(state.run.started_at);
    const deps = { store, layout, now };
    let next: RunState = { ...state, enrichment: await as('enrichment', () => enrichFile(state, deps)) };
    const loops = await as('loop-prevention', () => preventLoops(next, deps));
    if (loops.status !== 'CONTINUE') throw new Error(`deploy: run ${state.run.run_id} was refused as ${loops.status}`);
    next = { ...next, loop_prevention: loops };
    return { ...next, validation: await as('validation', () => validateRun(next, { ...deps, settings })) };
  };

  const runAll = async (state: RunState): Promise<PartitionWriterResult> => {
    const validated = await runUpToValidation(state, DEFAULT_VALIDATION_SETTINGS);
    const now = () => new Date(state.run.started_at);
    return as('partition-writer', () =>
      writePartitions(validated, { store, layout, settings: DEFAULT_PARTITION_WRITER_SETTINGS, now }),
    );
  };

  // New content.
  const first = runState(layout, 'first.csv', new Date('2024-03-01T10:00:00Z'), 'first');
  await land(first, FIRST_FILE);
  const written = await runAll(first);
  // Promotion (not a function here) publishes the run: each partition's `_LATEST.json` lists its files.
  for (const partition of written.partitions) {
    const latest = layout.silver.latest({ year: partition.year, month: partition.month });
    await lake.put(latest, JSON.stringify({ run_id: first.run.run_id, files: partition.files }));
  }

  // Content after a publication: published keys and quarantine history are read back.
  const second = runState(layout, 'second.csv', new Date('2024-03-02T10:00:00Z'), 'second');
  await land(second, SECOND_FILE);
  await runAll(second);

  // A Bronze object that is not there (must be a clean "does not exist", not an access error).
  const missing = runState(layout, 'missing.csv', new Date('2024-03-03T10:00:00Z'), 'missing');
  await expectError(InvalidInputError, () => as('enrichment', () => enrichFile(missing, { store, layout })));

  // A run whose failures trip the circuit breaker: validation writes its open state.
  const third = runState(layout, 'third.csv', new Date('2024-03-04T10:00:00Z'), 'third');
  await land(third, THIRD_FILE);
  await expectError(CircuitBreakerOpenError, () => runUpToValidation(third, TRIPPING_BREAKER));

  return { layout, accesses: store.accesses };
}

async function expectError(type: abstract new (...args: never[]) => Error, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (error instanceof type) return;
    throw error;
  }
  throw new Error(`deploy: expected ${type.name}, but the step succeeded`);
}
