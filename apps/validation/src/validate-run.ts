import {
  CircuitBreakerOpenError,
  DEFAULT_CURRENCIES,
  type QuarantineByReason,
  type RowErrorCode,
} from '@ledgerlake/domain';
import {
  DEFAULT_BREAKER_CONFIG,
  readDecisions,
  readWorkRows,
  recordAndEvaluateBreaker,
  validateWorkRow,
  workPartRef,
  writeDecisions,
  type BreakerConfig,
  type EnrichmentResult,
  type RowDecision,
  type RunState,
  type ValidationResult,
} from '@ledgerlake/pipeline';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';

/** What validation is configured with. */
export interface ValidationSettings {
  /** The `Currency` allowlist (case-sensitive ISO-4217 codes). */
  readonly currencies: readonly string[];
  /** Circuit breaker thresholds (PRODUCT.md §3.5). */
  readonly breaker: BreakerConfig;
}

/** The contract's defaults: the domain's currency list, breaker 60 min / >100 rows / >5 %. */
export const DEFAULT_VALIDATION_SETTINGS: ValidationSettings = {
  currencies: DEFAULT_CURRENCIES,
  breaker: DEFAULT_BREAKER_CONFIG,
};

/** What validation works with. */
export interface ValidationDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly settings: ValidationSettings;
  /** The clock of the breaker window; default the system clock. */
  readonly now?: () => Date;
}

/**
 * Validates every row of a run (PRODUCT.md §3): for each enriched work part, skip the rows loop
 * prevention condemned, run the checks in contract order on the rest, and write the part's
 * decisions (the quarantined rows, with code and detail) to the work area. Then record this
 * run's failures in the circuit breaker window and throw `CircuitBreakerOpenError` when it
 * trips, before anything is published.
 *
 * The breaker counts failures of every row code, validation and condemn codes alike: PRODUCT.md
 * says "one error code", and a flood of DUPLICATE_FAILURE rows is as systemic as a flood of
 * TYPE_ERROR ones.
 */
export async function validateRun(state: RunState, deps: ValidationDeps): Promise<ValidationResult> {
  const enrichment = requireInput(state);
  const { store, settings } = deps;
  const currencies = new Set(settings.currencies);
  const { work } = enrichment;
  const quarantineByReason: Partial<Record<RowErrorCode, number>> = {};
  const condemnedByReason: Partial<Record<RowErrorCode, number>> = {};
  let valid = 0;
  let quarantined = 0;

  for (const { part } of enrichment.parts) {
    const condemned = await readDecisions(store, workPartRef(work, 'loop-prevention', part));
    const decisions: RowDecision[] = [];
    let index = 0;
    for await (const rows of readWorkRows(store, workPartRef(work, 'enriched', part))) {
      for (const row of rows) {
        const at = index++;
        const verdict = condemned.get(at);
        if (verdict !== undefined) {
          increment(condemnedByReason, verdict.code);
          continue;
        }
        const result = validateWorkRow(row, currencies);
        if (result.ok) {
          valid++;
        } else {
          quarantined++;
          increment(quarantineByReason, result.code);
          decisions.push({ index: at, code: result.code, detail: result.detail });
        }
      }
    }
    await writeDecisions(store, workPartRef(work, 'validation', part), decisions);
  }

  await evaluateBreaker(state, enrichment, deps, mergeCounts(quarantineByReason, condemnedByReason));
  return { valid_rows: valid, quarantined_rows: quarantined, quarantine_by_reason: quarantineByReason };
}

async function evaluateBreaker(
  state: RunState,
  enrichment: EnrichmentResult,
  deps: ValidationDeps,
  failedByCode: QuarantineByReason,
): Promise<void> {
  const { breaker } = deps.settings;
  const verdict = await recordAndEvaluateBreaker(deps.store, deps.layout, {
    runId: state.run.run_id,
    at: (deps.now ?? (() => new Date()))(),
    processed: enrichment.input_rows,
    failedByCode,
    config: breaker,
  });
  if (verdict.open) {
    throw new CircuitBreakerOpenError(verdict.code, verdict.failed, verdict.processed, breaker.windowMinutes);
  }
}

function requireInput(state: RunState): EnrichmentResult {
  if (state.enrichment === undefined) throw new Error('validation: the state has no enrichment result');
  if (state.loop_prevention === undefined) throw new Error('validation: the state has no loop_prevention result');
  if (state.loop_prevention.status !== 'CONTINUE') {
    throw new Error(`validation: loop prevention ended the run (${state.loop_prevention.status}); nothing to validate`);
  }
  return state.enrichment;
}

function increment(counts: Partial<Record<RowErrorCode, number>>, code: RowErrorCode): void {
  counts[code] = (counts[code] ?? 0) + 1;
}

function mergeCounts(...all: QuarantineByReason[]): QuarantineByReason {
  const merged: Partial<Record<RowErrorCode, number>> = {};
  for (const counts of all) {
    for (const [code, n] of Object.entries(counts) as [RowErrorCode, number][]) merged[code] = (merged[code] ?? 0) + n;
  }
  return merged;
}
