import {
  type BreakerLimits,
  breakerTrips,
  checkBreakerLimits,
  CircuitBreakerOpenError,
  DEFAULT_QUALITY_POLICY,
  type QuarantineByReason,
  QuarantineByReasonSchema,
  type RowErrorCode,
  RowErrorCodeSchema,
} from '@ledgerlake/domain';
import {
  type LakeLayout,
  listAll,
  type ObjectStore,
  JSON_PUT_OPTIONS,
  jsonBody,
  parseJson,
  readVersionedJson,
  updateJson,
} from '@ledgerlake/storage';
import { z } from 'zod';

/*
 * The circuit breaker (docs/contract/rules.md, "Circuit breaker"). Each run records its row failures per error code in the
 * window (`control/breaker-window/<run_id>.json`). The breaker trips when, over the window (this
 * run plus the runs before it, no further back than the last reset), ONE code has failed MORE
 * than `tripAboveFailedRows` rows AND MORE than `tripAboveFailedRate` of the rows processed (the
 * domain's quality policy: `BreakerLimits`, `breakerTrips`, exact integer comparisons). Tripping latches
 * it open in `control/circuit-breaker.json`; every later run refuses to start
 * (`assertBreakerClosed`) until a person resets it (`resetBreaker`, who/when/why recorded). A
 * reset also restarts the window: the failures that tripped it are not counted again.
 */

/** One reset of the breaker by a person. */
export const BreakerResetSchema = z.object({
  by: z.string().min(1),
  at: z.iso.datetime(),
  reason: z.string().min(1),
});
/** One reset of the breaker by a person. */
export type BreakerReset = z.infer<typeof BreakerResetSchema>;

/** `control/circuit-breaker.json`. The `opened_*`, `code` and counts describe the latest trip. */
export const BreakerStateSchema = z.object({
  state: z.enum(['closed', 'open']),
  opened_at: z.iso.datetime().nullable(),
  opened_by_run: z.string().nullable(),
  code: RowErrorCodeSchema.nullable(),
  /** Rows that failed with `code` in the window when it tripped. */
  failed: z.number().int().nonnegative().nullable(),
  /** Rows processed in the window when it tripped. */
  processed: z.number().int().nonnegative().nullable(),
  window_minutes: z.number().int().positive().nullable(),
  /** Every reset, oldest first. */
  reset: z.array(BreakerResetSchema),
});
/** `control/circuit-breaker.json`. */
export type BreakerState = z.infer<typeof BreakerStateSchema>;

/** `control/breaker-window/<run_id>.json`: one run's contribution to the window. */
export const BreakerWindowEntrySchema = z.object({
  run_id: z.string().min(1),
  at: z.iso.datetime(),
  processed: z.number().int().nonnegative(),
  failed_by_code: QuarantineByReasonSchema,
});
/** One run's contribution to the breaker window. */
export type BreakerWindowEntry = z.infer<typeof BreakerWindowEntrySchema>;

/** What `recordAndEvaluateBreaker` is told about the run. */
export interface BreakerRunStats {
  readonly runId: string;
  /** When the run's failures are counted (now). */
  readonly at: Date;
  /** Rows the run processed (its input rows). */
  readonly processed: number;
  /** Rows the run failed, per code (validation and condemn codes alike). */
  readonly failedByCode: QuarantineByReason;
  /** The window and trip conditions; unset ones are the quality policy's defaults. */
  readonly limits?: Partial<BreakerLimits>;
}

/** Window totals. */
interface WindowTotals {
  /** Rows processed in the window, this run included. */
  readonly processed: number;
  /** Rows failed per code in the window, this run included. */
  readonly failedByCode: QuarantineByReason;
  /** Runs counted, this run included. */
  readonly runs: number;
  /** Where the window started: `at` minus the window, or the last reset when later. */
  readonly windowStart: string;
}

/** The breaker's verdict: closed (the run may go on), or open (the run must fail). */
export type BreakerVerdict =
  | ({ readonly open: false } & WindowTotals)
  | ({
      readonly open: true;
      /** The code that tripped it (for a breaker already open: the code recorded when it tripped). */
      readonly code: RowErrorCode;
      /** Rows failed with `code` in the window. */
      readonly failed: number;
      /** True when this evaluation found it already open (tripped earlier, not reset). */
      readonly alreadyOpen: boolean;
    } & WindowTotals);

/** Who resets the breaker, and why. */
export interface BreakerResetRequest {
  readonly by: string;
  readonly reason: string;
  readonly at?: Date;
}

const CLOSED: BreakerState = {
  state: 'closed',
  opened_at: null,
  opened_by_run: null,
  code: null,
  failed: null,
  processed: null,
  window_minutes: null,
  reset: [],
};
const BREAKER_STATE = 'breaker state';
const MINUTE_MS = 60_000;
/** Window entries last modified this long before the window are not even read. */
const LIST_SKIP_SLACK_MS = 24 * 60 * MINUTE_MS;

/** The limits of a run: the given ones over the policy's defaults, checked. */
function resolveLimits(limits: Partial<BreakerLimits> | undefined): BreakerLimits {
  return checkBreakerLimits({ ...DEFAULT_QUALITY_POLICY.breaker, ...limits });
}

/** Reads the breaker state; a breaker never written is closed. */
export async function readBreakerState(store: ObjectStore, layout: LakeLayout): Promise<BreakerState> {
  const current = await readVersionedJson(store, layout.control.circuitBreaker(), BreakerStateSchema, BREAKER_STATE);
  return current?.value ?? CLOSED;
}

/** Throws `CircuitBreakerOpenError` when the breaker is open: runs refuse to start until a person resets it. */
export async function assertBreakerClosed(store: ObjectStore, layout: LakeLayout): Promise<void> {
  const state = await readBreakerState(store, layout);
  if (state.state === 'open') throw openError(state);
}

function openError(state: BreakerState): CircuitBreakerOpenError {
  return new CircuitBreakerOpenError(
    state.code ?? 'SCHEMA_ERROR',
    state.failed ?? 0,
    state.processed ?? 0,
    state.window_minutes ?? DEFAULT_QUALITY_POLICY.breaker.windowMinutes,
  );
}

/**
 * Records this run's failures in the window, sums the window (this run and the runs before it
 * in the last `windowMinutes`, none before the last reset), and trips the breaker when one code
 * is above both limits (`breakerTrips`): the open state is written with a conditional write (so concurrent
 * runs and resets never overwrite each other) and the verdict says `open`. A breaker already
 * open stays open and the verdict says so. Calling it again for the same run replaces that
 * run's entry (a Step Functions retry does not count a run twice).
 */
export async function recordAndEvaluateBreaker(
  store: ObjectStore,
  layout: LakeLayout,
  stats: BreakerRunStats,
): Promise<BreakerVerdict> {
  const limits = resolveLimits(stats.limits);
  const at = stats.at.toISOString();
  const own: BreakerWindowEntry = {
    run_id: stats.runId,
    at,
    processed: stats.processed,
    failed_by_code: QuarantineByReasonSchema.parse(stats.failedByCode),
  };
  const ownRef = layout.control.breakerWindow(stats.runId);
  await store.put(ownRef, jsonBody(own), JSON_PUT_OPTIONS);

  const state = await readBreakerState(store, layout);
  const lastReset = state.reset.at(-1)?.at;
  const windowFrom = stats.at.getTime() - limits.windowMinutes * MINUTE_MS;
  const windowStart = lastReset !== undefined && Date.parse(lastReset) > windowFrom ? lastReset : new Date(windowFrom).toISOString();
  const totals = await sumWindow(store, layout, own, ownRef.key, windowStart);

  if (state.state === 'open') {
    return { open: true, code: state.code ?? 'SCHEMA_ERROR', failed: state.failed ?? 0, alreadyOpen: true, ...totals };
  }
  let tripped: { code: RowErrorCode; failed: number } | undefined;
  for (const [code, failed] of Object.entries(totals.failedByCode) as [RowErrorCode, number][]) {
    if (breakerTrips(failed, totals.processed, limits) && (tripped === undefined || failed > tripped.failed)) {
      tripped = { code, failed };
    }
  }
  if (tripped === undefined) return { open: false, ...totals };

  const opened = await openBreaker(store, layout, {
    state: 'open',
    opened_at: at,
    opened_by_run: stats.runId,
    code: tripped.code,
    failed: tripped.failed,
    processed: totals.processed,
    window_minutes: limits.windowMinutes,
  });
  return opened.opened_by_run === stats.runId && opened.opened_at === at
    ? { open: true, code: tripped.code, failed: tripped.failed, alreadyOpen: false, ...totals }
    : { open: true, code: opened.code ?? tripped.code, failed: opened.failed ?? tripped.failed, alreadyOpen: true, ...totals };
}

async function sumWindow(
  store: ObjectStore,
  layout: LakeLayout,
  own: BreakerWindowEntry,
  ownKey: string,
  windowStart: string,
): Promise<WindowTotals> {
  const from = Date.parse(windowStart);
  const until = Date.parse(own.at);
  const failedByCode: Partial<Record<RowErrorCode, number>> = {};
  let processed = 0;
  let runs = 0;
  const add = (entry: BreakerWindowEntry): void => {
    processed += entry.processed;
    runs++;
    for (const [code, n] of Object.entries(entry.failed_by_code) as [RowErrorCode, number][]) {
      failedByCode[code] = (failedByCode[code] ?? 0) + n;
    }
  };
  add(own);
  const { bucket, prefix } = layout.control.breakerWindowPrefix();
  for await (const meta of listAll(store, bucket, prefix)) {
    if (meta.key === ownKey) continue;
    // An entry is written just after its `at`, so one last modified well before the window began
    // is older still: skip reading it (the slack absorbs clock skew between caller and store).
    if (meta.lastModified.getTime() < from - LIST_SKIP_SLACK_MS) continue;
    const bytes = await store.getBytes({ bucket, key: meta.key });
    if (bytes === undefined) continue;
    const entry = parseJson(bytes, { bucket, key: meta.key }, BreakerWindowEntrySchema, 'breaker window entry');
    const time = Date.parse(entry.at);
    // Runs after this one (a concurrent later run) are theirs to count, not ours.
    if (time >= from && time <= until) add(entry);
  }
  return { processed, failedByCode, runs, windowStart };
}

/** Writes the open state unless the breaker is open already; returns the state that holds. */
async function openBreaker(
  store: ObjectStore,
  layout: LakeLayout,
  trip: Omit<BreakerState, 'reset'>,
): Promise<BreakerState> {
  return updateJson(store, layout.control.circuitBreaker(), BreakerStateSchema, BREAKER_STATE, (current) => {
    if (current?.state === 'open') return { result: current };
    const next: BreakerState = { ...trip, reset: current?.reset ?? [] };
    return { write: next, result: next };
  });
}

/**
 * Resets the breaker: closes it and records who, when and why (a reset of a closed breaker is
 * recorded too, and restarts the window). Refuses an empty `by` or `reason`. Returns the new state.
 */
export async function resetBreaker(
  store: ObjectStore,
  layout: LakeLayout,
  request: BreakerResetRequest,
): Promise<BreakerState> {
  const by = request.by.trim();
  const reason = request.reason.trim();
  if (by === '' || reason === '') {
    throw new RangeError('circuit-breaker: a reset needs who resets it (by) and why (reason); both must be non-empty');
  }
  const reset: BreakerReset = { by, reason, at: (request.at ?? new Date()).toISOString() };
  return updateJson(store, layout.control.circuitBreaker(), BreakerStateSchema, BREAKER_STATE, (current = CLOSED) => {
    const next: BreakerState = { ...current, state: 'closed', reset: [...current.reset, reset] };
    return { write: next, result: next };
  });
}
