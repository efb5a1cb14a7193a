import { recordRunMetrics, withObservability, type Observability } from '@ledgerlake/observability';
import { RunStateSchema, type ValidationResult } from '@ledgerlake/pipeline';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { DEFAULT_VALIDATION_SETTINGS, validateRun, type ValidationSettings } from './validate-run';

export { settingsFromConfig, ValidationConfigSchema, type ValidationConfig } from './config';
export {
  DEFAULT_VALIDATION_SETTINGS,
  validateRun,
  type ValidationDeps,
  type ValidationSettings,
} from './validate-run';

/** What the validation handler is built from: the cloud wiring passes S3, the local runner a filesystem lake. */
export interface ValidationHandlerDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly obs: Observability;
  /** Default `DEFAULT_VALIDATION_SETTINGS`. */
  readonly settings?: ValidationSettings;
  readonly now?: () => Date;
}

/**
 * The validation Lambda handler: the run state in (`$`), the `$.validation` section out, inside
 * the middy chain every LedgerLake function uses.
 */
export function createHandler(deps: ValidationHandlerDeps) {
  const { store, layout, obs, now } = deps;
  const settings = deps.settings ?? DEFAULT_VALIDATION_SETTINGS;
  return withObservability<unknown, ValidationResult>(async (event) => {
    const state = RunStateSchema.parse(event);
    const started = Date.now();
    const result = await validateRun(state, { store, layout, settings, now });
    recordRunMetrics(obs.metrics, {
      input_rows: state.enrichment?.input_rows,
      valid_rows: result.valid_rows,
      quarantined_rows: result.quarantined_rows,
      duration_ms: Date.now() - started,
    });
    obs.logger.info('rows validated', { ...result });
    return result;
  }, obs);
}
