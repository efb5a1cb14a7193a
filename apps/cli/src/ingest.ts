import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import { ObjectConflictError, type QuarantineByReason, type RunCounts } from '@ledgerlake/domain';
import { type DuplicateStatus, type RunState, RunStateSchema, type TaskStateName } from '@ledgerlake/contract';
import {
  type BronzeIgnore,
  InterruptSignalSchema,
  type InterruptSignal,
  readPromotionIntent,
  readRunRecord,
  trackLocalExecution,
} from '@ledgerlake/ledgers';
import { type AslDefinition, localExecutionArn, type LocalRunResult, type LocalTaskCall, runLocally, statesBeforeLastMap } from '@ledgerlake/state-machine';
import { bronzeIgnoreOf, newRunId, type RunRequest } from '@ledgerlake/runbook';
import type { ObjectRef } from '@ledgerlake/storage';
import { z } from 'zod';
import { EXIT } from './cli-error';
import { type InputFile, openInputFile } from './input-files';
import { settleInterruptedRun } from './interrupted-run';
import { exitCodeOf } from './interrupts';
import type { LocalAlerts } from './local-alerts';
import { writtenReport } from './run-report';
import { StateTimeline } from './state-timeline';
import type { LocalLake } from './lake-folder';
import { COMMAND_STORE, createRunHandlers, lakeFor, type LocalWiring, mapWorkerCount, stateMachineObjects } from './local-lake';
import { MapWorkerPool } from './map-workers';
import { FencedWriteError, WriteFence } from './write-fence';

/**
 * How a file's run ended (docs/contract/interfaces.md, "Run statuses"); INTERRUPTED: a signal stopped it (settled: nothing
 * published, claim released, work area removed); CHECKED: a dry run (`--dry-run`), checked up to the
 * gate and never published; PROMOTING: it was stopped (a signal, a fault)
 * after its promotion began; the next run or `ledgerlake recover` completes it (docs/exactly-once.md).
 */
export type IngestStatus = 'PUBLISHED' | 'SKIPPED' | 'BLOCKED' | 'FAILED' | 'INTERRUPTED' | 'PROMOTING' | 'CHECKED';

/** What `ingest --json` prints per file. */
export interface IngestOutcome {
  readonly file: string;
  readonly run_id: string;
  readonly status: IngestStatus;
  readonly counts: RunCounts;
  readonly quarantine_by_reason: QuarantineByReason;
  /** Columns of the file beyond the dataset's, ignored (not stored); absent when there are none. */
  readonly ignored_columns?: readonly string[];
  /** FAILED on the file itself (its encoding, delimiter, header): the likely cause and what to do, one sentence. */
  readonly hint?: string;
  /** Where the file landed in Bronze. */
  readonly source: ObjectRef;
  /** SKIPPED: the run that processed the same content first (or holds it, or ended BLOCKED / FAILED with it). */
  readonly duplicate_of?: string;
  /** SKIPPED: how that run stands: `processed`, `claimed`, `promoting`, or `blocked` / `failed` (run again only on request). */
  readonly duplicate_status?: DuplicateStatus;
  /** A re-run a person asked for: the BLOCKED or FAILED run whose Bronze object this run ran again. */
  readonly rerun_of?: string;
  /** BLOCKED: why the promotion gate refused the run, one sentence per failed condition; CHECKED: why it would have. */
  /** CHECKED: what the promotion gate would have decided. */
  readonly gate_decision?: 'PROMOTE' | 'BLOCKED';
  readonly reasons?: readonly string[];
  /** PUBLISHED: the Silver months the run's rows were published in, and each month's new version. */
  readonly partitions?: readonly { readonly partition: string; readonly version: number; readonly rows: number }[];
  /** FAILED: the error that ended the run and the state it was raised in. */
  readonly error?: { readonly name: string; readonly message: string; readonly state: string | null };
  /**
   * What went wrong around the run besides its own error, each `what` with a one-sentence `message`:
   * the failure could not be recorded (run-recorder failed too), the run's log could not be
   * written, the failure alert could not be delivered. The status is still the run's own; any fault
   * makes the command exit 1.
   */
  readonly faults?: readonly { readonly what: RunFaultKind; readonly message: string }[];
  /** INTERRUPTED, PROMOTING: the signal, the top-level state the run was in, and what was done about it. */
  readonly interrupted?: { readonly signal: InterruptSignal; readonly state: string; readonly message: string };
  /** The run's report (`runs/<run_id>/report.html`, its last step): a file on a lake folder, `s3://…` on a stage. */
  readonly report?: string;
  readonly duration_ms: number;
}

/** A file that never became a run: landing it in Bronze failed (no run id, no source). */
export interface NotLandedOutcome extends Omit<IngestOutcome, 'run_id' | 'source' | 'status' | 'error'> {
  readonly run_id: null;
  readonly source: null;
  readonly status: 'FAILED';
  readonly error: { readonly name: string; readonly message: string; readonly state: null };
}

/** A file that landed on a Bronze object a person ignored (`bronze ignore`): no run was started. */
export interface IgnoredOutcome extends Omit<IngestOutcome, 'run_id' | 'status'> {
  readonly run_id: null;
  readonly status: 'SKIPPED';
  readonly ignored: BronzeIgnore;
}

/** What `ingest` reports per file. */
export type FileOutcome = IngestOutcome | NotLandedOutcome | IgnoredOutcome;

/**
 * What a fault around a run hit: the failure record (run-recorder), the run's log, the failure
 * alert, the clean-up after an interrupt; or landing the file.
 */
export type RunFaultKind = 'failure-record' | 'log' | 'alert' | 'clean-up' | 'landing' | 'report';

/** Something that went wrong around a run (not the run's own error): one sentence, and the error behind it. */
export interface RunFault {
  readonly what: RunFaultKind;
  readonly message: string;
  readonly error: unknown;
}

/** Options of one run (of a file being ingested, or of an object already in Bronze). */
export interface IngestOptions {
  readonly definition: AslDefinition;
  readonly now: () => Date;
  /** Called as the execution enters each state, a Map iteration's too (live progress). */
  readonly onState?: (stateName: string) => void;
  /** Called as the execution leaves each state, a Map iteration's too, with its output (live progress: rows done). */
  readonly onStateExited?: (stateName: string, output: unknown) => void;
  /** Told of each Lambda Task's invocation that returned: its state, event and result (the contract test checks them). */
  readonly onTask?: (task: LocalTaskCall) => void;
  /**
   * Told how the execution ended, with its payload sizes and history length as AWS would count
   * them (`LocalRunStats`): how close a file comes to Step Functions' limits.
   */
  readonly onExecutionEnded?: (result: LocalRunResult) => void;
  /** Fault injection and retry timing (tests); default the real wiring. */
  readonly wiring?: LocalWiring;
  /** Where a failed execution is reported, as EventBridge reports it in the cloud; default nowhere. */
  readonly alerts?: LocalAlerts;
  /** Told of each fault around the run as it happens (the command prints the sentence on stderr). */
  readonly onFault?: (fault: RunFault) => void;
  /**
   * Stops the run (SIGINT, SIGTERM; its `reason` names the signal): the execution is aborted, the
   * Map workers stopped, the functions' writes fenced, then the run is settled (`interrupted-run.ts`).
   */
  readonly interrupt?: AbortSignal;
  /**
   * The run request beyond the source (what the cloud starter puts in the execution input): the run
   * id (default a fresh ingest run id), `mode` (default `ingest`), `backfill_month`, `approval_id`.
   */
  readonly run?: RunRequest;
  /**
   * How the run is started and followed; default in-process (`runBronzeObject`). A deployed stage's
   * starts its state machine through Step Functions and follows the execution (`cloud-runs.ts`).
   */
  readonly startRun?: RunStarter;
  /**
   * How the run of a file `ingest` has just landed as a new Bronze object is followed; default
   * `startRun`. On a deployed stage the object's Object Created event starts it (`cloud-runs.ts`).
   */
  readonly followLanded?: RunStarter;
}

/** Starts a run of a Bronze object and resolves to how it ended. */
export type RunStarter = (lake: LocalLake, source: ObjectRef, file: string, options: IngestOptions) => Promise<IngestOutcome>;

/** Runs a Bronze object as `options.startRun` says: in-process by default. */
export function startRun(lake: LocalLake, source: ObjectRef, file: string, options: IngestOptions): Promise<IngestOutcome> {
  return (options.startRun ?? runBronzeObject)(lake, source, file, options);
}

/**
 * Lands one file in Bronze and runs the state machine on it (`landInBronze` + `runBronzeObject`).
 * A file that cannot land (a full disk, a read-only lake) is a `NotLandedOutcome`, not a throw; one
 * that lands on a Bronze object a person ignored is not run (`IgnoredOutcome`).
 */
export async function ingestFile(lake: LocalLake, file: InputFile, options: IngestOptions): Promise<FileOutcome> {
  const t0 = performance.now();
  let landed: LandedFile;
  try {
    landed = await landInBronze(lakeFor(COMMAND_STORE, lake, options.wiring), file, options.now());
  } catch (error) {
    const { name, message } = asError(error);
    const sentence = `Cannot land ${file.path} in Bronze: ${message}`;
    options.onFault?.({ what: 'landing', message: sentence, error });
    return {
      file: file.path,
      run_id: null,
      source: null,
      status: 'FAILED',
      ...countsOf(undefined),
      error: { name, message: sentence, state: null },
      duration_ms: Math.round(performance.now() - t0),
    };
  }
  const source = landed.ref;
  const ignored = await bronzeIgnoreOf(lake, source);
  if (ignored !== undefined) {
    return { file: file.path, run_id: null, source, status: 'SKIPPED', ...countsOf(undefined), ignored, duration_ms: Math.round(performance.now() - t0) };
  }
  return (landed.created && options.followLanded !== undefined ? options.followLanded : startRun)(lake, source, file.path, options);
}

/**
 * Runs the state machine in-process on an object already in Bronze and summarises how it ended;
 * `file` is what the outcome names (the user's path, or the Bronze key). The run's Powertools
 * lines go to `artifacts/runs/<run_id>/logs.jsonl`, written when the run ends.
 */
export async function runBronzeObject(
  lake: LocalLake,
  source: ObjectRef,
  file: string,
  options: IngestOptions,
): Promise<IngestOutcome> {
  const startDate = options.now();
  const { runId = newRunId(startDate), mode = 'ingest', ...request } = options.run ?? {};
  const input = { dataset: lake.layout.dataset.path, mode, source, ...request };
  const lines: string[] = [];
  const sink = (line: string): void => {
    lines.push(line);
  };
  let lastState: RunState | undefined;
  const faults: { what: RunFaultKind; message: string }[] = [];
  const fault = (what: RunFaultKind, message: string, error: unknown): void => {
    faults.push({ what, message });
    options.onFault?.({ what, message, error });
  };
  const workerCount = mapWorkerCount(lake, options.wiring);
  let pool: MapWorkerPool | undefined;
  const workers = () => {
    if (options.interrupt?.aborted === true) throw new FencedWriteError(`cli: run ${runId} was interrupted: no Map workers start`);
    pool ??= new MapWorkerPool(
      {
        root: lake.root,
        buckets: lake.layout.buckets,
        wiring: { thresholds: options.wiring?.thresholds, validation: options.wiring?.validation, enrichment: options.wiring?.enrichment },
      },
      workerCount,
    );
    return pool;
  };
  // The functions write through the fence: once the run is interrupted they can write nothing more.
  const fence = new WriteFence();
  const runLake: LocalLake = { ...lake, store: fence.wrap(lake.store) };
  const stopWorkers = (): void => void pool?.close();
  // Once the run is past its last Map state the worker threads only hold memory (a few hundred MB
  // through Promote and Gold): they stop as it enters the first state no Map can follow.
  const mapsAhead = statesBeforeLastMap(options.definition);
  const stopped: Promise<void>[] = [];
  const stopIdleWorkers = (stateName: string): void => {
    if (pool === undefined || options.definition.States[stateName] === undefined || mapsAhead.has(stateName)) return;
    stopped.push(pool.close());
    pool = undefined;
  };
  options.interrupt?.addEventListener('abort', stopWorkers, { once: true });
  const t0 = performance.now();
  let result: Awaited<ReturnType<typeof runLocally>>;
  // While it runs, its claims and promotion are a live holder's; once it ends, any later run may complete them.
  const untrack = trackLocalExecution(localExecutionArn(runId));
  const timeline = new StateTimeline(options.definition);
  try {
    const { handlers, childHandlers } = createRunHandlers(
      runLake,
      options.definition,
      sink,
      {
        ...options.wiring,
        timeline: () => timeline.snapshot(),
        // A blocked run's event goes where the cloud's SNS `etl-failures` would take it: the alert consumer.
        publish:
          options.wiring?.publish ??
          (async (event) => {
            await options.alerts?.publish(event, sink);
          }),
      },
      workerCount > 0 ? workers : undefined,
    );
    result = await runLocally({
      definition: options.definition,
      handlers,
      childHandlers,
      objects: stateMachineObjects(runLake, options.wiring),
      ...(options.wiring?.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.wiring.retryIntervalMs }),
      input,
      executionName: runId,
      ...(options.interrupt === undefined ? {} : { signal: options.interrupt }),
      ...(options.onTask === undefined ? {} : { onTask: options.onTask }),
      onStateEntered: (event) => {
        timeline.entered(event.name);
        stopIdleWorkers(event.name);
        options.onState?.(event.name);
      },
      onStateExited: (event) => {
        timeline.exited(event.name);
        options.onStateExited?.(event.name, event.output);
        // The run's own states only: a Map iteration's state holds one part's sections, not the run's.
        const parsed = RunStateSchema.safeParse(event.output);
        if (parsed.success && options.definition.States[event.name] !== undefined) lastState = parsed.data;
        const recorderError = RecordFailureErrorSchema.safeParse(event.output);
        if (event.name === ('RecordFailure' satisfies TaskStateName) && recorderError.success) {
          const { Error: name, Cause: cause } = recorderError.data.record_failure_error;
          fault('failure-record', `The failure of run ${runId} (${file}) could not be recorded: run-recorder failed with ${name}: ${causeMessage(cause)}`, recorderError.data);
        }
      },
    });
    options.onExecutionEnded?.(result);
  } finally {
    untrack();
    options.interrupt?.removeEventListener('abort', stopWorkers);
    // Worker threads would keep the command alive: stop them whatever happened to the run.
    await Promise.all([...stopped, pool?.close()]);
  }
  const duration_ms = Math.round(performance.now() - t0);
  const commandLake = lakeFor(COMMAND_STORE, lake, options.wiring);
  const logs = lake.layout.artifacts.logs(runId);
  const writeLog = async (): Promise<void> => {
    try {
      await commandLake.store.put(logs, lines.map((line) => `${line}\n`).join(''));
    } catch (thrown) {
      const { name, message } = asError(thrown);
      fault('log', `The log of run ${runId} (${file}) could not be written to ${logs.bucket}/${logs.key}: ${name}: ${message}`, thrown);
    }
  };
  const report = await writtenReport(lake, 'local', runId);
  const base = () => ({
    file,
    run_id: runId,
    source,
    duration_ms,
    ...(report === undefined ? {} : { report }),
    ...(request.rerun_of === undefined ? {} : { rerun_of: request.rerun_of }),
    ...(faults.length === 0 ? {} : { faults: [...faults] }),
  });

  // From here on the run has ended: whatever fails is reported with the run's outcome, never instead of it.
  if (result.status === 'ABORTED') {
    const parsed = InterruptSignalSchema.safeParse(options.interrupt?.reason);
    const signal = parsed.success ? parsed.data : 'SIGINT';
    await fence.close(`run ${runId} was interrupted by ${signal}`);
    const settled = await settleInterruptedRun(
      commandLake,
      { runId, file, executionArn: result.executionArn, input, startDate, signal, state: result.state, lastState, at: options.now() },
      (message, error) => fault('clean-up', message, error),
    );
    lines.push(settled.logLine);
    await writeLog();
    return { ...base(), status: settled.status, ...countsOf(lastState), interrupted: settled.interrupted };
  }
  if (result.status === 'FAILED') {
    const { executionArn, error, cause } = result;
    const execution = { executionArn, name: runId, status: 'FAILED', input, error, cause, startDate, stopDate: options.now() } as const;
    try {
      await options.alerts?.executionEnded(execution, sink);
    } catch (thrown) {
      const { name, message } = asError(thrown);
      fault('alert', `The failure alert of run ${runId} (${file}) could not be delivered: ${name}: ${message}`, thrown);
    }
  }
  await writeLog();

  if (result.status === 'FAILED') {
    const promoting = (await readPromotionIntent(lake.store, lake.layout, runId)) !== undefined;
    return {
      ...base(),
      status: promoting ? 'PROMOTING' : 'FAILED',
      ...countsOf(lastState),
      error: { name: result.error, message: causeMessage(result.cause), state: result.failedState ?? null },
    };
  }
  const state = RunStateSchema.parse(result.output);
  if (state.loop_prevention?.status === 'DUPLICATE_FILE') {
    return {
      ...base(),
      status: 'SKIPPED',
      ...countsOf(state),
      ...(state.loop_prevention.duplicate_of === undefined ? {} : { duplicate_of: state.loop_prevention.duplicate_of }),
      ...(state.loop_prevention.duplicate_status === undefined ? {} : { duplicate_status: state.loop_prevention.duplicate_status }),
    };
  }
  const ended = EndedRunSchema.parse(result.output);
  if (ended.checked !== undefined) {
    return { ...base(), status: 'CHECKED', ...countsOf(state), gate_decision: ended.gate.decision, reasons: ended.gate.reasons };
  }
  if (ended.gate.decision === 'BLOCKED') return { ...base(), status: 'BLOCKED', ...countsOf(state), reasons: ended.gate.reasons };
  // Published by Promote, or by the roll-forward of a promotion whose step failed.
  const promoted = ended.rolled_forward ?? ended.promotion;
  const partitions = (promoted?.partitions ?? []).map(({ partition, version, rows }) => ({ partition, version, rows }));
  // The record's counts: rows condemned at the commit (another run published their keys first) moved there.
  const record = await readRunRecord(lake.store, lake.layout, runId);
  const counts = record?.status === 'PUBLISHED' ? { ...countsOf(state), counts: record.counts, quarantine_by_reason: record.quarantine_by_reason } : countsOf(state);
  return { ...base(), status: 'PUBLISHED', ...counts, partitions };
}

const PromotedSchema = z.object({
  partitions: z.array(z.object({ partition: z.string(), version: z.number(), rows: z.number() })),
});

/** What the promotion states add to a run that got past the row pipeline. */
const EndedRunSchema = z.object({
  gate: z.object({ decision: z.enum(['PROMOTE', 'BLOCKED']), reasons: z.array(z.string()) }),
  promotion: PromotedSchema.optional(),
  rolled_forward: PromotedSchema.optional(),
  /** RecordDryRun's result: the run was a dry run. */
  checked: z.object({ status: z.literal('CHECKED') }).optional(),
});

/** What `RecordFailure` leaves in the state when run-recorder itself failed (its Catch's ResultPath). */
const RecordFailureErrorSchema = z.object({
  record_failure_error: z.object({ Error: z.string(), Cause: z.string().default('') }),
});

/** The exit code of a whole `ingest`: interrupted 130 (SIGINT) or 143 (SIGTERM), else any failure or fault 1, else any blocked 3, else 0. */
export function ingestExitCode(outcomes: readonly Pick<FileOutcome, 'status' | 'faults' | 'interrupted'>[]): number {
  const signal = outcomes.find((outcome) => outcome.interrupted !== undefined)?.interrupted?.signal;
  if (signal !== undefined) return exitCodeOf(signal);
  if (outcomes.some((o) => o.status === 'FAILED' || o.status === 'PROMOTING' || (o.faults ?? []).length > 0)) return EXIT.failed;
  if (outcomes.some((o) => o.status === 'BLOCKED' || (o.status === 'CHECKED' && 'gate_decision' in o && o.gate_decision === 'BLOCKED'))) return EXIT.blocked;
  return EXIT.ok;
}

/**
 * Lands the file at `ingest_date=<today UTC>/<file name>`, streamed (any size, flat memory). Bronze
 * is never overwritten: the same content already there is reused (loop prevention then reports it
 * as a duplicate; compared by size, then SHA-256 of both), different content gets the first free
 * `<name>-N<ext>`.
 */
export async function landInBronze(lake: LocalLake, file: InputFile, now: Date): Promise<LandedFile> {
  const ingestDate = now.toISOString().slice(0, 10);
  const name = basename(file.path);
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  let fileDigest: Promise<string> | undefined;
  const sameContent = async (ref: ObjectRef): Promise<boolean> => {
    const existing = await lake.store.head(ref);
    if (existing === undefined || existing.size !== file.size) return false;
    const stream = await lake.store.getStream(ref);
    if (stream === undefined) return false;
    fileDigest ??= sha256Of(openInputFile(file));
    return (await sha256Of(stream)) === (await fileDigest);
  };
  for (let attempt = 1; ; attempt += 1) {
    const ref = lake.layout.bronze.file(ingestDate, attempt === 1 ? name : `${stem}-${attempt}${ext}`);
    if ((await lake.store.head(ref)) === undefined) {
      try {
        await lake.store.putIfAbsent(ref, openInputFile(file));
        return { ref, created: true };
      } catch (error) {
        if (!(error instanceof ObjectConflictError)) throw error;
      }
    }
    if (await sameContent(ref)) return { ref, created: false };
  }
}

/** Where `landInBronze` put a file: a new object (`created`), or one already there with the same content. */
export interface LandedFile {
  readonly ref: ObjectRef;
  readonly created: boolean;
}

/** The SHA-256 (hex) of a stream's bytes. */
export async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const digest = createHash('sha256');
  for await (const chunk of stream) digest.update(chunk);
  return digest.digest('hex');
}

/** The counts a run state knows: the partition writer's once it ran, else what the earlier states counted. */
export function countsOf(state: RunState | undefined): { counts: RunCounts; quarantine_by_reason: QuarantineByReason; ignored_columns?: string[] } {
  const extra = state?.enrichment?.extra_columns ?? [];
  const ignored = extra.length === 0 ? {} : { ignored_columns: extra };
  const written = state?.partition_writer;
  if (written !== undefined) return { counts: written.counts, quarantine_by_reason: written.quarantine_by_reason, ...ignored };
  return {
    ...ignored,
    counts: {
      input_rows: state?.enrichment?.input_rows ?? 0,
      valid_rows: state?.validation?.valid_rows ?? 0,
      quarantined_rows: state?.validation?.quarantined_rows ?? 0,
      condemned_rows: state?.loop_prevention?.condemned_rows ?? 0,
    },
    quarantine_by_reason: state?.validation?.quarantine_by_reason ?? {},
  };
}

/** A failed Task's cause is Lambda's JSON `{errorType, errorMessage, trace}`; other causes are plain text. */
function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause is the message
  }
  return cause;
}

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
