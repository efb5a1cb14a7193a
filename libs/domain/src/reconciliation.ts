/**
 * The reconciliation rule of docs/contract/rules.md, "Reconciliation": every input row ends in exactly one of Silver,
 * Quarantine or Condemned, so counts and amount sums must add up. A mismatch is a critical error.
 */
import type { AmountSums, RunCounts } from './run-context';

/** Describes every way `counts` (and `amounts`, when given) fail to reconcile; empty when they do. */
export function reconciliationProblems(counts: RunCounts, amounts?: AmountSums): string[] {
  const problems: string[] = [];
  const rows = counts.valid_rows + counts.quarantined_rows + counts.condemned_rows;
  if (rows !== counts.input_rows) {
    problems.push(
      `input_rows ${counts.input_rows} != valid_rows ${counts.valid_rows} + quarantined_rows ` +
        `${counts.quarantined_rows} + condemned_rows ${counts.condemned_rows} (= ${rows})`,
    );
  }
  if (amounts !== undefined) {
    const sum = BigInt(amounts.valid_minor) + BigInt(amounts.quarantined_minor) + BigInt(amounts.condemned_minor);
    if (sum !== BigInt(amounts.input_minor)) {
      problems.push(
        `input_minor ${amounts.input_minor} != valid_minor ${amounts.valid_minor} + quarantined_minor ` +
          `${amounts.quarantined_minor} + condemned_minor ${amounts.condemned_minor} (= ${sum})`,
      );
    }
  }
  return problems;
}
