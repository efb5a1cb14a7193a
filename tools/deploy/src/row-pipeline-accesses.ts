import {
  type AlertSender,
  executionStatusEvent,
  processAlertRecord,
  SlackUnavailableError,
  snsNotification,
  sqsRecord,
} from '@ledgerlake/alert-consumer';
import { CircuitBreakerOpenError, DATASET, formatRunId, InvalidInputError, runBlockedEvent } from '@ledgerlake/domain';
import { enrichFile } from '@ledgerlake/enrichment';
import { preventLoops } from '@ledgerlake/loop-prevention';
import { DEFAULT_PARTITION_WRITER_SETTINGS, writePartitions } from '@ledgerlake/partition-writer';
import { lateCondemnedRef, type PartitionWriterResult, type RunState } from '@ledgerlake/pipeline';
import { recordRunFailure } from '@ledgerlake/run-recorder';
import { createLakeLayout, type LakeLayout, MemoryObjectStore, stageBuckets } from '@ledgerlake/storage';
import { DEFAULT_VALIDATION_SETTINGS, validateRun, type ValidationSettings } from '@ledgerlake/validation';
import type { FunctionService } from './function-services';
import { promotionTasks } from './promotion-accesses';
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

/** Two files sharing transaction 10, for runs checked at the same time. */
const OVERLAP_EARLY = [HEADER, '10,ACC006,5.00,EUR,2024-04-02T09:00:00Z', '11,ACC006,6.00,EUR,2024-04-03T09:00:00Z'].join('\n');
const OVERLAP_LATE = [HEADER, '10,ACC006,5.00,EUR,2024-04-02T09:00:00Z', '12,ACC007,7.00,EUR,2024-04-04T09:00:00Z'].join('\n');

/** A file with half its rows quarantined and one condemned (bad currency): the promotion gate blocks its run. */
const BLOCKED_FILE = [
  HEADER,
  '8,ACC005,40.00,EUR,2024-03-01T09:00:00Z',
  '9,ACC005,12.00,XXX,2024-03-01T10:00:00Z',
  '13,ACC005,14.00,XXX,2024-03-01T11:00:00Z',
  '8,ACC005,40.00,EUR,2024-03-01T09:00:00Z',
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
 * Runs the function cores, as the state machine chains them (promotion after the row functions,
 * the run recorder on the failure path), on a stage's buckets (in memory), recording the S3
 * permissions each function needs. The runs cover every path that touches a different key: new
 * content (ledger claim, missing breaker/ledger/`_LATEST.json`, Silver/Quarantine/Condemned
 * writes, quarantine index) promoted into two new months with Gold built for them
 * (`promotionTasks`), content after a publication (published Silver read back, quarantine history
 * read) appended to a published month, Gold rebuilt from the Gold before it, the Promote retried,
 * a run the gate blocks, a missing Bronze object, and a tripping breaker; and
 * the failures recorded: before enrichment, after a claim (released; recorded twice, as a retry
 * would), and after enrichment with no claim yet (no ledger entry); then the alerts of those
 * failures (`recordAlerts`).
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

  // `reached` is the state as far as it got: what the failure path would receive.
  const runUpToValidation = async (
    state: RunState,
    settings: ValidationSettings,
    reached: (state: RunState) => void = () => undefined,
  ): Promise<RunState> => {
    const now = () => new Date(state.run.started_at);
    const deps = { store, layout, now };
    let next: RunState = { ...state, enrichment: await as('enrichment', () => enrichFile(state, deps)) };
    reached(next);
    const loops = await as('loop-prevention', () => preventLoops(next, deps));
    if (loops.status !== 'CONTINUE') throw new Error(`deploy: run ${state.run.run_id} was refused as ${loops.status}`);
    next = { ...next, loop_prevention: loops };
    reached(next);
    return { ...next, validation: await as('validation', () => validateRun(next, { ...deps, settings })) };
  };

  // The failure path: the state as far as it got, with the error as a Step Functions Catch stores it.
  const recordFailure = (state: RunState, error: Error) => {
    const cause = JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: [] });
    const failed = { ...state, error: { Error: error.name, Cause: cause } };
    return as('run-recorder', () => recordRunFailure(failed, { store, layout, now: () => new Date(state.run.started_at) }));
  };

  const runAll = async (state: RunState): Promise<PartitionWriterResult> => {
    const validated = await runUpToValidation(state, DEFAULT_VALIDATION_SETTINGS);
    // Minutes into the run: the writer renews the run's claim as it writes (its lease).
    const now = () => new Date(Date.parse(state.run.started_at) + 5 * 60_000);
    return as('partition-writer', () =>
      writePartitions(validated, { store, layout, settings: DEFAULT_PARTITION_WRITER_SETTINGS, now }),
    );
  };

  const promotion = promotionTasks(store, layout, as);
  const expectMonths = (run: RunState, months: string[], expected: string[]) => {
    if (months.join() !== expected.join()) {
      throw new Error(`deploy: run ${run.run.run_id} promoted ${months.join(', ')}, expected ${expected.join(', ')}`);
    }
  };

  // New content, then published: two months new to Silver (and to Gold).
  const first = runState(layout, 'first.csv', new Date('2024-05-01T10:00:00Z'), 'first');
  await land(first, FIRST_FILE);
  await runAll(first);
  expectMonths(first, await promotion.promote(first), ['2024-01', '2024-02']);

  // Content after a publication: published keys and quarantine history are read back; the run
  // is appended to a published month and Gold rebuilt from that month on (seeded from the Gold
  // month before); its Promote is retried, as after a timeout.
  const second = runState(layout, 'second.csv', new Date('2024-05-02T10:00:00Z'), 'second');
  await land(second, SECOND_FILE);
  await runAll(second);
  expectMonths(second, await promotion.promote(second), ['2024-02']);
  await promotion.repromote(second);

  // A run the promotion gate blocks: its record, its released claim, its event.
  const blocked = runState(layout, 'blocked.csv', new Date('2024-05-02T12:00:00Z'), 'blocked');
  await land(blocked, BLOCKED_FILE);
  await runAll(blocked);
  await promotion.block(blocked);
  // The same content run again on request (`runs rerun`: the run carries rerun_of): the released
  // claim is taken over and the blocked run's rejected rows (Quarantine, Condemned,
  // quarantine-history entries) are superseded.
  const blockedAgain = { ...runState(layout, 'blocked.csv', new Date('2024-05-02T13:00:00Z'), 'reblocked') };
  blockedAgain.run = { ...blockedAgain.run, source: blocked.run.source, rerun_of: blocked.run.run_id };
  await runUpToValidation(blockedAgain, DEFAULT_VALIDATION_SETTINGS);

  // Two files sharing a transaction, both checked before either commits: the later commit
  // condemns its copy (its month's objects rewritten without it, the row in its Condemned folder).
  // The later one stops after Promote (PROMOTING): a run of the same content meanwhile is refused
  // on its pending promotion; RollForward completes it; RecoverPromotions then finds none left,
  // and a run that never began promoting rolls forward to NOT_BEGUN.
  const early = runState(layout, 'early.csv', new Date('2024-05-06T10:00:00Z'), 'early');
  const late = runState(layout, 'late.csv', new Date('2024-05-06T10:00:00Z'), 'late');
  await land(early, OVERLAP_EARLY);
  await land(late, OVERLAP_LATE);
  await runAll(early);
  await runAll(late);
  await promotion.promote(early);
  // An earlier commit attempt's late rows, left by a lost compare-and-swap: removed after the commit.
  await lake.put(lateCondemnedRef(layout, '2024-05-06', late.run.run_id, { year: 2024, month: 4 }, '000000000000'), 'stale');
  await promotion.beginOnly(late);
  const lateAgain = { ...runState(layout, 'late.csv', new Date('2024-05-06T11:00:00Z'), 'lateagain') };
  lateAgain.run = { ...lateAgain.run, source: late.run.source };
  const lateAgainEnriched = { ...lateAgain, enrichment: await as('enrichment', () => enrichFile(lateAgain, { store, layout })) };
  const refused = await as('loop-prevention', () => preventLoops(lateAgainEnriched, { store, layout, now: () => new Date(lateAgain.run.started_at) }));
  if (refused.status !== 'DUPLICATE_FILE') throw new Error('deploy: a run of content whose promotion is pending was not refused');
  // Content claimed by a run still in progress (no promotion begun): refused too.
  const inProgress = runState(layout, 'fourth.csv', new Date('2024-05-06T12:00:00Z'), 'inprogress');
  inProgress.run = { ...inProgress.run, source: { ...lateAgain.run.source, key: lateAgain.run.source.key.replace('late.csv', 'busy.csv') } };
  await lake.put({ bucket: inProgress.run.source.bucket, key: inProgress.run.source.key }, `${HEADER}\n14,ACC008,1.00,EUR,2024-04-05T09:00:00Z\n`);
  await runUpToValidation(inProgress, DEFAULT_VALIDATION_SETTINGS);
  const busy = runState(layout, 'busy.csv', new Date('2024-05-06T12:30:00Z'), 'busy');
  busy.run = { ...busy.run, source: inProgress.run.source };
  const busyEnriched = { ...busy, enrichment: await as('enrichment', () => enrichFile(busy, { store, layout })) };
  if ((await as('loop-prevention', () => preventLoops(busyEnriched, { store, layout, now: () => new Date(busy.run.started_at) }))).status !== 'DUPLICATE_FILE') {
    throw new Error('deploy: a run of content claimed by a live run was not refused');
  }
  if ((await promotion.rollForward(late)) !== 'PUBLISHED') throw new Error('deploy: the pending promotion was not rolled forward');
  await promotion.recover(lateAgain);
  if ((await promotion.rollForward(lateAgain)) !== 'NOT_BEGUN') throw new Error('deploy: a run never promoted rolled forward');

  // A Bronze object that is not there (must be a clean "does not exist", not an access error).
  const missing = runState(layout, 'missing.csv', new Date('2024-05-03T10:00:00Z'), 'missing');
  const notFound = await expectError(InvalidInputError, () => as('enrichment', () => enrichFile(missing, { store, layout })));
  // Failed before enrichment: the run recorder writes the record and has no claim to release.
  await recordFailure(missing, notFound);

  // A run whose failures trip the circuit breaker: validation writes its open state.
  const third = runState(layout, 'third.csv', new Date('2024-05-04T10:00:00Z'), 'third');
  await land(third, THIRD_FILE);
  let thirdReached = third;
  const breakerOpen = await expectError(CircuitBreakerOpenError, () =>
    runUpToValidation(third, TRIPPING_BREAKER, (state) => (thirdReached = state)),
  );
  // The run recorder writes the record and releases the claim; retried, it reads the record back.
  await recordFailure(thirdReached, breakerOpen);
  await recordFailure(thirdReached, breakerOpen);

  // A run that failed after enrichment, before loop prevention claimed the content: no ledger entry.
  const fourth = runState(layout, 'fourth.csv', new Date('2024-05-05T10:00:00Z'), 'fourth');
  await land(fourth, [HEADER, '7,ACC004,1.00,EUR,2024-03-05T09:00:00Z'].join('\n'));
  const enriched = { ...fourth, enrichment: await as('enrichment', () => enrichFile(fourth, { store, layout })) };
  const timeout = Object.assign(new Error('Task timed out'), { name: 'States.Timeout' });
  await recordFailure(enriched, timeout);

  await recordAlerts(store, layout, as, { failed: thirdReached, breakerOpen });
  await promotion.close();

  return { layout, accesses: store.accesses };
}

/**
 * The alert consumer on the failure events of those runs, as the queue delivers them: a failed run
 * with a record (read for its failed state), delivered twice (the duplicate reads the posted
 * record); a timed-out run with no record (the read must answer 404); a post Slack refuses once
 * (the claim is released, the redelivery takes it over); a blocked run.
 */
async function recordAlerts(
  store: RecordingObjectStore,
  layout: LakeLayout,
  as: <T>(actor: FunctionService, step: () => Promise<T>) => Promise<T>,
  runs: { failed: RunState; breakerOpen: Error },
): Promise<void> {
  const failures: Error[] = [];
  const sender: AlertSender = {
    send: () => {
      const failure = failures.shift();
      return failure === undefined ? Promise.resolve() : Promise.reject(failure);
    },
  };
  const deps = { store, layout, stage: 'ci', sender, logger: { info: () => undefined, warn: () => undefined, error: () => undefined } };
  const budget = { remainingMs: () => 25_000 };
  const deliver = (message: unknown) => {
    const record = sqsRecord(snsNotification(message, { topicArn: 'arn:aws:sns:eu-west-1:123456789012:ledgerlake-ci-etl-failures' }), {
      queueArn: 'arn:aws:sqs:eu-west-1:123456789012:ledgerlake-ci-etl-failures',
    });
    return as('alert-consumer', () => processAlertRecord(record, budget, deps));
  };
  const ended = (state: RunState, status: 'FAILED' | 'TIMED_OUT', error: string) =>
    executionStatusEvent({
      executionArn: state.run.execution_arn,
      name: state.run.run_id,
      status,
      input: { dataset: state.run.dataset, mode: state.run.mode, source: state.run.source },
      error,
      cause: error,
      startDate: new Date(state.run.started_at),
      stopDate: new Date(Date.parse(state.run.started_at) + 60_000),
    });

  const failed = ended(runs.failed, 'FAILED', runs.breakerOpen.name);
  await deliver(failed);
  await deliver(failed);

  const timedOut = runState(layout, 'fifth.csv', new Date('2024-05-06T10:00:00Z'), 'fifth');
  failures.push(new SlackUnavailableError('deploy: Slack is down'));
  await deliver(ended(timedOut, 'TIMED_OUT', 'States.Timeout')).then(
    () => {
      throw new Error('deploy: expected the first alert of the timed-out run to fail');
    },
    (error: unknown) => {
      if (!(error instanceof SlackUnavailableError)) throw error;
    },
  );
  await deliver(ended(timedOut, 'TIMED_OUT', 'States.Timeout'));

  await deliver(
    runBlockedEvent({
      run_id: runs.failed.run.run_id,
      execution_arn: runs.failed.run.execution_arn,
      execution_name: runs.failed.run.execution_name,
      dataset: runs.failed.run.dataset,
      mode: runs.failed.run.mode,
      source: runs.failed.run.source,
      counts: { input_rows: 2, valid_rows: 1, quarantined_rows: 1, condemned_rows: 0 },
      quarantine_by_reason: { TYPE_ERROR: 1 },
      condemned_by_reason: {},
      reasons: ['quarantine rate 50.00 % (1 of 2 rows) is not below the 5 % threshold'],
      blocked_at: runs.failed.run.started_at,
    }),
  );
}

async function expectError<E extends Error>(type: abstract new (...args: never[]) => E, step: () => Promise<unknown>): Promise<E> {
  try {
    await step();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`deploy: expected ${type.name}, but the step succeeded`);
}
