/**
 * Transaction timestamps: a strict, hand-written ISO-8601 profile (RFC 3339 plus a few relaxations
 * the contract asks for), parsed without `Date` (whose parser is lenient and slow).
 *
 * Accepted (after the caller trimmed the text):
 * - date `YYYY-MM-DD` (year 0001-9999), a separator `T`, `t` or one space, and time `HH:MM:SS`;
 * - an optional fraction `.` + 1 to 6 digits (7 or more: beyond microsecond precision, rejected);
 * - an optional zone: `Z`/`z`, `±HH:MM`, `±HHMM` or `±HH`, at most 18:00 away from UTC; no zone = UTC.
 *
 * Rejected: a date alone ("expected a date and time"), a time without seconds (`09:00`: the
 * contract's formats all carry seconds, and a missing field usually means a truncated export),
 * impossible dates (2023-02-29, 2024-04-31), hour 24, minute 60, second 60 (no leap seconds),
 * a `,` fraction, ISO basic/week/ordinal forms, and anything else.
 *
 * `year`, `month` and `utcDay` belong to the UTC instant: an offset can move a row into another
 * day, month or year (2024-02-01T00:30:00+01:00 is 2024-01-31 in UTC).
 */

/** A parsed timestamp: the UTC instant in microseconds and its UTC calendar day, year and month. */
export interface ParsedTimestamp {
  ok: true;
  /** Microseconds since 1970-01-01T00:00:00Z. */
  epochMicros: bigint;
  /** UTC calendar day, `YYYY-MM-DD`. */
  utcDay: string;
  /** UTC year, 1-9999. */
  year: number;
  /** UTC month, 1-12. */
  month: number;
}

/** Result of `parseTimestamp`: the instant, or a short phrase saying what is wrong. */
export type TimestampParseResult = ParsedTimestamp | { ok: false; problem: string };

const ZERO = 48;
const NINE = 57;
const DASH = 45;
const PLUS = 43;
const COLON = 58;
const DOT = 46;
const SPACE = 32;
const UPPER_T = 84;
const LOWER_T = 116;
const UPPER_Z = 90;
const LOWER_Z = 122;
const MAX_OFFSET_MINUTES = 18 * 60;
const MICROS_PER_SECOND = 1_000_000n;
/** Below this many seconds from the epoch (about year 2255), seconds * 1e6 stays below 2^53. */
const SAFE_SECONDS = 9_000_000_000;
const FRACTION_SCALE = [1, 100_000, 10_000, 1_000, 100, 10, 1];
const FORMAT =
  'is not an ISO-8601 date-time; expected YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM] or YYYY-MM-DD HH:MM:SS';

/** Parses a trimmed transaction timestamp; see the module comment for the accepted forms. */
export function parseTimestamp(text: string): TimestampParseResult {
  const length = text.length;
  if (length === 0) return fail('is empty');
  const year = digits4(text, 0);
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  if (year < 0 || month < 0 || day < 0 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) {
    return fail(FORMAT);
  }
  if (length === 10) return fail('has a date but no time; expected a date and time such as 2024-01-05T09:00:00Z');
  const separator = text.charCodeAt(10);
  if (separator !== UPPER_T && separator !== LOWER_T && separator !== SPACE) return fail(FORMAT);
  const hour = digits2(text, 11);
  const minute = digits2(text, 14);
  if (hour < 0 || minute < 0 || text.charCodeAt(13) !== COLON) return fail(FORMAT);
  if (text.charCodeAt(16) !== COLON) {
    return fail(length === 16 || isZoneStart(text.charCodeAt(16)) ? 'has no seconds; expected HH:MM:SS' : FORMAT);
  }
  const second = digits2(text, 17);
  if (second < 0) return fail(FORMAT);

  let i = 19;
  let micros = 0;
  if (text.charCodeAt(i) === DOT) {
    const start = ++i;
    let fraction = 0;
    while (i < length && isDigit(text.charCodeAt(i))) fraction = fraction * 10 + (text.charCodeAt(i++) - ZERO);
    const fractionDigits = i - start;
    if (fractionDigits === 0) return fail(FORMAT);
    if (fractionDigits > 6) {
      return fail(`has ${fractionDigits} fraction digits; at most 6 (microseconds) allowed`);
    }
    micros = fraction * (FRACTION_SCALE[fractionDigits] as number);
  }

  /** Minutes to add to the local time to get UTC: the negated offset. */
  let toUtcMinutes = 0;
  if (i < length) {
    const zone = text.charCodeAt(i);
    if ((zone === UPPER_Z || zone === LOWER_Z) && i + 1 === length) {
      // UTC
    } else if (zone === PLUS || zone === DASH) {
      const offsetHours = digits2(text, i + 1);
      let offsetMins = 0;
      const rest = length - (i + 3);
      if (rest === 3 && text.charCodeAt(i + 3) === COLON) offsetMins = digits2(text, i + 4);
      else if (rest === 2) offsetMins = digits2(text, i + 3);
      else if (rest !== 0) return fail(FORMAT);
      if (offsetHours < 0 || offsetMins < 0) return fail(FORMAT);
      if (offsetMins > 59) return fail(`has offset minutes ${pad2(offsetMins)}; expected 00-59`);
      const offset = offsetHours * 60 + offsetMins;
      if (offset > MAX_OFFSET_MINUTES) return fail(`has offset ${text.slice(i)}; at most ±18:00 allowed`);
      toUtcMinutes = zone === PLUS ? -offset : offset;
    } else {
      return fail(FORMAT);
    }
  }

  if (year === 0) return fail('has year 0000; expected 0001-9999');
  if (month < 1 || month > 12) return fail(`has month ${pad2(month)}; expected 01-12`);
  const monthDays = daysInMonth(year, month);
  if (day < 1 || day > monthDays) {
    return fail(
      day < 1
        ? 'has day 00; expected 01-31'
        : `has day ${pad2(day)} but ${pad4(year)}-${pad2(month)} has ${monthDays} days`,
    );
  }
  if (hour > 23) return fail(`has hour ${pad2(hour)}; expected 00-23`);
  if (minute > 59) return fail(`has minute ${pad2(minute)}; expected 00-59`);
  if (second > 59) return fail(`has second ${pad2(second)}; expected 00-59 (leap seconds are not supported)`);

  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + (minute + toUtcMinutes) * 60 + second;
  const epochMicros =
    seconds < SAFE_SECONDS && seconds > -SAFE_SECONDS
      ? BigInt(seconds * 1_000_000 + micros)
      : BigInt(seconds) * MICROS_PER_SECOND + BigInt(micros);
  if (toUtcMinutes === 0) {
    return { ok: true, epochMicros, utcDay: text.slice(0, 10), year, month };
  }
  const utc = civilFromDays(Math.floor(seconds / 86_400));
  if (utc.year < 1 || utc.year > 9999) return fail('falls outside 0001-01-01..9999-12-31 once converted to UTC');
  return { ok: true, epochMicros, utcDay: formatDay(utc.year, utc.month, utc.day), year: utc.year, month: utc.month };
}

/** Formats microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (years 0001-9999). */
export function formatTimestampMicros(micros: bigint): string {
  let seconds = micros / MICROS_PER_SECOND;
  let fraction = micros % MICROS_PER_SECOND;
  if (fraction < 0n) {
    fraction += MICROS_PER_SECOND;
    seconds -= 1n;
  }
  const total = Number(seconds);
  const days = Math.floor(total / 86_400);
  const secondOfDay = total - days * 86_400;
  const { year, month, day } = civilFromDays(days);
  if (year < 1 || year > 9999) {
    throw new RangeError(`timestamp: ${micros} microseconds is outside 0001-01-01..9999-12-31`);
  }
  const hh = pad2(Math.floor(secondOfDay / 3600));
  const mm = pad2(Math.floor((secondOfDay % 3600) / 60));
  const ss = pad2(secondOfDay % 60);
  return `${formatDay(year, month, day)}T${hh}:${mm}:${ss}.${fraction.toString().padStart(6, '0')}Z`;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function fail(problem: string): { ok: false; problem: string } {
  return { ok: false, problem };
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

function isZoneStart(code: number): boolean {
  return code === UPPER_Z || code === LOWER_Z || code === PLUS || code === DASH;
}

/** Two ASCII digits at `at` as a number, or -1. Out-of-range `at` reads NaN and yields -1. */
function digits2(text: string, at: number): number {
  const a = text.charCodeAt(at) - ZERO;
  const b = text.charCodeAt(at + 1) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function digits4(text: string, at: number): number {
  const high = digits2(text, at);
  const low = digits2(text, at + 2);
  return high < 0 || low < 0 ? -1 : high * 100 + low;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : `${value}`;
}

function pad4(value: number): string {
  return `${value}`.padStart(4, '0');
}

function formatDay(year: number, month: number, day: number): string {
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}
