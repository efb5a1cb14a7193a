import {
  reconciliationProblems,
  type AmountSums,
  type QuarantineByReason,
  type RowErrorCode,
  type RunCounts,
} from '@ledgerlake/domain';
import type { LoopPreventionResult, PartValidation, ValidationResult } from '@ledgerlake/pipeline';

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
 * not reconcile (PRODUCT.md §3), and any disagreement between what validation and loop prevention
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

/**
 * Where validation's report of one work part and the rows the partition writer routed in it
 * differ, as critical errors (the per-part form of the comparison `reconcile` makes for the run).
 */
export function reconcilePart(reported: PartValidation, routed: ValidationResult): string[] {
  const problems: string[] = [];
  const what = `reconciliation: validation of work part ${reported.part}`;
  const compare = (field: string, a: number, b: number) => {
    if (a !== b) problems.push(`${what} reported ${field} ${a}, partition writer routed ${b}`);
  };
  compare('valid_rows', reported.valid_rows, routed.valid_rows);
  compare('quarantined_rows', reported.quarantined_rows, routed.quarantined_rows);
  const difference = describeDifference(reported.quarantine_by_reason, routed.quarantine_by_reason);
  if (difference !== undefined) problems.push(`${what} quarantine_by_reason ${difference}`);
  return problems;
}

function describeDifference(reported: QuarantineByReason, routed: QuarantineByReason): string | undefined {
  const codes = [...new Set([...Object.keys(reported), ...Object.keys(routed)])].sort() as RowErrorCode[];
  const differences = codes
    .filter((code) => (reported[code] ?? 0) !== (routed[code] ?? 0))
    .map((code) => `${code} reported ${reported[code] ?? 0}, routed ${routed[code] ?? 0}`);
  return differences.length === 0 ? undefined : differences.join(', ');
}
