import { CircuitBreakerOpenError, LakeStateError, type QuarantineByReason, type RowErrorCode } from '@ledgerlake/domain';
import { type PartWritten, type ValidationResult, type TaskEvent } from '@ledgerlake/contract';
import { recordAndEvaluateBreaker } from '@ledgerlake/ledgers';
import { readMapResults } from '@ledgerlake/work-area';
import type { ValidationDeps } from './settings';

/**
 * `CheckBreaker`: once every part is written (their summaries read from the ProcessParts Map's
 * result files), records the run's failures in the circuit breaker
 * window and evaluates it (`evaluateRunBreaker`): `processed` = the rows of all parts,
 * `failedByCode` = their quarantined and condemned rows per code. Throws `CircuitBreakerOpenError` when it trips; nothing is published then. Returns the
 * run's `$.validation` section, summed over the parts.
 */
export async function checkBreaker(event: TaskEvent<'CheckBreaker'>, deps: ValidationDeps): Promise<ValidationResult> {
  const parts = await readMapResults(deps.store, event.parts, 'ProcessParts');
  const seen = new Set<number>();
  for (const { part } of parts) {
    if (seen.has(part)) throw new LakeStateError(`validation: work part ${part} appears twice in run ${event.run.run_id}'s parts`);
    seen.add(part);
  }
  if (seen.size !== event.enrichment.part_count) {
    throw new LakeStateError(`validation: run ${event.run.run_id} has ${event.enrichment.part_count} enriched parts, but ${seen.size} were written`);
  }
  const quarantineByReason = sumByCode(parts.map((p) => p.quarantine_by_reason));
  const condemnedByReason = sumByCode(parts.map((p) => p.condemned_by_reason));
  const total = (pick: (counts: PartWritten['counts']) => number) => parts.reduce((sum, p) => sum + pick(p.counts), 0);
  await evaluateRunBreaker(
    event.run.run_id,
    total((c) => c.input_rows),
    sumByCode([quarantineByReason, condemnedByReason]),
    deps,
  );
  return {
    valid_rows: total((c) => c.valid_rows),
    quarantined_rows: total((c) => c.quarantined_rows),
    quarantine_by_reason: quarantineByReason,
  };
}

/**
 * Records a run's statistics in the breaker window and throws `CircuitBreakerOpenError` when the
 * window trips (or the breaker was already open).
 *
 * The breaker counts failures of every row code, validation and condemn codes alike: the contract
 * (docs/contract/rules.md, "Circuit breaker") says "a single error code", and a flood of
 * DUPLICATE_FAILURE rows is as systemic as a flood of TYPE_ERROR ones.
 */
export async function evaluateRunBreaker(
  runId: string,
  processed: number,
  failedByCode: QuarantineByReason,
  deps: ValidationDeps,
): Promise<void> {
  const { breaker } = deps.settings;
  const verdict = await recordAndEvaluateBreaker(deps.store, deps.layout, {
    runId,
    at: (deps.now ?? (() => new Date()))(),
    processed,
    failedByCode,
    limits: breaker,
  });
  if (verdict.open) {
    throw new CircuitBreakerOpenError(verdict.code, verdict.failed, verdict.processed, breaker.windowMinutes);
  }
}

/** Adds up counts per code. */
export function sumByCode(all: readonly QuarantineByReason[]): Partial<Record<RowErrorCode, number>> {
  const merged: Partial<Record<RowErrorCode, number>> = {};
  for (const counts of all) {
    for (const [code, n] of Object.entries(counts) as [RowErrorCode, number][]) merged[code] = (merged[code] ?? 0) + n;
  }
  return merged;
}
