import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  type AlertSender,
  executionStatusEvent,
  processAlertRecord,
  SlackUnavailableError,
  snsNotification,
  sqsRecord,
} from '@ledgerlake/alert-consumer';
import {
  backfillInput,
  checkInputFiles,
  COMMAND_STORE,
  type IngestOptions,
  type IngestOutcome,
  localDefinition,
  type LocalLake,
  type LocalWiring,
  operatorFor,
  runBronzeObject,
} from '@ledgerlake/cli';
import {
  formatRunId,
  parseRate,
  rowFields,
  rowHashInput,
  type RunBlockedEvent,
  TRANSACTIONS_DATASET,
  TransientStorageError,
} from '@ledgerlake/domain';
import { lateCondemnedRef } from '@ledgerlake/lake';
import { readRunRecord, type RunRecord } from '@ledgerlake/ledgers';
import { readRunManifest } from '@ledgerlake/promotion';
import { approveCondemned, backfillMonth, retryQuarantine, type RunRequest } from '@ledgerlake/runbook';
import { localExecutionArn } from '@ledgerlake/state-machine';
import { createLakeLayout, type LakeLayout, MemoryObjectStore, type ObjectRef, type ObjectStore, stageBuckets } from '@ledgerlake/storage';
import { crashAtKey, diskFull, FaultInjectingStore, type FaultRule, type StoreCall } from '@ledgerlake/testing';
import { DEFAULT_VALIDATION_SETTINGS, type ValidationSettings } from '@ledgerlake/validation';
import type { FunctionService } from './function-services';
import { athenaGold, MemoryPartitionCatalog, RECORDING_GATE } from './promotion-stand-ins';
import { RecordingObjectStore, type S3Access } from './recording-object-store';

/** The five fields in role order (id, account, amount, currency, timestamp). */
type RowHashFields = Parameters<typeof rowFields>[0];

const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
const csv = (...rows: string[]): string => `${[HEADER, ...rows].join('\n')}\n`;

/** A first file: two months, a quarantined row (bad currency), a condemned one (same key twice). */
const FIRST_FILE = csv(
  '1,ACC001,300.00,EUR,2024-01-05T09:00:00Z',
  '2,ACC001,26.00,EUR,2024-02-10T09:00:00Z',
  '3,ACC002,-25.50,XXX,2024-02-12T09:00:00Z',
  '1,ACC001,300.00,EUR,2024-01-05T09:00:00Z',
);
/** The first file's quarantined row, and its correction (a `quarantine retry` with fixes). */
const QUARANTINED: RowHashFields = ['3', 'ACC002', '-25.50', 'XXX', '2024-02-12T09:00:00Z'];
const CORRECTED: RowHashFields = ['3', 'ACC002', '-25.50', 'EUR', '2024-02-12T09:00:00Z'];
/** The first file's condemned copy (its in-file duplicate), and the row a person approves in its place (`condemned approve` with fixes). */
const CONDEMNED: RowHashFields = ['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'];
const RENUMBERED: RowHashFields = ['19', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'];
const rowHash = (fields: RowHashFields): string => hash('sha256', rowHashInput(rowFields(fields)), 'hex');

/** A second file, after the first was published: a new row, a published key, a re-sent quarantined row. */
const SECOND_FILE = csv('4,ACC001,100.00,EUR,2024-02-25T09:00:00Z', '2,ACC001,26.00,EUR,2024-02-10T09:00:00Z', QUARANTINED.join(','));

/** A file with half its rows quarantined and one condemned (bad currency): the promotion gate blocks its run. */
const BLOCKED_FILE = csv(
  '8,ACC005,40.00,EUR,2024-03-01T09:00:00Z',
  '9,ACC005,12.00,XXX,2024-03-01T10:00:00Z',
  '13,ACC005,14.00,XXX,2024-03-01T11:00:00Z',
  '8,ACC005,40.00,EUR,2024-03-01T09:00:00Z',
);

/** January rebuilt (`backfill --month 2024-01`): a published key again, and a new row. */
const BACKFILL_FILE = csv('1,ACC001,300.00,EUR,2024-01-05T09:00:00Z', '15,ACC001,50.00,EUR,2024-01-20T09:00:00Z');

/** A file landed gzip-compressed: planning copies its chunks, uncompressed, into the run's work area. */
const GZIP_FILE = csv('17,ACC010,8.00,EUR,2024-06-01T09:00:00Z', '18,ACC010,9.00,EUR,2024-06-02T09:00:00Z');

/** Two files sharing transaction 10, for runs checked at the same time. */
const OVERLAP_EARLY = csv('10,ACC006,5.00,EUR,2024-04-02T09:00:00Z', '11,ACC006,6.00,EUR,2024-04-03T09:00:00Z');
const OVERLAP_LATE = csv('10,ACC006,5.00,EUR,2024-04-02T09:00:00Z', '12,ACC007,7.00,EUR,2024-04-04T09:00:00Z');

/** A file whose promotion fails before it begins. */
const NEVER_PROMOTED_FILE = csv('16,ACC009,3.00,EUR,2024-04-06T09:00:00Z');

/** A file held by a run in progress while the same object is run again. */
const BUSY_FILE = csv('14,ACC008,1.00,EUR,2024-04-05T09:00:00Z');

/** A file whose run fails in loop prevention, before it claimed the content. */
const FOURTH_FILE = csv('7,ACC004,1.00,EUR,2024-03-05T09:00:00Z');

/** A file whose only part fails as WritePart writes it: a Distributed Map child failed. */
const PART_FAILS_FILE = csv('15,ACC009,1.00,EUR,2024-04-06T09:00:00Z');

/** A third file with a bad row, validated with thresholds that trip the circuit breaker. */
const THIRD_FILE = csv('5,ACC003,10.00,EUR,2024-03-01T09:00:00Z', '6,ACC003,abc,EUR,2024-03-02T09:00:00Z');

const TRIPPING_BREAKER: ValidationSettings = {
  ...DEFAULT_VALIDATION_SETTINGS,
  breaker: { windowMinutes: 60, tripAboveFailedRows: 0, tripAboveFailedRate: parseRate('0') },
};

/**
 * How long a run's writing starts after its claim: past the claim's renewal interval (2 minutes),
 * so the writer renews the claim's lease as a run of real size does.
 */
const WRITER_DELAY_MS = 3 * 60_000;

/** The recorded accesses of every function, and the layout (bucket names) they were made under. */
export interface RecordedAccesses {
  readonly layout: LakeLayout;
  readonly accesses: readonly S3Access[];
}

/** What one recorded run changes in the wiring, and what its functions' stores do. */
interface RunSetup {
  /** The run request beyond its source (run id, `rerun_of`, mode). */
  readonly run?: RunRequest;
  /** Validation's settings (default the product's). */
  readonly validation?: ValidationSettings;
  /** A fault rule on one function's store. */
  readonly faults?: Partial<Record<FunctionService, FaultRule>>;
  /** Awaited before each call of one function's store goes on (after its fault rule): holds the run, to interleave runs. */
  readonly holds?: Partial<Record<FunctionService, (call: StoreCall) => Promise<void>>>;
  /** A rule on the store every function of the run shares, beneath theirs: a crash there stops them all, as a dead process would. */
  readonly process?: FaultRule;
}

/**
 * Runs of the real row-pipeline definition through the local runner with the real handlers
 * (`runBronzeObject`, Map iterations in-process), on a stage's buckets in memory, each function's
 * store a `RecordingObjectStore` view for that function: one list of the S3 permissions every
 * function needed. In the cloud's stead: Gold by the Athena engine over DuckDB, the catalog (Glue)
 * and the blocked-run topic (SNS) in memory, the gate at `RECORDING_GATE`. The state machine's own
 * accesses (its Distributed Maps' item manifests and result files) are recorded too, as the actor
 * `STATE_MACHINE_STORE` (its role's). The command's own reads and writes (landing files, run logs
 * — CloudWatch in the cloud) and the runbook's (an operator's) are not recorded.
 */
class PipelineRecording {
  readonly accesses: S3Access[] = [];
  readonly store = new MemoryObjectStore();
  readonly catalog = new MemoryPartitionCatalog();
  readonly published: RunBlockedEvent[] = [];
  readonly lake: LocalLake;
  private readonly definition = localDefinition();
  private skewMs = 0;

  private constructor(
    readonly layout: LakeLayout,
    root: string,
  ) {
    this.lake = { root, store: this.store, layout };
  }

  /** A recording on `stage`'s buckets; its folder (scratch space) is removed by `close`. */
  static async open(stage: string): Promise<PipelineRecording> {
    const root = await mkdtemp(join(tmpdir(), 'ledgerlake-accesses-'));
    return new PipelineRecording(createLakeLayout(stageBuckets(`ledgerlake-${stage}`)), root);
  }

  /** The recording's clock: the system's, moved on as runs go (`WRITER_DELAY_MS`). */
  readonly now = (): Date => new Date(Date.now() + this.skewMs);

  /** `actor`'s view of `store`, noting its accesses in the recording's list. */
  view(actor: FunctionService, store: ObjectStore = this.store): ObjectStore {
    return new RecordingObjectStore(store, actor, this.accesses);
  }

  /** A run id of the recording's clock with a readable suffix. */
  runId(suffix: string): string {
    return formatRunId(this.now(), suffix);
  }

  /** Lands `body` in Bronze under today's ingest date, as a file arriving. */
  async land(fileName: string, body: string | Uint8Array): Promise<ObjectRef> {
    const source = this.layout.bronze.file(this.now().toISOString().slice(0, 10), fileName);
    await this.store.put(source, body);
    return source;
  }

  /** Lands a file and runs it. */
  async ingest(fileName: string, body: string | Uint8Array, setup: RunSetup = {}): Promise<IngestOutcome> {
    return this.run(await this.land(fileName, body), setup);
  }

  /** Runs the state machine on an object in Bronze. */
  run(source: ObjectRef, setup: RunSetup = {}): Promise<IngestOutcome> {
    return this.runWith(setup, (options) => runBronzeObject(this.lake, source, source.key, options));
  }

  /** A run started by `start` (a runbook command) with the recording's options; its Athena stand-ins are stopped when it ends. */
  async runWith<T>(setup: RunSetup, start: (options: IngestOptions) => Promise<T>): Promise<T> {
    const athena = athenaGold(this.layout);
    try {
      return await start({
        definition: this.definition,
        now: this.now,
        wiring: this.wiring(setup, athena.gold),
        ...(setup.run === undefined ? {} : { run: setup.run }),
      });
    } finally {
      await athena.close();
    }
  }

  private wiring(setup: RunSetup, gold: LocalWiring['gold']): LocalWiring {
    let shared: ObjectStore | undefined;
    let writing = false;
    return {
      storeFor: (fn, lakeStore) => {
        if (fn === COMMAND_STORE) return lakeStore;
        const actor = fn as FunctionService;
        // Every function of the run on one store beneath their own: one process.
        shared ??= setup.process === undefined ? lakeStore : new FaultInjectingStore(lakeStore, setup.process);
        const hold = setup.holds?.[actor];
        const before = async (call: StoreCall): Promise<void> => {
          if (actor === 'partition-writer' && !writing) {
            writing = true;
            this.skewMs += WRITER_DELAY_MS;
          }
          await hold?.(call);
        };
        return this.view(actor, new FaultInjectingStore(shared, setup.faults?.[actor], before));
      },
      workers: 0,
      retryIntervalMs: 0,
      now: this.now,
      thresholds: RECORDING_GATE,
      ...(setup.validation === undefined ? {} : { validation: setup.validation }),
      gold,
      catalog: this.catalog,
      publish: (event) => {
        this.published.push(event);
        return Promise.resolve();
      },
    };
  }

  async close(): Promise<void> {
    await rm(this.lake.root, { recursive: true, force: true });
  }
}

/** A point one run waits at, the first time a call `matches`: `reached` once it is there, it goes on at `release`. */
interface Hold {
  readonly hook: (call: StoreCall) => Promise<void>;
  readonly reached: Promise<void>;
  release(): void;
}

function holdAt(matches: (call: StoreCall) => boolean): Hold {
  let arrive = (): void => undefined;
  let release = (): void => undefined;
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  return {
    reached,
    release: () => release(),
    hook: async (call) => {
      if (held || !matches(call)) return;
      held = true;
      arrive();
      await released;
    },
  };
}

/** Waits until `run` is at `hold`; fails if it ends first. */
async function until(hold: Hold, run: Promise<IngestOutcome>, what: string): Promise<void> {
  const ended = run.then((outcome) => {
    throw new Error(`deploy: run ${outcome.run_id} ended ${outcome.status} before ${what}`);
  });
  ended.catch(() => undefined);
  await Promise.race([hold.reached, ended]);
}

/** Both hooks in turn. */
function inTurn(...hooks: ((call: StoreCall) => Promise<void>)[]): (call: StoreCall) => Promise<void> {
  return async (call) => {
    for (const hook of hooks) await hook(call);
  };
}

const writeOf =
  (ref: ObjectRef) =>
  (call: StoreCall): boolean =>
    call.mutation > 0 && call.bucket === ref.bucket && call.key === ref.key;

/** Fails the first call `matches` accepts, once, with `error`; `fired` says whether it did. */
function failOnce(matches: (call: StoreCall) => boolean, error: (call: StoreCall) => Error): FaultRule & { readonly fired: () => boolean } {
  let fired = false;
  const rule: FaultRule = (call) => {
    if (fired || !matches(call)) return undefined;
    fired = true;
    return error(call);
  };
  return Object.assign(rule, { fired: () => fired });
}

/** Every call after the first one `matches` accepts. */
function after(matches: (call: StoreCall) => boolean): (call: StoreCall) => boolean {
  let seen = false;
  return (call) => {
    if (seen) return true;
    seen = matches(call);
    return false;
  };
}

/** A call that times out: the Task fails with a retryable error and the definition's Retry runs it again. */
const timedOut = (call: StoreCall): Error => new TransientStorageError(`deploy: ${call.op} ${call.key} timed out`);

/** A write to the Gold bucket: only RefreshGold (or a roll-forward completing it) makes one. */
const goldWrite = (layout: LakeLayout) => (call: StoreCall): boolean => call.mutation > 0 && call.bucket === layout.buckets.gold;

function expectOutcome(outcome: IngestOutcome, expected: Partial<IngestOutcome>, what: string): void {
  const got = outcome as unknown as Record<string, unknown>;
  const wrong = Object.entries(expected).filter(([key, value]) => JSON.stringify(got[key]) !== JSON.stringify(value));
  if (wrong.length > 0) {
    throw new Error(`deploy: ${what}: run ${outcome.run_id} ended ${JSON.stringify(outcome)}, expected ${JSON.stringify(expected)}`);
  }
}

/** Published, into exactly these months, each with its Gold rebuilt by the run (as the catalog registered it). */
function expectMonths(r: PipelineRecording, outcome: IngestOutcome, months: string[], what: string): void {
  expectOutcome(outcome, { status: 'PUBLISHED' }, what);
  const promoted = (outcome.partitions ?? []).map((partition) => partition.partition);
  if (promoted.join() !== months.join()) {
    throw new Error(`deploy: ${what}: run ${outcome.run_id} promoted ${promoted.join(', ')}, expected ${months.join(', ')}`);
  }
  const stale = months.filter((month) => r.catalog.partitions.get(`gold.account_balances/${month}`)?.run_id !== outcome.run_id);
  if (stale.length > 0) throw new Error(`deploy: ${what}: run ${outcome.run_id} rebuilt no Gold for ${stale.join(', ')}`);
}

/**
 * Runs the row pipeline as production does — the real definition through the local runner, the
 * real handlers — on a stage's buckets (in memory), recording the S3 permissions each function
 * needs. The runs cover every path that touches a different key, in every mode the definition
 * runs (ingest, retry, backfill): new content (ledger claim, missing breaker/ledger/`_LATEST.json`,
 * Silver/Quarantine/Condemned writes, quarantine index, the writer renewing the claim) promoted
 * into two new months with Gold built for them; content after a publication (published Silver read
 * back, quarantine history read) appended to a published month, Gold rebuilt from the Gold before
 * it, the Promote retried after a timeout; a run the gate blocks and its re-run on request; a
 * quarantine retry; an approved retry of a condemned row; a backfill replacing a month; a gzip file (planning writes its chunks to the
 * work area), whose Gold build fails once and is completed by RollForward; two runs sharing a
 * transaction checked before either commits (the later one condemns its copy), the later crashing
 * after Promote while a run of its content is refused, its pending promotion completed by the next
 * run's RecoverPromotions, whose own Promote fails before beginning (RollForward: NOT_BEGUN); a
 * run refused on content a live run holds; a missing Bronze object; a failure after enrichment
 * with no claim yet; a tripping breaker recorded twice (RecordFailure retried); then the alerts of
 * those failures (`recordAlerts`).
 */
export async function recordRowPipelineAccesses(stage: string): Promise<RecordedAccesses> {
  const r = await PipelineRecording.open(stage);
  try {
    await recordRuns(r);
  } finally {
    await r.close();
  }
  return { layout: r.layout, accesses: r.accesses };
}

async function recordRuns(r: PipelineRecording): Promise<void> {
  const { layout } = r;

  // New content, then published: two months new to Silver (and to Gold).
  const first = await r.ingest('first.csv', FIRST_FILE);
  expectMonths(r, first, ['2024-01', '2024-02'], 'new content');

  // Content after a publication: published keys and quarantine history are read back; the run is
  // appended to a published month and Gold rebuilt from that month on (seeded from the Gold month
  // before). Promote times out right after its commit point: the definition's Retry runs it again,
  // which finds the month committed and commits nothing twice.
  const retried = failOnce(after(writeOf(layout.silver.latest({ year: 2024, month: 2 }))), timedOut);
  const second = await r.ingest('second.csv', SECOND_FILE, { faults: { promotion: retried } });
  expectMonths(r, second, ['2024-02'], 'content after a publication');
  if (!retried.fired() || second.partitions?.[0]?.version !== 2) throw new Error('deploy: the retried Promote did not commit February once');

  // A run the promotion gate blocks: its record, its released claim, its event. The same content
  // run again on request (`runs rerun`: the run carries rerun_of): the released claim is taken over
  // and the blocked run's rejected rows (Quarantine, Condemned, quarantine-history entries) are superseded.
  const blocked = await r.ingest('blocked.csv', BLOCKED_FILE, { run: { runId: r.runId('blocked') } });
  expectOutcome(blocked, { status: 'BLOCKED' }, 'a run the gate blocks');
  const event = r.published.find((published) => published.detail.run_id === blocked.run_id);
  if (event === undefined) throw new Error(`deploy: blocking run ${blocked.run_id} published no event`);
  const reblocked = await r.run(blocked.source, { run: { runId: r.runId('reblocked'), rerun_of: blocked.run_id } });
  expectOutcome(reblocked, { status: 'BLOCKED', rerun_of: blocked.run_id }, 'the re-run of a blocked run');

  // The smoke test's dry run (docs/deploy.md): every Task up to the gate, then RecordDryRun —
  // recorded CHECKED, the claim released, the work area removed, nothing published.
  const checked = await r.ingest('smoke.csv', csv('91,ACC009,5.00,EUR,2024-03-05T09:00:00Z', '92,ACC009,6.00,EUR,2024-03-06T09:00:00Z'), { run: { runId: r.runId('smoke'), dry_run: true } });
  expectOutcome(checked, { status: 'CHECKED', gate_decision: 'PROMOTE' }, 'a dry run');

  // `quarantine retry` (mode retry) of the first run's quarantined row, corrected: published.
  const fixes = new Map([[rowHash(QUARANTINED), rowFields(CORRECTED)]]);
  const retry = await r.runWith({}, (options) => retryQuarantine(operatorFor(r.lake, options), { run: first.run_id, fixes, by: 'deploy' }));
  expectMonths(r, retry, ['2024-02'], 'a quarantine retry');

  // `condemned approve` (mode retry with approval_id) of the first run's condemned copy, renumbered:
  // loop prevention reads the recorded approval and the retry record.
  const approval = { run: first.run_id, by: 'deploy', reason: 'the access recording', fixes: new Map([[rowHash(CONDEMNED), rowFields(RENUMBERED)]]) };
  const approved = await r.runWith({}, (options) => approveCondemned(operatorFor(r.lake, options), approval));
  expectMonths(r, approved, ['2024-01'], 'an approved condemned row');

  // `backfill --month 2024-01` (mode backfill): January replaced, Gold rebuilt from it on.
  const backfillPath = join(r.lake.root, 'backfill-2024-01.csv');
  await writeFile(backfillPath, BACKFILL_FILE);
  const files = await checkInputFiles([backfillPath], r.lake.root);
  const backfill = await r.runWith({}, async (options) => backfillMonth(operatorFor(r.lake, options), '2024-01', await backfillInput(files)));
  expectMonths(r, backfill, ['2024-01'], 'a backfill');

  // A gzip file: planning writes its chunks, uncompressed, to the work area and the chunks are
  // read from there. Its Gold build fails (not retried): RollForward completes the promotion.
  const goldFails = failOnce(goldWrite(layout), (call) => diskFull(call.key));
  const gzipped = await r.ingest('gzipped.csv.gz', gzipSync(GZIP_FILE), { faults: { promotion: goldFails } });
  expectMonths(r, gzipped, ['2024-06'], 'a gzip file rolled forward');
  if (!goldFails.fired()) throw new Error('deploy: the gzip run\'s Gold build did not fail');

  await recordOverlap(r);

  // Content claimed by a run still in progress (held before it validates): refused.
  const busySource = await r.land('busy.csv', BUSY_FILE);
  const validating = holdAt(() => true);
  const inProgress = r.run(busySource, { holds: { validation: validating.hook } });
  await until(validating, inProgress, 'validating');
  expectOutcome(await r.run(busySource), { status: 'SKIPPED', duplicate_status: 'claimed' }, 'content claimed by a live run');
  validating.release();
  expectOutcome(await inProgress, { status: 'PUBLISHED' }, 'the run that held it');

  // A Bronze object that is not there (a clean "does not exist", not an access error): the run
  // recorder writes the record and has no claim to release.
  const missing = await r.run(layout.bronze.file(r.now().toISOString().slice(0, 10), 'missing.csv'));
  expectOutcome(missing, { status: 'FAILED' }, 'a missing Bronze object');
  if (missing.error?.name !== 'InvalidInputError') throw new Error(`deploy: a missing Bronze object failed with ${missing.error?.name}`);

  // A run that failed after enrichment, before loop prevention claimed the content: no ledger entry.
  const fourth = await r.ingest('fourth.csv', FOURTH_FILE, { faults: { 'loop-prevention': failOnce(() => true, (call) => diskFull(call.key)) } });
  expectOutcome(fourth, { status: 'FAILED' }, 'a failure before the claim');
  if (fourth.error?.state !== 'PreventLoops') throw new Error(`deploy: the failure before the claim was in ${fourth.error?.state}`);

  // A run whose part fails in its ProcessParts child (a full disk under WritePart): the Map fails
  // with States.ExceedToleratedFailureThreshold, and the run recorder reads the child's own error
  // from the Map's result files to record it.
  const partFails = failOnce((call) => call.mutation > 0 && call.bucket === layout.buckets.silver, (call) => diskFull(call.key));
  const failedPart = await r.ingest('part-fails.csv', PART_FAILS_FILE, { faults: { 'partition-writer': partFails } });
  expectOutcome(failedPart, { status: 'FAILED' }, 'a failed Map child');
  if (failedPart.error?.name !== 'StorageError' || failedPart.error.state !== 'ProcessParts') {
    throw new Error(`deploy: the failed Map child's run failed with ${failedPart.error?.name} in ${failedPart.error?.state}`);
  }

  // A run whose failures trip the circuit breaker: validation writes its open state. The run
  // recorder writes the record and releases the claim; its release times out, so the definition's
  // Retry records the run again (the record is read back) and releases the claim.
  const releaseTimesOut = failOnce((call) => call.op === 'putIfMatch' && call.key.startsWith('ledger/processed-files/'), timedOut);
  const third = await r.ingest('third.csv', THIRD_FILE, { validation: TRIPPING_BREAKER, faults: { 'run-recorder': releaseTimesOut } });
  expectOutcome(third, { status: 'FAILED' }, 'a tripping breaker');
  if (third.error?.name !== 'CircuitBreakerOpenError' || !releaseTimesOut.fired()) {
    throw new Error(`deploy: the breaker run failed with ${third.error?.name}, its failure recorded ${releaseTimesOut.fired() ? 'twice' : 'once'}`);
  }
  const record = await readRunRecord(r.store, layout, third.run_id);
  if (record?.status !== 'FAILED') throw new Error(`deploy: the breaker run has no FAILED record`);

  await recordAlerts(r.view('alert-consumer'), layout, { failed: record, blocked: event });
}

/**
 * Two files sharing a transaction, both checked before either commits (each run held at its
 * promotion's intent until both are there): the earlier publishes; the later commits after it and
 * condemns its copy (its month's objects rewritten without it, the row in its Condemned folder;
 * an earlier commit attempt's late rows, left by a lost compare-and-swap, removed). The later one
 * is held as it starts Gold (PROMOTING, its holder alive): a run of the same content meanwhile is
 * refused on its pending promotion; then its process dies. The next run's RecoverPromotions
 * completes that promotion; that run's own Promote fails before it began: RollForward finds it
 * NOT_BEGUN and the run is recorded FAILED.
 */
async function recordOverlap(r: PipelineRecording): Promise<void> {
  const { layout } = r;
  const earlyId = r.runId('early');
  const lateId = r.runId('late');
  const earlySource = await r.land('early.csv', OVERLAP_EARLY);
  const lateSource = await r.land('late.csv', OVERLAP_LATE);
  const earlyCommits = holdAt(writeOf(layout.control.promotionIntent(earlyId)));
  const lateCommits = holdAt(writeOf(layout.control.promotionIntent(lateId)));
  const lateBuildsGold = holdAt(goldWrite(layout));
  const early = r.run(earlySource, { run: { runId: earlyId }, holds: { promotion: earlyCommits.hook } });
  const late = r.run(lateSource, {
    run: { runId: lateId },
    holds: { promotion: inTurn(lateCommits.hook, lateBuildsGold.hook) },
    process: crashAtKey(/^finance\//),
  });
  await Promise.all([until(earlyCommits, early, 'its promotion'), until(lateCommits, late, 'its promotion')]);
  earlyCommits.release();
  expectOutcome(await early, { status: 'PUBLISHED' }, 'the earlier of two runs sharing a row');
  const { started_at } = await readRunManifest(r.store, layout, lateId);
  await r.store.put(lateCondemnedRef(layout, started_at.slice(0, 10), lateId, { year: 2024, month: 4 }, '000000000000'), 'stale');
  lateCommits.release();
  await until(lateBuildsGold, late, 'Gold');
  const lateAgain = await r.run(lateSource);
  expectOutcome(lateAgain, { status: 'SKIPPED', duplicate_of: lateId, duplicate_status: 'promoting' }, 'content whose promotion is pending');
  lateBuildsGold.release();
  expectOutcome(await late, { status: 'PROMOTING' }, 'a crash after Promote');

  const neverId = r.runId('never');
  const neverBegins = failOnce(writeOf(layout.control.promotionIntent(neverId)), (call) => diskFull(call.key));
  const never = await r.ingest('never.csv', NEVER_PROMOTED_FILE, { run: { runId: neverId }, faults: { promotion: neverBegins } });
  expectOutcome(never, { status: 'FAILED' }, 'a promotion that never began');
  if (never.error?.state !== 'Promote') throw new Error(`deploy: the promotion that never began failed in ${never.error?.state}`);
  const recovered = await readRunRecord(r.store, layout, lateId);
  if (recovered?.status !== 'PUBLISHED' || recovered.counts.condemned_rows !== 1) {
    throw new Error(`deploy: the pending promotion was not recovered with the shared row condemned: ${JSON.stringify(recovered)}`);
  }
}

/**
 * The alert consumer on the failure events of those runs, as the queue delivers them: a failed run
 * with a record (read for its failed state), delivered twice (the duplicate reads the posted
 * record); a timed-out run with no record (the read must answer 404); a post Slack refuses once
 * (the claim is released, the redelivery takes it over); a blocked run's event.
 */
async function recordAlerts(store: ObjectStore, layout: LakeLayout, runs: { failed: RunRecord; blocked: RunBlockedEvent }): Promise<void> {
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
    return processAlertRecord(record, budget, deps);
  };
  type Ended = Pick<RunRecord, 'run_id' | 'execution_arn' | 'dataset' | 'mode' | 'source' | 'started_at'>;
  const ended = (run: Ended, status: 'FAILED' | 'TIMED_OUT', error: string) =>
    executionStatusEvent({
      executionArn: run.execution_arn,
      name: run.run_id,
      status,
      input: { dataset: run.dataset, mode: run.mode, source: run.source },
      error,
      cause: error,
      startDate: new Date(run.started_at),
      stopDate: new Date(Date.parse(run.started_at) + 60_000),
    });

  const failed = ended(runs.failed, 'FAILED', runs.failed.status === 'FAILED' ? runs.failed.error : 'Error');
  await deliver(failed);
  await deliver(failed);

  const timedOutId = formatRunId(new Date(), 'timedout');
  const timedOut: Ended = {
    run_id: timedOutId,
    execution_arn: localExecutionArn(timedOutId),
    dataset: TRANSACTIONS_DATASET.path,
    mode: 'ingest',
    source: layout.bronze.file(new Date().toISOString().slice(0, 10), 'timed-out.csv'),
    started_at: new Date().toISOString(),
  };
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

  await deliver(runs.blocked);
}
