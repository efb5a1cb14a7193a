import { condemnedRowsPass, type GateLimits, quarantineRatePasses, type RunCounts, type RunMode } from '@ledgerlake/domain';
import { type GateCheck, type GateVerdict, STATE_CRITICAL_ERRORS } from '@ledgerlake/contract';

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



/** A rate as a percentage with two decimals (rounded half up), for people. */
export function formatPercent(numerator: bigint, denominator: bigint): string {
  if (denominator === 0n) return '0.00 %';
  const hundredths = (numerator * 10_000n * 2n + denominator) / (denominator * 2n);
  return `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')} %`;
}

/**
 * The promotion gate (docs/contract/publishing.md, "Promotion gate"): a fresh file's run is promoted only if its quarantine rate
 * is below the limit, its condemned rows are below the limit (the domain's quality policy: `quarantineRatePasses`,
 * `condemnedRowsPass`) and its writer found no critical error (counts or amounts that do not reconcile); a retry run only
 * needs no critical error (`judgedByRowLimits`). A run with no input rows has a rate of 0 and passes the rate.
 */
export function evaluateGate(input: GateInput, limits: GateLimits): GateVerdict {
  const { counts } = input;
  const reasons: string[] = [];
  const input_rows = BigInt(counts.input_rows);
  const quarantined = BigInt(counts.quarantined_rows);
  const { numerator, denominator } = limits.promoteBelowQuarantineRate;
  const condemnedLimit = limits.promoteBelowCondemnedRows;
  const limited = judgedByRowLimits(input.mode);
  const rateBelow = quarantineRatePasses(quarantined, input_rows, limits);
  const condemnedBelow = condemnedRowsPass(counts.condemned_rows, limits);
  if (limited && !rateBelow) {
    reasons.push(
      `quarantine rate ${formatPercent(quarantined, input_rows)} (${counts.quarantined_rows} of ${counts.input_rows} rows) ` +
        `is not below the limit of ${formatPercent(numerator, denominator)}`,
    );
  }
  if (limited && !condemnedBelow) {
    reasons.push(`${counts.condemned_rows} condemned rows is not below the limit of ${condemnedLimit}`);
  }
  // The reasons travel in the state (`$.gate`): the first critical errors, and how many more the run manifest lists.
  for (const error of input.critical_errors.slice(0, STATE_CRITICAL_ERRORS)) reasons.push(`critical error: ${error}`);
  const more = input.critical_errors.length - STATE_CRITICAL_ERRORS;
  if (more > 0) reasons.push(`and ${more} more critical error(s), listed in the run manifest`);
  const checks: GateCheck[] = [
    {
      check: 'quarantine rate',
      measured: `${formatPercent(quarantined, input_rows)} (${counts.quarantined_rows} of ${counts.input_rows} rows)`,
      limit: `below ${formatPercent(numerator, denominator)}`,
      passed: limited ? rateBelow : null,
    },
    { check: 'condemned rows', measured: String(counts.condemned_rows), limit: `below ${condemnedLimit}`, passed: limited ? condemnedBelow : null },
    { check: 'critical errors', measured: String(input.critical_errors.length), limit: 'none', passed: input.critical_errors.length === 0 },
  ];
  return { decision: reasons.length === 0 ? 'PROMOTE' : 'BLOCKED', reasons, checks };
}
