import { type Observability, recordRunMetrics, withObservability } from '@ledgerlake/observability';
import { parseTaskEvent, ROW_PIPELINE, type TaskResult } from '@ledgerlake/contract';
import { runLayout } from '@ledgerlake/lake';
import type { DatasetRegistry } from '@ledgerlake/domain';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { z } from 'zod';
import { combineChunkResults, enrichChunk, type EnrichmentOptions, planChunks } from './enrich-file';

/** What the enrichment handler is built from: the cloud wiring passes S3, the local runner a filesystem lake. */
export interface EnrichmentHandlerDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly obs: Observability;
  /** Default `DEFAULT_ENRICHMENT_OPTIONS`. */
  readonly options?: Partial<EnrichmentOptions>;
  /** The datasets a run may name (`runLayout`); default the shipped ones. */
  readonly datasets?: DatasetRegistry;
}

/** The events of the enrichment Tasks: plan the file, enrich one chunk (a Map child execution), combine the chunks' results. */
const EnrichmentEventSchema = z.discriminatedUnion('action', [ROW_PIPELINE.PlanChunks.event, ROW_PIPELINE.EnrichChunk.event, ROW_PIPELINE.CombineChunks.event]);

type EnrichmentResult = TaskResult<'PlanChunks'> | TaskResult<'EnrichChunk'> | TaskResult<'CombineChunks'>;

/**
 * The enrichment Lambda handler, inside the middy chain every LedgerLake function uses: the state
 * machine's PlanChunks, EnrichChunk and CombineChunks Tasks, by the event's `action`.
 */
export function createHandler(deps: EnrichmentHandlerDeps) {
  const { store, obs, options } = deps;
  return withObservability<unknown, EnrichmentResult>(async (event) => {
    const started = Date.now();
    const step = parseTaskEvent(EnrichmentEventSchema, event, 'PlanChunks, EnrichChunk or CombineChunks');
    const core = { store, layout: runLayout(deps.layout, step.run, deps.datasets), options, logger: obs.logger };
    switch (step.action) {
      case 'plan': {
        const plan = await planChunks({ run: step.run }, core);
        recordRunMetrics(obs.metrics, { bytes_read: plan.bytes_read, duration_ms: Date.now() - started });
        return plan;
      }
      case 'enrich-chunk': {
        const chunk = await enrichChunk({ run: step.run, plan: step.plan }, step.chunk, core);
        recordRunMetrics(obs.metrics, { duration_ms: Date.now() - started });
        return chunk;
      }
      case 'combine': {
        const result = await combineChunkResults({ run: step.run, plan: step.plan }, step.chunks, core);
        if (result.extra_columns.length > 0) obs.logger.warn('extra columns ignored', { extra_columns: result.extra_columns });
        recordRunMetrics(obs.metrics, { input_rows: result.input_rows, duration_ms: Date.now() - started });
        return result;
      }
    }
  }, obs);
}
