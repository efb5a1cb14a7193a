/**
 * The plausibility window of `TransactionTimestamp`: a row dated before the business's history or
 * after the run started is a broken value (a default such as 0001-01-01 or 1900-01-01, a swapped
 * day and year, a typo), never a transaction — and publishing it would make every month between
 * it and the real data part of the lake.
 *
 * The window is `[min, run start + maxFutureDays days]`, both ends inclusive, in UTC:
 * - `min` is a date (`YYYY-MM-DD`, its midnight UTC); default 1970-01-01, the Unix epoch, before
 *   any electronic record of the business and after the usual placeholder dates;
 * - the upper end counts from the run's start (`RunContext.started_at`, the execution's start time),
 *   never from a stage's own clock: validation and the partition writer's re-check then draw the
 *   same line, however long the run takes. Default 1 day: room for a source system's clock and for
 *   a file stamped in a time zone ahead of UTC, nothing like a post-dated payment.
 */
import { formatTimestampMicros, parseTimestamp } from './timestamp';

/** The default `TX_DATE_MIN`. */
export const DEFAULT_TX_DATE_MIN = '1970-01-01';

/** The default `TX_DATE_MAX_FUTURE_DAYS`. */
export const DEFAULT_TX_DATE_MAX_FUTURE_DAYS = 1;

/** The window of one run, in microseconds since the epoch (UTC), compiled once by `txDateWindow`. */
export interface TxDateWindow {
  readonly minMicros: bigint;
  readonly maxMicros: bigint;
  /** The detail of a row outside it, e.g. `is outside the plausibility window 1970-01-01T00:00:00Z to …`. */
  readonly problem: string;
}

const MICROS_PER_DAY = 86_400_000_000n;
/** 9999-12-31T23:59:59.999999Z, the last instant a timestamp can name. */
const LAST_MICROS = 253_402_300_799_999_999n;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Why `text` cannot be the window's first day, or `undefined` when it can: a real `YYYY-MM-DD` date. */
export function txDateMinProblem(text: string): string | undefined {
  if (!DATE.test(text)) return 'expected a date YYYY-MM-DD';
  const parsed = parseTimestamp(`${text}T00:00:00Z`);
  return parsed.ok ? undefined : `expected a real date YYYY-MM-DD (${text} ${parsed.problem})`;
}

/**
 * The window of a run started at `runStartedAt` (an ISO-8601 instant, `RunContext.started_at`);
 * throws a RangeError on a bad `min`, a negative day count or an unreadable start.
 */
export function txDateWindow(min: string, maxFutureDays: number, runStartedAt: string): TxDateWindow {
  const minProblem = txDateMinProblem(min);
  if (minProblem !== undefined) throw new RangeError(`tx date window: first day ${JSON.stringify(min)}: ${minProblem}`);
  if (!Number.isSafeInteger(maxFutureDays) || maxFutureDays < 0) {
    throw new RangeError(`tx date window: ${maxFutureDays} future days is not a whole number of days >= 0`);
  }
  const startMs = Date.parse(runStartedAt);
  if (Number.isNaN(startMs)) throw new RangeError(`tx date window: run start ${JSON.stringify(runStartedAt)} is not an instant`);
  const minMicros = (parseTimestamp(`${min}T00:00:00Z`) as { epochMicros: bigint }).epochMicros;
  const upper = BigInt(startMs) * 1000n + BigInt(maxFutureDays) * MICROS_PER_DAY;
  const maxMicros = upper < LAST_MICROS ? upper : LAST_MICROS;
  const after = maxFutureDays === 0 ? 'not after the run started' : `at most ${maxFutureDays} ${maxFutureDays === 1 ? 'day' : 'days'} after the run started`;
  return {
    minMicros,
    maxMicros,
    problem: `is outside the plausibility window ${formatInstant(minMicros)} to ${formatInstant(maxMicros)} (not before ${min}, ${after})`,
  };
}

/** Whether an instant (microseconds since the epoch) lies in the window. */
export function inTxDateWindow(micros: bigint, window: TxDateWindow): boolean {
  return micros >= window.minMicros && micros <= window.maxMicros;
}

/** `2024-01-05T09:00:00Z`, `2024-01-05T09:00:00.123Z`: the fraction only when there is one. */
function formatInstant(micros: bigint): string {
  return formatTimestampMicros(micros).replace(/\.?0*Z$/, 'Z');
}
