import type { RunCounts } from '@ledgerlake/domain';
import { isRetryable } from '@ledgerlake/domain';
import { MAIN_LINE, type RecordFailureResult, type StepFunctionsError } from '@ledgerlake/contract';
import {
  readPromotionIntent,
  releaseFileClaim,
  RUN_RECORD_MAX_CAUSE_BYTES,
  writeRunRecordIfAbsent,
  type FailedRunRecord,
} from '@ledgerlake/ledgers';
import { firstFailedChild, tidyWorkArea } from '@ledgerlake/work-area';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { parseFailureState, type FailureState } from './failure-state';

/** The logging the core needs (Powertools' Logger has it). */
export interface CoreLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** What recording a failure needs. */
export interface RecordFailureDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  /** Default `() => new Date()`. */
  readonly now?: () => Date;
  readonly logger?: CoreLogger;
}

/** How a Distributed Map fails when one of its children failed (ToleratedFailurePercentage 0). */
export const MAP_CHILD_FAILED = 'States.ExceedToleratedFailureThreshold';

const TRUNCATED = '… [truncated]';

/**
 * The error message of a Step Functions Cause: Lambda reports a thrown error as the JSON
 * `{"errorType","errorMessage","trace"}`, and the message is what a person needs. Any other Cause
 * is kept as it is. Either way at most 4 KB (UTF-8), cut on a character boundary.
 */
export function causeMessage(cause: string): string {
  return truncateUtf8(lambdaErrorMessage(cause) ?? cause, RUN_RECORD_MAX_CAUSE_BYTES);
}

function lambdaErrorMessage(cause: string): string | undefined {
  if (!cause.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { errorType, errorMessage } = parsed as Record<string, unknown>;
    return typeof errorType === 'string' && typeof errorMessage === 'string' ? errorMessage : undefined;
  } catch {
    return undefined;
  }
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(TRUNCATED, 'utf8');
  let kept = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    kept += char;
    bytes += size;
  }
  return `${kept}${TRUNCATED}`;
}

/** The Task that failed: the first whose section is missing; `undefined` when every one ran. */
export function failedStateOf(state: Pick<FailureState, 'present' | 'gateDecision'>): string | undefined {
  // A blocked run goes from the gate to RecordBlocked, not to Promote.
  if (state.gateDecision === 'BLOCKED') return 'RecordBlocked';
  // The state machine stops at the first main-line state that fails: the one after the last whose section is there.
  let reached = -1;
  MAIN_LINE.forEach(({ section }, index) => {
    if (state.present.has(section)) reached = index;
  });
  return MAIN_LINE[reached + 1]?.state;
}

/** The counts known so far: the partition writer's when it ran, else what each earlier step reported. */
export function countsOf(state: FailureState): Partial<RunCounts> {
  if (state.partition_writer) return { ...state.partition_writer.counts };
  const counts: Partial<RunCounts> = {};
  if (state.enrichment) counts.input_rows = state.enrichment.input_rows;
  if (state.validation) {
    counts.valid_rows = state.validation.valid_rows;
    counts.quarantined_rows = state.validation.quarantined_rows;
  }
  if (state.loop_prevention) counts.condemned_rows = state.loop_prevention.condemned_rows;
  return counts;
}

/** The failure record of a run, from its state. */
export function failedRunRecord(state: FailureState, failedAt: Date): FailedRunRecord {
  const { run, error } = state;
  const failedState = failedStateOf(state);
  return {
    run_id: run.run_id,
    execution_arn: run.execution_arn,
    dataset: run.dataset,
    mode: run.mode,
    started_at: run.started_at,
    source: { bucket: run.source.bucket, key: run.source.key },
    ...(state.enrichment ? { source_file_id: state.enrichment.source_file_id } : {}),
    counts: countsOf(state),
    status: 'FAILED',
    failed_at: failedAt.toISOString(),
    error: error.Error,
    cause: causeMessage(error.Cause),
    ...(failedState === undefined ? {} : { failed_state: failedState }),
  };
}

/**
 * Records a failed run: writes `runs/<run_id>/run.json` (create-if-absent: a retry returns the
 * record already there) and releases the run's processed-file claim, so that a re-drive of the
 * same content is not refused as a duplicate. Throws only for a malformed input
 * (`InvalidEventError`) or a storage failure that a retry may fix (`TransientStorageError`):
 * the state machine must still reach its Fail state with the run's original error.
 */
export async function recordRunFailure(input: unknown, deps: RecordFailureDeps): Promise<RecordFailureResult> {
  const { store, layout, logger } = deps;
  const parsed = parseFailureState(input);
  const state: FailureState = { ...parsed, error: await runError(parsed, store, logger) };
  const { error } = state;
  const runId = state.run.run_id;
  if (state.malformedSections.length > 0) {
    logger?.warn('sections left out of the run record', { malformed_sections: state.malformedSections });
  }

  // A run that began committing is never FAILED with data published: it stays PROMOTING.
  const intent = layout.control.promotionIntent(runId);
  if ((await readPromotionIntent(store, layout, runId)) !== undefined) {
    logger?.warn('run failed during its promotion: left PROMOTING for roll-forward', { intent: intent.key, error: state.error.Error });
    return { ...error, status: 'PROMOTING', intent };
  }

  const now = deps.now?.() ?? new Date();
  const stored = await writeRunRecordIfAbsent(store, layout, failedRunRecord(state, now));
  logger?.info(stored.created ? 'run recorded as failed' : 'run record already written', {
    record: stored.ref.key,
    error: stored.record.status === 'FAILED' ? stored.record.error : undefined,
    failed_state: stored.record.status === 'FAILED' ? stored.record.failed_state : undefined,
  });

  // Only enrichment knows the content hash; loop prevention (which claims) runs after it. A run
  // that failed earlier has no claim to release.
  const sha = state.enrichment?.content_sha256;
  if (sha !== undefined) {
    try {
      const released = await releaseFileClaim(store, layout, sha, runId, { outcome: 'FAILED', reason: state.error.Error, at: now });
      logger?.info(released ? 'file claim released' : 'no file claim of this run to release', { content_sha256: sha });
    } catch (error) {
      // A retry may fix a transient failure (the record is already there, so retrying is cheap).
      // Anything else must not hide the run's own error: the claim then expires with its timeout.
      if (isRetryable(error)) throw error;
      logger?.error('file claim not released', { content_sha256: sha, error });
    }
  }
  // The run is over: its rows' scratch copies go (a PROMOTING run keeps them until its promotion completes).
  await tidyWorkArea(store, layout, runId, logger);
  return { ...error, status: 'FAILED', record: stored.ref };
}

/**
 * The run's error: `$.error` as caught, except when a Distributed Map failed because a child
 * did (`States.ExceedToleratedFailureThreshold`): then the first failed child's error from the
 * Map's result files, which names what went wrong (e.g. `CircuitBreakerOpenError`). When those
 * cannot be read (a retryable storage error is thrown, to be retried), the Map's error stands.
 */
async function runError(state: FailureState, store: ObjectStore, logger: CoreLogger | undefined): Promise<StepFunctionsError> {
  if (state.error.Error !== MAP_CHILD_FAILED) return state.error;
  const failed = failedStateOf(state);
  const prefix = failed === 'ProcessParts' ? state.enrichment?.part_results : failed === 'EnrichChunks' ? state.chunkResults : undefined;
  if (prefix === undefined) return state.error;
  try {
    const child = await firstFailedChild(store, prefix);
    if (child !== undefined) return { Error: child.Error, Cause: child.Cause };
    logger?.warn('no failed child in the map results', { map_state: failed, prefix: prefix.prefix });
  } catch (thrown) {
    if (isRetryable(thrown)) throw thrown;
    logger?.warn('map results unreadable: the map error is recorded', { map_state: failed, error: thrown });
  }
  return state.error;
}
