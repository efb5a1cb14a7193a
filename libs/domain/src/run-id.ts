/**
 * Run ids (docs/contract/layout.md, "Run ids"): the UTC start time `YYYYMMDDTHHMMSSZ`, optionally followed by
 * `-<suffix>` (1-12 of `a-z0-9`) where two runs may start in the same second; backfills are
 * prefixed with `backfill-`. They sort by time as plain strings within each kind.
 */
import { z } from 'zod';

const RUN_ID_PATTERN = /^(?:backfill-)?(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-[a-z0-9]{1,12})?$/;
const SUFFIX_PATTERN = /^[a-z0-9]{1,12}$/;
const BACKFILL_PREFIX = 'backfill-';

/** Schema of a run id, ingest (`20240105T090000Z[-suffix]`) or backfill (`backfill-20240105T090000Z[-suffix]`). */
export const RunIdSchema = z
  .string()
  .regex(RUN_ID_PATTERN, 'expected YYYYMMDDTHHMMSSZ[-suffix] or backfill-YYYYMMDDTHHMMSSZ[-suffix]')
  .refine((runId) => parseRunIdTime(runId) !== undefined, 'expected a real UTC date and time');

/** A run id. */
export type RunId = z.infer<typeof RunIdSchema>;

/** Formats the run id of an ingest run started at `at` (milliseconds are dropped). */
export function formatRunId(at: Date, suffix?: string): string {
  const time = at.getTime();
  if (Number.isNaN(time)) throw new RangeError('run-id: invalid Date');
  const year = at.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`run-id: year ${year} is outside 0000-9999`);
  if (suffix !== undefined && !SUFFIX_PATTERN.test(suffix)) {
    throw new RangeError(`run-id: suffix ${JSON.stringify(suffix)} must match [a-z0-9]{1,12}`);
  }
  const stamp =
    String(year).padStart(4, '0') +
    pad2(at.getUTCMonth() + 1) +
    pad2(at.getUTCDate()) +
    'T' +
    pad2(at.getUTCHours()) +
    pad2(at.getUTCMinutes()) +
    pad2(at.getUTCSeconds()) +
    'Z';
  return suffix === undefined ? stamp : `${stamp}-${suffix}`;
}

/** Formats the run id of a backfill run started at `at`: `backfill-YYYYMMDDTHHMMSSZ[-suffix]`. */
export function backfillRunId(at: Date, suffix?: string): string {
  return BACKFILL_PREFIX + formatRunId(at, suffix);
}

/** Whether a run id is a backfill's. */
export function isBackfillRunId(runId: string): boolean {
  return runId.startsWith(BACKFILL_PREFIX);
}

/** The UTC start time encoded in a run id; throws a RangeError when `runId` is not one. */
export function runIdTime(runId: string): Date {
  const time = parseRunIdTime(runId);
  if (time === undefined) throw new RangeError(`run-id: ${JSON.stringify(runId)} is not a run id`);
  return time;
}

function parseRunIdTime(runId: string): Date | undefined {
  const match = RUN_ID_PATTERN.exec(runId);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute, second, 0);
  const roundTrips =
    at.getUTCMonth() === month - 1 &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute &&
    at.getUTCSeconds() === second;
  return roundTrips ? at : undefined;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : `${value}`;
}
