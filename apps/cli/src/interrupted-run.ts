import type { RunCounts } from '@ledgerlake/domain';
import { type RunState } from '@ledgerlake/contract';
import {
  readPromotionIntent,
  type InterruptedRunRecord,
  type InterruptSignal,
  readRunRecord,
  releaseFileClaim,
  writeRunRecordIfAbsent,
} from '@ledgerlake/ledgers';
import { removeWorkArea } from '@ledgerlake/work-area';
import type { ObjectRef } from '@ledgerlake/storage';
import type { LocalLake } from './lake-folder';

/*
 * What `ingest` does with a run a signal stopped (the execution is aborted, its Map workers are
 * stopped and its functions can write no more). Outside the promotion states the run is settled
 * here: its processed-file claim released (so the same file runs again), its INTERRUPTED record
 * (create-if-absent), its work area removed, in that order. A run whose promotion began (its
 * intent is in `control/promotions/`, docs/exactly-once.md) is left exactly as it is, for the next
 * run or `ledgerlake recover` to roll forward; it is PROMOTING.
 */

/** What is known of a run when a signal stopped it. */
export interface StoppedRun {
  readonly runId: string;
  /** What the outcome names: the user's path, or the Bronze key. */
  readonly file: string;
  readonly executionArn: string;
  readonly input: { readonly dataset: string; readonly mode: InterruptedRunRecord['mode']; readonly source: ObjectRef };
  /** When the command started the run (the run context's own time, once built, is preferred). */
  readonly startDate: Date;
  readonly signal: InterruptSignal;
  /** The top-level state the execution was in. */
  readonly state: string;
  /** The state as the last state that ended left it. */
  readonly lastState: RunState | undefined;
  readonly at: Date;
}

/** How an interrupted run was left: INTERRUPTED (settled here) or PROMOTING (left to roll forward). */
export interface SettledRun {
  readonly status: 'INTERRUPTED' | 'PROMOTING';
  readonly interrupted: { readonly signal: InterruptSignal; readonly state: string; readonly message: string };
  /** The command's line for the run's log (a Powertools-shaped JSON line, service `ledgerlake`). */
  readonly logLine: string;
}

/** Settles (or, in a promotion state, leaves) a run a signal stopped; what fails is passed to `fault` and the rest still runs. */
export async function settleInterruptedRun(
  lake: LocalLake,
  run: StoppedRun,
  fault: (message: string, error: unknown) => void,
): Promise<SettledRun> {
  const { runId, file, signal, state } = run;
  const logLine = (message: string, fields: Record<string, unknown>): string =>
    JSON.stringify({ level: 'WARN', message, timestamp: run.at.toISOString(), service: 'ledgerlake', run_id: runId, signal, state, ...fields });

  // Its promotion began (its intent is written): it is completed by roll-forward, never undone.
  // When the intent cannot even be read, the run is left as it is too: releasing its claim could undo a promotion.
  const promoting = await readPromotionIntent(lake.store, lake.layout, runId).then(
    (intent) => intent !== undefined,
    () => true,
  );
  if (promoting) {
    return {
      status: 'PROMOTING',
      interrupted: {
        signal,
        state,
        message: `Stopped by ${signal} in ${state}, during its promotion: the run is left as it is, and its promotion will be completed by the next run or \`ledgerlake recover\`.`,
      },
      logLine: logLine('run interrupted during its promotion: left to be rolled forward', {}),
    };
  }

  const problem = (what: string, error: unknown): void => {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    fault(`Run ${runId} (${file}) was interrupted, but ${what}: ${name}: ${message}`, error);
  };

  // The run may have ended (its recorder wrote the record) just as the signal came: then its record stands.
  let recordedBefore: string | undefined;
  try {
    const existing = await readRunRecord(lake.store, lake.layout, runId);
    if (existing !== undefined && existing.status !== 'INTERRUPTED') recordedBefore = existing.status;
  } catch (error) {
    problem('its record could not be read', error);
  }
  if (recordedBefore !== undefined) {
    return {
      status: 'INTERRUPTED',
      interrupted: { signal, state, message: `Stopped by ${signal} in ${state}, once its record already said ${recordedBefore}: left as that record says.` },
      logLine: logLine('run interrupted after it was recorded', { recorded_status: recordedBefore }),
    };
  }

  // The claim first: it is what would refuse the same file, should a second signal cut the rest short.
  let claimReleased = false;
  const sha = run.lastState?.enrichment?.content_sha256;
  if (sha !== undefined) {
    try {
      claimReleased = await releaseFileClaim(lake.store, lake.layout, sha, runId, { outcome: 'INTERRUPTED', reason: `interrupted by ${signal}`, at: run.at });
    } catch (error) {
      problem("the file's claim could not be released (the same content is refused as a duplicate until the claim expires)", error);
    }
  }

  try {
    await writeRunRecordIfAbsent(lake.store, lake.layout, interruptedRecord(run));
  } catch (error) {
    problem('its record could not be written', error);
  }

  let removed = 0;
  let removedAll = true;
  try {
    removed = await removeWorkArea(lake.store, lake.layout, runId);
  } catch (error) {
    removedAll = false;
    const work = lake.layout.artifacts.workPrefix(runId);
    problem(`its work area ${work.bucket}/${work.prefix} could not be removed`, error);
  }

  const claim = claimReleased ? "the file's claim was released, " : '';
  const objects = `${removed} ${removed === 1 ? 'object' : 'objects'}`;
  const workArea = removedAll ? `its work area was removed (${objects})` : `its work area was only partly removed (${objects})`;
  return {
    status: 'INTERRUPTED',
    interrupted: {
      signal,
      state,
      message: `Stopped by ${signal} in ${state}: nothing was published; ${claim}${workArea}; ingest the file again to run it.`,
    },
    logLine: logLine('run interrupted', { claim_released: claimReleased, work_objects_removed: removed }),
  };
}

function interruptedRecord(run: StoppedRun): InterruptedRunRecord {
  const context = run.lastState?.run;
  const sourceFileId = run.lastState?.enrichment?.source_file_id;
  return {
    run_id: run.runId,
    execution_arn: run.executionArn,
    dataset: run.input.dataset,
    mode: run.input.mode,
    started_at: context?.started_at ?? run.startDate.toISOString(),
    source: { bucket: run.input.source.bucket, key: run.input.source.key },
    ...(sourceFileId === undefined ? {} : { source_file_id: sourceFileId }),
    counts: knownCounts(run.lastState),
    status: 'INTERRUPTED',
    interrupted_at: run.at.toISOString(),
    signal: run.signal,
    state: run.state,
  };
}

/** The counts the run knew when it stopped: the partition writer's once it ran, else each earlier step's. */
function knownCounts(state: RunState | undefined): Partial<RunCounts> {
  if (state?.partition_writer !== undefined) return { ...state.partition_writer.counts };
  return {
    ...(state?.enrichment === undefined ? {} : { input_rows: state.enrichment.input_rows }),
    ...(state?.validation === undefined ? {} : { valid_rows: state.validation.valid_rows, quarantined_rows: state.validation.quarantined_rows }),
    ...(state?.loop_prevention === undefined ? {} : { condemned_rows: state.loop_prevention.condemned_rows }),
  };
}
