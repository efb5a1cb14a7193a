import { type Observability, recordRunMetrics, withObservability } from '@ledgerlake/observability';
import { type LoopPreventionResult, parseTaskEvent, ROW_PIPELINE } from '@ledgerlake/contract';
import { runLayout } from '@ledgerlake/lake';
import { type LivenessProbe, type RunHolder } from '@ledgerlake/ledgers';
import type { DatasetRegistry } from '@ledgerlake/domain';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { type LoopPreventionSettings, preventLoops } from './prevent-loops';

/** What the loop-prevention handler is built from: the cloud wiring passes S3, the local runner a filesystem lake. */
export interface LoopPreventionHandlerDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly obs: Observability;
  /** Default `DEFAULT_LOOP_PREVENTION_SETTINGS`. */
  readonly settings?: Partial<LoopPreventionSettings>;
  readonly now?: () => Date;
  /** Who this function's claims are held by; default the run's execution. */
  readonly holder?: (executionArn: string) => RunHolder;
  /** Which holders of earlier claims are known dead. */
  readonly liveness?: LivenessProbe;
  /** The datasets a run may name (`runLayout`); default the shipped ones. */
  readonly datasets?: DatasetRegistry;
}

/**
 * The loop-prevention Lambda handler: the run state in (`$`), the `$.loop_prevention` section
 * out, inside the middy chain every LedgerLake function uses.
 */
export function createHandler(deps: LoopPreventionHandlerDeps) {
  const { store, obs, settings, now, liveness } = deps;
  return withObservability<unknown, LoopPreventionResult>(async (event) => {
    const state = parseTaskEvent(ROW_PIPELINE.PreventLoops.event, event, 'PreventLoops');
    const started = Date.now();
    const holder = deps.holder?.(state.run.execution_arn);
    const result = await preventLoops(state, {
      store,
      layout: runLayout(deps.layout, state.run, deps.datasets),
      settings,
      now,
      logger: obs.logger,
      ...(holder === undefined ? {} : { holder }),
      ...(liveness === undefined ? {} : { liveness }),
    });
    recordRunMetrics(obs.metrics, {
      input_rows: result.status === 'CONTINUE' ? state.enrichment?.input_rows : 0,
      condemned_rows: result.condemned_rows,
      duration_ms: Date.now() - started,
    });
    return result;
  }, obs);
}
