import type { RunCounts, RunMode } from '@ledgerlake/domain';
import { type GateCheck, type GateVerdict, STATE_CRITICAL_ERRORS } from '@ledgerlake/pipeline';

/** A rate as an exact fraction (`0.05` = 5/100): rates are compared in integers, never floats. */
export interface ExactRate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** The gate's thresholds (docs/contract/publishing.md, "Promotion gate"), from configuration. */
export interface GateThresholds {
  /** Promote only if quarantined / input rows is below this. */
  readonly maxQuarantineRate: ExactRate;
  /** Promote only if condemned rows are below this. */
  readonly maxCondemnedRows: number;
}

/** What the gate looks at: the run's mode, its counts and the critical errors its writer found. */
export interface GateInput {
  /** `retry`: known-bad rows re-submitted by a person; the rate and condemned limits do not apply. */
  readonly mode: RunMode;
  readonly counts: RunCounts;
  readonly critical_errors: readonly string[];
}

/**
 * Whether the run is judged by the quarantine-rate and condemned-count limits: fresh files
 * (`ingest`, `backfill`) are; a retry run is not. Those limits stop a systemically bad batch; a
 * retry re-submits rows already known to be bad, so a high rate is what it starts from, and
 * blocking it would strand the rows a person fixed. Critical errors block every run.
 */
export function judgedByRowLimits(mode: RunMode): boolean {
  return mode !== 'retry';
}



/** Defaults of docs/contract/publishing.md, "Promotion gate": quarantine rate below 5 %, fewer than 100 condemned rows. */
export const DEFAULT_GATE_THRESHOLDS: GateThresholds = {
  maxQuarantineRate: { numerator: 5n, denominator: 100n },
  maxCondemnedRows: 100,
};

/** Parses a rate written as a decimal between 0 and 1 (`"0.05"`) into an exact fraction. */
export function parseRate(text: string): ExactRate {
  const match = /^(0|1)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!match) throw new RangeError(`gate: rate ${JSON.stringify(text)} is not a decimal between 0 and 1`);
  const fraction = match[2] ?? '';
  const denominator = 10n ** BigInt(fraction.length);
  const numerator = BigInt(match[1] as string) * denominator + BigInt(fraction === '' ? '0' : fraction);
  if (numerator > denominator) throw new RangeError(`gate: rate ${JSON.stringify(text)} is above 1`);
  return { numerator, denominator };
}

/** A rate as a percentage with two decimals (rounded half up), for people. */
export function formatPercent(numerator: bigint, denominator: bigint): string {
  if (denominator === 0n) return '0.00 %';
  const hundredths = (numerator * 10_000n * 2n + denominator) / (denominator * 2n);
  return `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')} %`;
}

/**
 * The promotion gate (docs/contract/publishing.md, "Promotion gate"): a fresh file's run is promoted only if its quarantine rate
 * is below the limit, its condemned rows are below the limit and its writer found no critical error
 * (counts or amounts that do not reconcile); a retry run only needs no critical error
 * (`judgedByRowLimits`). A run with no input rows has a rate of 0.
 */
export function evaluateGate(input: GateInput, thresholds: GateThresholds): GateVerdict {
  const { counts } = input;
  const reasons: string[] = [];
  const input_rows = BigInt(counts.input_rows);
  const quarantined = BigInt(counts.quarantined_rows);
  const { numerator, denominator } = thresholds.maxQuarantineRate;
  const limited = judgedByRowLimits(input.mode);
  if (limited && input_rows > 0n && quarantined * denominator >= numerator * input_rows) {
    reasons.push(
      `quarantine rate ${formatPercent(quarantined, input_rows)} (${counts.quarantined_rows} of ${counts.input_rows} rows) ` +
        `is not below the limit of ${formatPercent(numerator, denominator)}`,
    );
  }
  if (limited && counts.condemned_rows >= thresholds.maxCondemnedRows) {
    reasons.push(`${counts.condemned_rows} condemned rows is not below the limit of ${thresholds.maxCondemnedRows}`);
  }
  // The reasons travel in the state (`$.gate`): the first critical errors, and how many more the run manifest lists.
  for (const error of input.critical_errors.slice(0, STATE_CRITICAL_ERRORS)) reasons.push(`critical error: ${error}`);
  const more = input.critical_errors.length - STATE_CRITICAL_ERRORS;
  if (more > 0) reasons.push(`and ${more} more critical error(s), listed in the run manifest`);
  const rateBelow = input_rows === 0n || quarantined * denominator < numerator * input_rows;
  const checks: GateCheck[] = [
    {
      check: 'quarantine rate',
      measured: `${formatPercent(quarantined, input_rows)} (${counts.quarantined_rows} of ${counts.input_rows} rows)`,
      limit: `below ${formatPercent(numerator, denominator)}`,
      passed: limited ? rateBelow : null,
    },
    { check: 'condemned rows', measured: String(counts.condemned_rows), limit: `below ${thresholds.maxCondemnedRows}`, passed: limited ? counts.condemned_rows < thresholds.maxCondemnedRows : null },
    { check: 'critical errors', measured: String(input.critical_errors.length), limit: 'none', passed: input.critical_errors.length === 0 },
  ];
  return { decision: reasons.length === 0 ? 'PROMOTE' : 'BLOCKED', reasons, checks };
}
