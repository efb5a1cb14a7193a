import { recordRunMetrics, withObservability, type Observability } from '@ledgerlake/observability';
import { type EnrichmentResult, RunStateSchema } from '@ledgerlake/pipeline';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { enrichFile, type EnrichmentOptions } from './enrich-file';

/** What the enrichment handler is built from: the cloud wiring passes S3, the local runner a filesystem lake. */
export interface EnrichmentHandlerDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly obs: Observability;
  /** Default `DEFAULT_ENRICHMENT_OPTIONS`. */
  readonly options?: Partial<EnrichmentOptions>;
}

/**
 * The enrichment Lambda handler: the run state in (`$`), the `$.enrichment` section out, inside
 * the middy chain every LedgerLake function uses.
 */
export function createHandler(deps: EnrichmentHandlerDeps) {
  const { store, layout, obs, options } = deps;
  return withObservability<unknown, EnrichmentResult>(async (event) => {
    const state = RunStateSchema.parse(event);
    const started = Date.now();
    const result = await enrichFile(state, { store, layout, options, logger: obs.logger });
    recordRunMetrics(obs.metrics, {
      input_rows: result.input_rows,
      bytes_read: result.bytes_read,
      duration_ms: Date.now() - started,
    });
    return result;
  }, obs);
}
