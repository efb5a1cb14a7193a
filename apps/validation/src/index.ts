import { type Observability, recordRunMetrics, withObservability } from '@ledgerlake/observability';
import { parseTaskEvent, type PartValidation, ROW_PIPELINE, type ValidationResult } from '@ledgerlake/contract';
import { runLayout } from '@ledgerlake/lake';
import type { DatasetRegistry } from '@ledgerlake/domain';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { z } from 'zod';
import { checkBreaker } from './check-breaker';
import { DEFAULT_VALIDATION_SETTINGS, type ValidationDeps, type ValidationSettings } from './settings';
import { validatePart } from './validate-part';

export { settingsFromConfig, ValidationConfigSchema, type ValidationConfig } from './config';
export { checkBreaker, evaluateRunBreaker } from './check-breaker';
export { DEFAULT_VALIDATION_SETTINGS, type ValidationDeps, type ValidationSettings } from './settings';
export { validatePart } from './validate-part';

/** What the validation handler is built from: the cloud wiring passes S3, the local runner a filesystem lake. */
export interface ValidationHandlerDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly obs: Observability;
  /** Default `DEFAULT_VALIDATION_SETTINGS`. */
  readonly settings?: ValidationSettings;
  readonly now?: () => Date;
  /** The datasets a run may name (`runLayout`); default the shipped ones. */
  readonly datasets?: DatasetRegistry;
}

/** The events of the state machine's tasks this function serves, told apart by `action`. */
const ActionEventSchema = z.discriminatedUnion('action', [ROW_PIPELINE.ValidatePart.event, ROW_PIPELINE.CheckBreaker.event]);

/**
 * The validation Lambda handler, inside the middy chain every LedgerLake function uses. It serves
 * two tasks of the state machine, by the event's `action`:
 * - `validate-part` (`ValidatePart`, in the `ProcessParts` Map): one work part → `PartValidation`;
 * - `check-breaker` (`CheckBreaker`, after the Map): every part's `PartWritten` → `$.validation`.
 */
export function createHandler(deps: ValidationHandlerDeps) {
  const core: ValidationDeps = {
    store: deps.store,
    layout: deps.layout,
    settings: deps.settings ?? DEFAULT_VALIDATION_SETTINGS,
    now: deps.now,
  };
  const { obs } = deps;
  return withObservability<unknown, PartValidation | ValidationResult>(async (event) => {
    const started = Date.now();
    const parsed = parseTaskEvent(ActionEventSchema, event, 'ValidatePart or CheckBreaker');
    const runCore: ValidationDeps = { ...core, layout: runLayout(deps.layout, parsed.run, deps.datasets) };
    if (parsed.action === 'validate-part') {
      const result = await validatePart(parsed, runCore);
      // Row counts are recorded where the rows are read, part by part: summed over a run they
      // equal the run's (CheckBreaker adds none, so nothing is counted twice).
      recordRunMetrics(obs.metrics, {
        input_rows: parsed.part.rows,
        valid_rows: result.valid_rows,
        quarantined_rows: result.quarantined_rows,
        duration_ms: Date.now() - started,
      });
      obs.logger.info('part validated', { ...result });
      return result;
    }
    const result = await checkBreaker(parsed, runCore);
    recordRunMetrics(obs.metrics, { duration_ms: Date.now() - started });
    obs.logger.info('breaker checked', { parts: parsed.enrichment.part_count, ...result });
    return result;
  }, obs);
}
