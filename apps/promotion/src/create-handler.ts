import { recordRunMetrics, withObservability, type Observability } from '@ledgerlake/observability';
import type { Compressor, PartitionCatalog } from '@ledgerlake/pipeline';
import type { RunBlockedEvent } from '@ledgerlake/domain';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import type { GateThresholds } from './gate';
import { type PromotionStepResult, runPromotionStep } from './steps';

/** What the promotion handler is built from: the cloud wiring passes S3, Glue and SNS; the local runner the lake. */
export interface PromotionHandlerDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly catalog: PartitionCatalog;
  readonly thresholds: GateThresholds;
  readonly publish: (event: RunBlockedEvent) => Promise<void>;
  readonly obs: Observability;
  readonly compressor?: Compressor;
  readonly now?: () => Date;
}

/**
 * The promotion Lambda handler: `{action, run, ...}` in (the gate, the blocked path, publishing,
 * Gold), that Task's section out, inside the middy chain every LedgerLake function uses.
 */
export function createHandler(deps: PromotionHandlerDeps) {
  const { obs, ...rest } = deps;
  return withObservability<unknown, PromotionStepResult>(async (event) => {
    const started = Date.now();
    const result = await runPromotionStep(event, { ...rest, logger: obs.logger });
    recordRunMetrics(obs.metrics, { duration_ms: Date.now() - started });
    return result;
  }, obs);
}
