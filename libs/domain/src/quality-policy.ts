import defaults from './quality-policy-defaults.json';

/*
 * The quality policy: the promotion gate's limits (docs/contract/publishing.md, "Promotion gate")
 * and the circuit breaker's window and trip conditions (docs/contract/rules.md, "Circuit
 * breaker"), their one set of defaults, the parser of their settings and the comparisons that
 * apply them. Everything that gates, trips, configures or alarms on these limits takes them from
 * here: the promotion and validation functions' environments (libs/config), the local command,
 * the deploy checks and the data-quality alarms (infra/quality-alarms.js reads the same defaults,
 * quality-policy-defaults.json, at package time). The data file must not be named after this
 * module: Node's `require('./quality-policy')` (the CLI runs from source) tries `.json` before `.ts`.
 *
 * The two limits compare in opposite directions, as the contract words them, and the names say so:
 * - the gate promotes a run only BELOW its limits: a quarantine rate of exactly 5 % or exactly 100
 *   condemned rows blocks it;
 * - the breaker trips only ABOVE its limits: exactly 100 failed rows, or exactly 5 % of the rows
 *   processed, keeps it closed.
 *
 * Rates are exact fractions, written in settings as decimals (`0.05`), and every comparison of a
 * share with a rate is made in integers (bigint cross-multiplication), never in floats: 29 of 100
 * rows is exactly 29 %, not more.
 */

/** A rate as an exact fraction (`0.05` = 5/100). The denominator is positive; the rate lies in 0..1. */
export interface ExactRate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** The promotion gate's limits on a fresh file's run (a retry run is judged by neither). */
export interface GateLimits {
  /** Promote only if quarantined / input rows is BELOW this rate (default 5 %). */
  readonly promoteBelowQuarantineRate: ExactRate;
  /** Promote only if the run condemned FEWER rows than this (default 100). */
  readonly promoteBelowCondemnedRows: number;
}

/** The circuit breaker's window and trip conditions: it trips when one error code passes BOTH limits. */
export interface BreakerLimits {
  /** Length of the window, minutes (default 60). */
  readonly windowMinutes: number;
  /** Trips when one code failed MORE than this many rows in the window (default 100)… */
  readonly tripAboveFailedRows: number;
  /** …and MORE than this share of the rows processed in the window (default 5 %). */
  readonly tripAboveFailedRate: ExactRate;
}

/** The gate's and the breaker's limits together. */
export interface QualityPolicy {
  readonly gate: GateLimits;
  readonly breaker: BreakerLimits;
}

/** Most decimals a rate setting may have (`0.000000001`, one in a billion). */
export const RATE_MAX_DECIMALS = 9;
const RATE_TEXT = new RegExp(`^(0|1)(?:\\.(\\d{1,${RATE_MAX_DECIMALS}}))?$`);

/**
 * Parses a rate written as a decimal between 0 and 1 with at most 9 decimals (`"0.05"`, `"1"`,
 * `" 0.5 "`; not `"5%"`, `".05"`, `"1.5"`, `"5e-2"`) into an exact fraction (`0.05` → 5/100).
 */
export function parseRate(text: string): ExactRate {
  const match = RATE_TEXT.exec(text.trim());
  if (!match) {
    throw new RangeError(`rate ${JSON.stringify(text)} is not a decimal between 0 and 1 with at most ${RATE_MAX_DECIMALS} decimals, e.g. 0.05`);
  }
  const fraction = match[2] ?? '';
  const denominator = 10n ** BigInt(fraction.length);
  const numerator = BigInt(match[1] as string) * denominator + BigInt(fraction === '' ? '0' : fraction);
  if (numerator > denominator) throw new RangeError(`rate ${JSON.stringify(text)} is above 1`);
  return { numerator, denominator };
}

/** A count of rows: a non-negative integer, as a number (a safe integer) or a bigint. */
export type RowCount = number | bigint;

function rows(count: RowCount, what: string): bigint {
  if (typeof count === 'number' && !Number.isSafeInteger(count)) throw new RangeError(`${what} must be a whole number of rows, got ${count}`);
  const value = BigInt(count);
  if (value < 0n) throw new RangeError(`${what} must not be negative, got ${count}`);
  return value;
}

/**
 * Whether `part / whole` is MORE than `rate`, compared exactly (part × denominator > numerator ×
 * whole). A whole of 0 with a part above 0 is more than any rate; 0 of 0 is more than none.
 */
export function shareExceeds(part: RowCount, whole: RowCount, rate: ExactRate): boolean {
  return rows(part, 'part') * rate.denominator > rate.numerator * rows(whole, 'whole');
}

/** Whether `part / whole` is LESS than `rate`, compared exactly (part × denominator < numerator × whole). */
export function shareIsBelow(part: RowCount, whole: RowCount, rate: ExactRate): boolean {
  return rows(part, 'part') * rate.denominator < rate.numerator * rows(whole, 'whole');
}

/**
 * The gate's rate condition: passes when quarantined / input rows is below
 * `promoteBelowQuarantineRate`. A run with no input rows passes (it has no rate; the report shows 0 %).
 */
export function quarantineRatePasses(quarantined: RowCount, input: RowCount, gate: GateLimits): boolean {
  return rows(input, 'input rows') === 0n || shareIsBelow(quarantined, input, gate.promoteBelowQuarantineRate);
}

/** The gate's condemned condition: passes when the run condemned fewer rows than `promoteBelowCondemnedRows`. */
export function condemnedRowsPass(condemned: RowCount, gate: GateLimits): boolean {
  return rows(condemned, 'condemned rows') < BigInt(gate.promoteBelowCondemnedRows);
}

/**
 * Whether one code's failures over the window trip the breaker: MORE than `tripAboveFailedRows`
 * rows AND MORE than `tripAboveFailedRate` of the rows processed in the window.
 */
export function breakerTrips(failed: RowCount, processed: RowCount, breaker: BreakerLimits): boolean {
  return rows(failed, 'failed rows') > BigInt(breaker.tripAboveFailedRows) && shareExceeds(failed, processed, breaker.tripAboveFailedRate);
}

/** What is wrong with a rate (a denominator of 0 or less, a rate outside 0..1), or undefined. */
function rateProblem(rate: ExactRate): string | undefined {
  if (typeof rate?.numerator !== 'bigint' || typeof rate.denominator !== 'bigint') return 'must be an exact rate (bigint numerator and denominator)';
  if (rate.denominator <= 0n) return `must have a positive denominator, got ${rate.denominator}`;
  if (rate.numerator < 0n || rate.numerator > rate.denominator) return `must be within 0..1, got ${rate.numerator}/${rate.denominator}`;
  return undefined;
}

function countProblem(value: number, least: 0 | 1): string | undefined {
  return Number.isSafeInteger(value) && value >= least ? undefined : `must be an integer of ${least} or more, got ${value}`;
}

function checked<T extends object>(limits: T, problems: Record<string, string | undefined>, what: string): T {
  const found = Object.entries(problems).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (found.length > 0) throw new RangeError(`${what}: ${found.map(([name, problem]) => `${name} ${problem}`).join('; ')}`);
  return limits;
}

/** The gate's limits, checked (a rate in 0..1, a positive condemned count); throws `RangeError` naming each bad one. */
export function checkGateLimits(gate: GateLimits): GateLimits {
  return checked(gate, { promoteBelowQuarantineRate: rateProblem(gate.promoteBelowQuarantineRate), promoteBelowCondemnedRows: countProblem(gate.promoteBelowCondemnedRows, 1) }, 'gate limits');
}

/** The breaker's limits, checked (a positive window, a row count of 0 or more, a rate in 0..1); throws `RangeError` naming each bad one. */
export function checkBreakerLimits(breaker: BreakerLimits): BreakerLimits {
  return checked(
    breaker,
    {
      windowMinutes: countProblem(breaker.windowMinutes, 1),
      tripAboveFailedRows: countProblem(breaker.tripAboveFailedRows, 0),
      tripAboveFailedRate: rateProblem(breaker.tripAboveFailedRate),
    },
    'breaker limits',
  );
}

/**
 * The one set of defaults, the contract's (quality-policy-defaults.json): promote below 5 % quarantined and
 * below 100 condemned rows; trip above 100 failed rows and above 5 % of the rows processed in 60 minutes.
 */
export const DEFAULT_QUALITY_POLICY: QualityPolicy = {
  gate: checkGateLimits({
    promoteBelowQuarantineRate: parseRate(defaults.gate.promoteBelowQuarantineRate),
    promoteBelowCondemnedRows: defaults.gate.promoteBelowCondemnedRows,
  }),
  breaker: checkBreakerLimits({
    windowMinutes: defaults.breaker.windowMinutes,
    tripAboveFailedRows: defaults.breaker.tripAboveFailedRows,
    tripAboveFailedRate: parseRate(defaults.breaker.tripAboveFailedRate),
  }),
};
