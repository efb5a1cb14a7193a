import { type RowErrorCode, rowRules } from '@ledgerlake/domain';
import type { EnrichmentResult, RunState, ValidationResult } from '@ledgerlake/pipeline';
import { evaluateRunBreaker, sumByCode } from './check-breaker';
import type { ValidationDeps } from './settings';
import { requireContinue, validatePartRows } from './validate-part';

export { DEFAULT_VALIDATION_SETTINGS, type ValidationDeps, type ValidationSettings } from './settings';

/**
 * Validates every row of a run in one call (PRODUCT.md §3): each enriched work part as
 * `validatePart` does, in order, then the circuit breaker for the whole run as `checkBreaker`
 * does (`processed` = enrichment's input rows). The state machine runs the same steps part by part
 * (`ValidatePart` in its Map, `CheckBreaker` after it); this whole-run form serves
 * the deploy-time access recording and the local runner's whole-run event.
 */
export async function validateRun(state: RunState, deps: ValidationDeps): Promise<ValidationResult> {
  const enrichment = requireInput(state);
  const rules = rowRules(deps.settings.rules, state.run.started_at);
  const parts = [];
  for (const part of enrichment.parts) {
    parts.push(await validatePartRows(deps.store, enrichment.work, part, rules));
  }
  const quarantineByReason: Partial<Record<RowErrorCode, number>> = sumByCode(parts.map((p) => p.quarantine_by_reason));
  const condemnedByReason = sumByCode(parts.map((p) => p.condemned_by_reason));
  await evaluateRunBreaker(state.run.run_id, enrichment.input_rows, sumByCode([quarantineByReason, condemnedByReason]), deps);
  return {
    valid_rows: parts.reduce((n, p) => n + p.valid_rows, 0),
    quarantined_rows: parts.reduce((n, p) => n + p.quarantined_rows, 0),
    quarantine_by_reason: quarantineByReason,
  };
}

function requireInput(state: RunState): EnrichmentResult {
  if (state.enrichment === undefined) throw new Error('validation: the state has no enrichment result');
  if (state.loop_prevention === undefined) throw new Error('validation: the state has no loop_prevention result');
  requireContinue(state.loop_prevention);
  return state.enrichment;
}
