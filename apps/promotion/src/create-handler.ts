import { recordRunMetrics, withObservability, type Observability } from '@ledgerlake/observability';
import type { PartitionCatalog } from '@ledgerlake/lake';
import type { LivenessProbe, RunHolder } from '@ledgerlake/ledgers';
import type { Compressor } from '@ledgerlake/parquet';
import { type DatasetRegistry, type GateLimits, type RunBlockedEvent } from '@ledgerlake/domain';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import type { GoldEngine } from './gold-engine';
import { type PromotionStepResult, runPromotionStep } from './steps';

/** What the promotion handler is built from: the cloud wiring passes S3, Glue and SNS; the local runner the lake. */
export interface PromotionHandlerDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly catalog: PartitionCatalog;
  /** The gate's limits (the domain's quality policy). */
  readonly thresholds: GateLimits;
  readonly publish: (event: RunBlockedEvent) => Promise<void>;
  readonly obs: Observability;
  readonly compressor?: Compressor;
  /** What runs the Gold SQL: `AthenaGoldEngine` in the cloud, `DuckDbGoldEngine` locally. */
  readonly gold: GoldEngine;
  readonly now?: () => Date;
  /** Who this function's promotions are held by; default the run's execution. */
  readonly holder?: (executionArn: string) => RunHolder;
  /** Which holders of pending promotions are known dead (recovery rolls those forward). */
  readonly liveness?: LivenessProbe;
  /** The datasets a run may name (`runLayout`); default the shipped ones. */
  readonly datasets?: DatasetRegistry;
}

/**
 * The promotion Lambda handler: `{action, run, ...}` in (the gate, the blocked path, publishing,
 * Gold), that Task's section out, inside the middy chain every LedgerLake function uses.
 */
export function createHandler(deps: PromotionHandlerDeps) {
  const { obs, holder, ...rest } = deps;
  return withObservability<unknown, PromotionStepResult>(async (event) => {
    const started = Date.now();
    const arn = (event as { run?: { execution_arn?: unknown } } | null)?.run?.execution_arn;
    const held = holder !== undefined && typeof arn === 'string' ? { holder: holder(arn) } : {};
    const result = await runPromotionStep(event, { ...rest, ...held, logger: obs.logger });
    recordRunMetrics(obs.metrics, { duration_ms: Date.now() - started });
    return result;
  }, obs);
}
