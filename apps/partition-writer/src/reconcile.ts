import {
  reconciliationProblems,
  type AmountSums,
  type QuarantineByReason,
  type RowErrorCode,
  type RunCounts,
} from '@ledgerlake/domain';
import type { LoopPreventionResult, ValidationResult } from '@ledgerlake/contract';

/** What the partition writer routed, and what the earlier stages said. */
export interface ReconciliationInput {
  /** `input_rows` is what enrichment reported; the rest is what this function routed. */
  readonly counts: RunCounts;
  /** `input_minor` is what enrichment reported; the rest is what this function routed. */
  readonly amounts: AmountSums;
  readonly quarantineByReason: QuarantineByReason;
  readonly condemnedByReason: QuarantineByReason;
  readonly validation: ValidationResult;
  readonly loopPrevention: LoopPreventionResult;
}

/**
 * Every reason the run must not be published, as critical errors: counts or amount sums that do
 * not reconcile (docs/contract/rules.md, "Reconciliation"), and any disagreement between what validation and loop prevention
 * reported and where this function actually sent the rows.
 */
export function reconcile(input: ReconciliationInput): string[] {
  const { counts, amounts, validation, loopPrevention } = input;
  const problems = reconciliationProblems(counts, amounts).map((problem) => `reconciliation: ${problem}`);
  const compare = (what: string, reported: number, routed: number) => {
    if (reported !== routed) problems.push(`reconciliation: ${what} reported ${reported}, partition writer routed ${routed}`);
  };
  compare('validation valid_rows', validation.valid_rows, counts.valid_rows);
  compare('validation quarantined_rows', validation.quarantined_rows, counts.quarantined_rows);
  compare('loop_prevention condemned_rows', loopPrevention.condemned_rows, counts.condemned_rows);
  for (const [what, reported, routed] of [
    ['validation quarantine_by_reason', validation.quarantine_by_reason, input.quarantineByReason],
    ['loop_prevention condemned_by_reason', loopPrevention.condemned_by_reason, input.condemnedByReason],
  ] as const) {
    const difference = describeDifference(reported, routed);
    if (difference !== undefined) problems.push(`reconciliation: ${what} ${difference}`);
  }
  return problems;
}

function describeDifference(reported: QuarantineByReason, routed: QuarantineByReason): string | undefined {
  const codes = [...new Set([...Object.keys(reported), ...Object.keys(routed)])].sort() as RowErrorCode[];
  const differences = codes
    .filter((code) => (reported[code] ?? 0) !== (routed[code] ?? 0))
    .map((code) => `${code} reported ${reported[code] ?? 0}, routed ${routed[code] ?? 0}`);
  return differences.length === 0 ? undefined : differences.join(', ');
}
